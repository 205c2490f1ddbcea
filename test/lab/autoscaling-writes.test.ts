/**
 * The lab's Auto Scaling writes through the real AWS SDK v3 client, with
 * the effects and Cause texts AWS gives them. The lab's clock is the test's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AutoScalingClient,
  DeletePolicyCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeInstanceRefreshesCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  SetDesiredCapacityCommand,
  StartInstanceRefreshCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateVersionCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';
import { driveLoad } from '../helpers/drive.js';

const ASG = 'abx-lab-asg';
let t: ClockedLab | undefined;
afterEach(async () => {
  await t?.lab.close();
  t = undefined;
});

async function setup(options: Parameters<typeof startClockedLab>[0] = {}) {
  t = await startClockedLab(options);
  return {
    t,
    asg: new AutoScalingClient(t.clientConfig),
    cw: new CloudWatchClient(t.clientConfig),
    ec2: new EC2Client(t.clientConfig),
    elb: new ElasticLoadBalancingV2Client(t.clientConfig),
  };
}

async function group(asg: AutoScalingClient) {
  return (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [ASG] }))).AutoScalingGroups![0];
}

async function activities(asg: AutoScalingClient) {
  return (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: ASG }))).Activities ?? [];
}

async function resourceLabel(elb: ElasticLoadBalancingV2Client): Promise<string> {
  const lb = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers![0].LoadBalancerArn!;
  const tg = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups![0].TargetGroupArn!;
  return `${lb.split(':loadbalancer/')[1]}/${tg.split(':').slice(5).join(':')}`;
}

describe('lab Auto Scaling writes', () => {
  it('starts as the course lab does: 2/2/6 over two zones, ELB health checks, no policy, no alarms', async () => {
    const { asg, cw } = await setup();
    const g = await group(asg);
    expect([g.MinSize, g.DesiredCapacity, g.MaxSize]).toEqual([2, 2, 6]);
    expect(g.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(g.HealthCheckType).toBe('ELB');
    expect((await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: ASG }))).ScalingPolicies ?? []).toEqual([]);
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).toEqual([]);
  });

  it('SetDesiredCapacity launches with the user-request Cause, and refuses a value above max', async () => {
    const { t, asg } = await setup();
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ASG, DesiredCapacity: 3 }));
    const launch = (await activities(asg))[0];
    expect(launch.Description).toMatch(/^Launching a new EC2 instance: i-0[0-9a-f]{16}$/);
    expect(launch.Cause).toMatch(
      /^At \S+Z a user request explicitly set group desired capacity changing the desired capacity from 2 to 3\. {2}At \S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 3\.$/,
    );
    t.tick(2100);
    expect((await group(asg)).Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(3);
    await expect(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: ASG, DesiredCapacity: 7 }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'New SetDesiredCapacity value 7 is above max value 6 for the AutoScalingGroup.',
    });
  });

  it('UpdateAutoScalingGroup changes sizes with the constraints Cause, health checks, and zones', async () => {
    const { asg } = await setup();
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: ASG,
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 1,
        HealthCheckType: 'EC2',
        HealthCheckGracePeriod: 120,
      }),
    );
    const g = await group(asg);
    expect([g.MinSize, g.DesiredCapacity, g.MaxSize, g.HealthCheckType, g.HealthCheckGracePeriod]).toEqual([1, 1, 4, 'EC2', 120]);
    const termination = (await activities(asg))[0];
    expect(termination.Description).toMatch(/^Terminating EC2 instance: i-/);
    expect(termination.Cause).toMatch(
      /^At \S+Z a user request update of AutoScalingGroup constraints to min: 1, max: 4, desired: 1 changing the desired capacity from 2 to 1\. {2}At \S+Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 2 to 1\. {2}At \S+Z instance i-\S+ was selected for termination\.$/,
    );
    await expect(asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: ASG, MinSize: 5, MaxSize: 4 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'nope', MinSize: 1 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('PutScalingPolicy creates the policy and its two alarms, a second put re-creates them, DeletePolicy removes both', async () => {
    const { asg, cw, elb } = await setup();
    const label = await resourceLabel(elb);
    const put = () =>
      asg.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: ASG,
          PolicyName: 'request-count-60',
          PolicyType: 'TargetTrackingScaling',
          EstimatedInstanceWarmup: 60,
          TargetTrackingConfiguration: {
            TargetValue: 60,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label },
          },
        }),
      );
    const first = await put();
    expect(first.PolicyARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/abx-lab-asg:policyName\/request-count-60$/,
    );
    expect(first.Alarms?.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-abx-lab-asg-AlarmHigh-[0-9a-f-]{36}$/),
      expect.stringMatching(/^TargetTracking-abx-lab-asg-AlarmLow-[0-9a-f-]{36}$/),
    ]);
    const alarms = (await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
    expect(alarms.map((a) => [a.Threshold, a.ComparisonOperator, a.MetricName])).toEqual([
      [60, 'GreaterThanThreshold', 'RequestCountPerTarget'],
      [54, 'LessThanThreshold', 'RequestCountPerTarget'],
    ]);
    const policy = (await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: ASG }))).ScalingPolicies![0];
    expect(policy).toMatchObject({
      PolicyName: 'request-count-60',
      EstimatedInstanceWarmup: 60,
      TargetTrackingConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { ResourceLabel: label } },
    });

    const second = await put();
    expect(second.PolicyARN).toBe(first.PolicyARN);
    expect(second.Alarms?.map((a) => a.AlarmName)).not.toEqual(first.Alarms?.map((a) => a.AlarmName));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toHaveLength(2);

    await expect(
      asg.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: ASG,
          PolicyName: 'request-count-60',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingConfiguration: {
            TargetValue: 60,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });

    await asg.send(new DeletePolicyCommand({ AutoScalingGroupName: ASG, PolicyName: 'request-count-60' }));
    expect((await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: ASG }))).ScalingPolicies ?? []).toEqual([]);
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).toEqual([]);
  });

  it('a policy put on a running lab scales the group out under load', async () => {
    const { t, asg, elb } = await setup({ highEvaluationPeriods: 1, targetValue: 60 });
    await asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: ASG,
        PolicyName: 'tt',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          TargetValue: 10,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: await resourceLabel(elb) },
        },
      }),
    );
    // 60 requests in one period over two targets: 30 per target, 3 × the target of 10.
    const load = await driveLoad(t.lab.url, { requests: 60, concurrency: 4 });
    expect(load.statuses[200]).toBe(60);
    t.tick(1000);
    const g = await group(asg);
    expect(g.DesiredCapacity).toBe(6);
    expect((await activities(asg))[0].Cause).toMatch(
      /^At \S+Z a monitor alarm TargetTracking-abx-lab-asg-AlarmHigh-\S+ in state ALARM triggered policy tt changing the desired capacity from 2 to 6\./,
    );
  });

  it('DescribeAutoScalingInstances, and TerminateInstanceInAutoScalingGroup with and without decrement', async () => {
    const { asg } = await setup({ desired: 3 });
    const listed = (await asg.send(new DescribeAutoScalingInstancesCommand({}))).AutoScalingInstances ?? [];
    expect(listed).toHaveLength(3);
    expect(listed[0]).toMatchObject({
      AutoScalingGroupName: ASG,
      InstanceType: 't3.micro',
      HealthStatus: 'HEALTHY',
      LifecycleState: 'InService',
    });

    const replaced = await asg.send(
      new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: listed[0].InstanceId, ShouldDecrementDesiredCapacity: false }),
    );
    expect(replaced.Activity?.Cause).toBe(
      `At ${replaced.Activity!.Cause!.slice(3, 23)} instance ${listed[0].InstanceId} was taken out of service in response to a user request.`,
    );
    let g = await group(asg);
    expect(g.DesiredCapacity).toBe(3);
    expect(g.Instances?.filter((i) => i.LifecycleState === 'Pending')).toHaveLength(1);

    const shrunk = await asg.send(
      new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: listed[1].InstanceId, ShouldDecrementDesiredCapacity: true }),
    );
    expect(shrunk.Activity?.Cause).toMatch(/was taken out of service in response to a user request, shrinking the capacity from 3 to 2\.$/);
    g = await group(asg);
    expect(g.DesiredCapacity).toBe(2);
    expect(g.Instances?.filter((i) => i.LifecycleState === 'Pending')).toHaveLength(1);
    // At min, a decrement is refused as AWS refuses it.
    await expect(
      asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: listed[2].InstanceId, ShouldDecrementDesiredCapacity: true })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('StartInstanceRefresh replaces every instance with the current launch template version, a batch at a time', async () => {
    const { t, asg, ec2 } = await setup();
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: 'abx-lab-lt',
        SourceVersion: '1',
        LaunchTemplateData: { InstanceType: 't3.nano' },
      }),
    );
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: ASG,
        LaunchTemplate: { LaunchTemplateName: 'abx-lab-lt', Version: '$Latest' },
      }),
    );
    const { InstanceRefreshId } = await asg.send(
      new StartInstanceRefreshCommand({ AutoScalingGroupName: ASG, Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 60 } }),
    );
    expect(InstanceRefreshId).toMatch(/^[0-9a-f-]{36}$/);
    const refresh = async () => (await asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: ASG }))).InstanceRefreshes![0];
    expect(await refresh()).toMatchObject({
      InstanceRefreshId,
      Status: 'InProgress',
      InstancesToUpdate: 1,
      Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 60 },
    });
    // MinHealthyPercentage 50 of 2 leaves room for one at a time: one is replaced, the other still serves.
    let g = await group(asg);
    expect(g.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(1);
    await expect(asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: ASG }))).rejects.toMatchObject({
      name: 'InstanceRefreshInProgressFault',
    });
    // Each batch: drain, launch + warm-up (2 periods), the refresh's warm-up (1 period).
    for (let i = 0; i < 12 && (await refresh()).Status !== 'Successful'; i++) t.tick(1000);
    expect(await refresh()).toMatchObject({ Status: 'Successful', PercentageComplete: 100, InstancesToUpdate: 0 });
    g = await group(asg);
    expect(g.Instances?.map((i) => [i.InstanceType, i.LifecycleState])).toEqual([
      ['t3.nano', 'InService'],
      ['t3.nano', 'InService'],
    ]);
    const running = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] })))
      .Reservations!.flatMap((r) => r.Instances!)
      .map((i) => i.InstanceType);
    expect(running).toEqual(['t3.nano', 't3.nano']);
    expect((await activities(asg)).some((a) => /in response to an instance refresh/.test(a.Cause ?? ''))).toBe(true);
  });
});
