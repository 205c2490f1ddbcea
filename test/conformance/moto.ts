/**
 * moto's server, an AWS implementation this project did not write, on a free
 * loopback port for one test file; and the course's architecture built on it
 * through the AWS SDK, as a learner builds it in the console: a VPC with two
 * subnets in two zones, an ALB whose security group is open on All TCP from
 * 0.0.0.0/0 with listeners on 80 and 90, a target group, a launch template,
 * the Auto Scaling group and a target-tracking policy with its ResourceLabel.
 *
 * moto must start: a machine where it cannot is a failure to fix (.ci/run
 * checks that `import moto.server` works), never a reason to skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface Moto {
  url: string;
  close(): Promise<void>;
}

/** Long enough for Python to import moto on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;

export async function startMoto(): Promise<Moto> {
  let child: ChildProcess;
  try {
    child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
  } catch (error) {
    throw new Error(`moto's server did not start (python3 -m moto.server): ${(error as Error).message}`);
  }
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto's server did not say where it listens within ${START_TIMEOUT_MS / 1000} s: ${output.slice(-500)}`));
    }, START_TIMEOUT_MS);
    const listen = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', listen);
    child.stderr?.on('data', listen);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`moto's server did not start (python3 -m moto.server): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto's server exited (${code}) before it listened: ${output.slice(-500)}`));
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** SDK settings for moto: fake credentials, loopback, no retries. */
export function motoConfig(url: string) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTESTFAKE', secretAccessKey: 'fake-secret-for-tests' },
    maxAttempts: 1,
  };
}

export interface Course {
  vpcId: string;
  subnetIds: [string, string];
  albSecurityGroupId: string;
  instanceSecurityGroupId: string;
  loadBalancerArn: string;
  dnsName: string;
  targetGroupArn: string;
  launchTemplateId: string;
  asg: string;
  policy: string;
  bucket: string;
}

export async function buildCourse(url: string): Promise<Course> {
  const config = motoConfig(url);
  const ec2 = new EC2Client(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const asg = new AutoScalingClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  try {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (cidr: string, zone: string): Promise<string> =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const subnetIds: [string, string] = [await subnet('10.0.1.0/24', 'us-east-1a'), await subnet('10.0.2.0/24', 'us-east-1b')];
    const albSecurityGroupId = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'course-alb-sg', Description: 'ALB', VpcId: vpcId }))
    ).GroupId!;
    // The course's insecure start: All TCP from anywhere.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: albSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const instanceSecurityGroupId = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'course-ec2-sg', Description: 'instances', VpcId: vpcId }))
    ).GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: instanceSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: albSecurityGroupId }] }],
      }),
    );
    const lb = (
      await elb.send(new CreateLoadBalancerCommand({ Name: 'course-alb', Subnets: subnetIds, SecurityGroups: [albSecurityGroupId] }))
    ).LoadBalancers![0];
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'course-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId })))
      .TargetGroups![0];
    for (const port of [80, 90]) {
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
        }),
      );
    }
    const launchTemplateId = (
      await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'course-lt',
          LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro', SecurityGroupIds: [instanceSecurityGroupId] },
        }),
      )
    ).LaunchTemplate!.LaunchTemplateId!;
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'course-asg',
        MinSize: 2,
        MaxSize: 6,
        DesiredCapacity: 2,
        LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: '$Latest' },
        VPCZoneIdentifier: subnetIds.join(','),
        TargetGroupARNs: [tg.TargetGroupArn!],
        HealthCheckType: 'ELB',
        HealthCheckGracePeriod: 300,
        DefaultInstanceWarmup: 120,
      }),
    );
    const label = `${lb.LoadBalancerArn!.split(':loadbalancer/')[1]}/${tg.TargetGroupArn!.split(':').slice(5).join(':')}`;
    await asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'course-asg',
        PolicyName: 'course-request-tracking',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          TargetValue: 60,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label },
        },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'course-results' }));
    return {
      vpcId,
      subnetIds,
      albSecurityGroupId,
      instanceSecurityGroupId,
      loadBalancerArn: lb.LoadBalancerArn!,
      dnsName: lb.DNSName!,
      targetGroupArn: tg.TargetGroupArn!,
      launchTemplateId,
      asg: 'course-asg',
      policy: 'course-request-tracking',
      bucket: 'course-results',
    };
  } finally {
    for (const client of [ec2, elb, asg, s3]) client.destroy();
  }
}

/** The course's step 2: only port 80 from anywhere on the load balancer's group. */
export async function fixLoadBalancerGroup(url: string, course: Course): Promise<void> {
  const ec2 = new EC2Client(motoConfig(url));
  try {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: course.albSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: course.albSecurityGroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
  } finally {
    ec2.destroy();
  }
}

export async function setDesiredCapacity(url: string, course: Course, desired: number): Promise<void> {
  const asg = new AutoScalingClient(motoConfig(url));
  try {
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: course.asg, DesiredCapacity: desired }));
  } finally {
    asg.destroy();
  }
}
