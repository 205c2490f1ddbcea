/**
 * The lab's EC2 API through the real AWS SDK v3 EC2 client, and the effects
 * its writes have on the lab: security groups gating the load balancer's
 * listeners and its health checks, launch template versions, stopped and
 * terminated instances replaced by the group. The lab's clock is the test's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';

let t: ClockedLab | undefined;
afterEach(async () => {
  await t?.lab.close();
  t = undefined;
});

async function setup(): Promise<{ t: ClockedLab; ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client }> {
  t = await startClockedLab();
  return {
    t,
    ec2: new EC2Client(t.clientConfig),
    asg: new AutoScalingClient(t.clientConfig),
    elb: new ElasticLoadBalancingV2Client(t.clientConfig),
  };
}

async function groupIds(ec2: EC2Client): Promise<{ alb: string; instances: string }> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['abx-lab-alb-sg', 'abx-lab-ec2-sg'] }));
  const byName = Object.fromEntries((out.SecurityGroups ?? []).map((g) => [g.GroupName, g.GroupId!]));
  return { alb: byName['abx-lab-alb-sg']!, instances: byName['abx-lab-ec2-sg']! };
}

/** The status of a GET, or the connection error's code (ECONNREFUSED once a listener is closed). */
async function probe(url: string): Promise<number | string> {
  try {
    const res = await fetch(url);
    await res.text();
    return res.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

describe('lab EC2 API', () => {
  it('describes the starting state: two running t3.micro instances over two zones, their subnets, zones and launch template', async () => {
    const { ec2 } = await setup();
    const out = await ec2.send(new DescribeInstancesCommand({}));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances).toHaveLength(2);
    expect(instances.map((i) => i.InstanceType)).toEqual(['t3.micro', 't3.micro']);
    expect(instances.map((i) => i.State?.Name)).toEqual(['running', 'running']);
    expect(instances.map((i) => i.Placement?.AvailabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(instances[0].SecurityGroups?.[0]?.GroupName).toBe('abx-lab-ec2-sg');
    expect(instances[0].Tags).toContainEqual({ Key: 'aws:autoscaling:groupName', Value: 'abx-lab-asg' });
    expect(instances[0].Tags).toContainEqual({ Key: 'aws:ec2launchtemplate:version', Value: '1' });
    expect(instances[0].LaunchTime).toBeInstanceOf(Date);

    const filtered = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }));
    expect(filtered.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.Placement?.AvailabilityZone)).toEqual(['us-east-1b']);

    const subnets = await ec2.send(new DescribeSubnetsCommand({}));
    expect(subnets.Subnets?.map((s) => s.AvailabilityZone)).toEqual(['us-east-1a', 'us-east-1b']);
    expect(subnets.Subnets?.[0]?.SubnetId).toMatch(/^subnet-0[0-9a-f]{16}$/);
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(zones.AvailabilityZones?.map((z) => [z.ZoneName, z.State])).toEqual([
      ['us-east-1a', 'available'],
      ['us-east-1b', 'available'],
    ]);
    const templates = await ec2.send(new DescribeLaunchTemplatesCommand({}));
    expect(templates.LaunchTemplates?.[0]).toMatchObject({
      LaunchTemplateName: 'abx-lab-lt',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    });
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
  });

  it("answers an unknown EC2 action in EC2's own error shape", async () => {
    const { t } = await setup();
    const res = await fetch(`${t.lab.apiUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=RunInstances&Version=2016-11-15',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /^<Response><Errors><Error><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
  });

  it('starts with the insecure rules; revoking All TCP and allowing 80 closes listener 90 while 80 answers', async () => {
    const { t, ec2 } = await setup();
    const ids = await groupIds(ec2);
    const start = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [ids.alb, ids.instances] }));
    const [alb, inst] = start.SecurityGroups!;
    expect(alb.IpPermissions).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ]);
    expect(inst.IpPermissions?.[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 65535,
      UserIdGroupPairs: [expect.objectContaining({ GroupId: ids.alb })],
    });
    expect(await probe(t.lab.privateUrl)).toBe(200);
    expect(await (await fetch(t.lab.privateUrl)).text()).toMatch(/PRIVATE/);

    const authorized = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: ids.alb,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    expect(authorized.Return).toBe(true);
    expect(authorized.SecurityGroupRules?.[0]).toMatchObject({ FromPort: 80, ToPort: 80, CidrIpv4: '0.0.0.0/0', IsEgress: false });
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: ids.alb,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    expect(await probe(t.lab.privateUrl)).toBe('ECONNREFUSED');
    expect(await probe(t.lab.url)).toBe(200);

    // A rule that is not there cannot be revoked; one that is cannot be added twice.
    await expect(
      ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: ids.alb, IpProtocol: 'tcp', FromPort: 90, ToPort: 90, CidrIp: '0.0.0.0/0' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: ids.alb, IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });

    // Opening 90 again re-opens the listener on the same port.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: ids.alb, IpProtocol: 'tcp', FromPort: 90, ToPort: 90, CidrIp: '0.0.0.0/0' }),
    );
    expect(await probe(t.lab.privateUrl)).toBe(200);
  });

  it('targets turn unhealthy once the instances no longer allow the load balancer, after the health-check threshold', async () => {
    const { t, ec2, asg, elb } = await setup();
    const ids = await groupIds(ec2);
    // EC2 health checks: the group does not replace ELB-unhealthy instances, so their state stays visible.
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'abx-lab-asg', HealthCheckType: 'EC2' }));
    const tg = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups![0].TargetGroupArn!;
    const states = async (): Promise<string[]> =>
      ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).map(
        (d) => `${d.TargetHealth?.State}${d.TargetHealth?.Reason ? `/${d.TargetHealth.Reason}` : ''}`,
      );
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: ids.instances,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: ids.alb }] }],
      }),
    );
    // Within the detection window (2 checks × 30 s = one lab period) the checks have not failed enough
    // to count: the targets still get requests, which the ALB cannot deliver (504).
    t.tick(500);
    expect(await states()).toEqual(['healthy', 'healthy']);
    expect(await probe(t.lab.url)).toBe(504);
    t.tick(600);
    expect(await states()).toEqual(['unhealthy/Target.Timeout', 'unhealthy/Target.Timeout']);
    const res = await fetch(t.lab.url);
    expect(res.status).toBe(503);
    await res.text();

    // Allowing the load balancer's group on 80 only brings them back.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: ids.instances,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: ids.alb }] }],
      }),
    );
    expect(await states()).toEqual(['healthy', 'healthy']);
    expect(await probe(t.lab.url)).toBe(200);
  });

  it('with ELB health checks the group replaces targets that fail them', async () => {
    const { t, ec2, asg } = await setup();
    const ids = await groupIds(ec2);
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: ids.instances,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: ids.alb }] }],
      }),
    );
    t.tick(1100);
    const activities = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'abx-lab-asg' }))).Activities ?? [];
    const terminations = activities.filter((a) => a.Description?.startsWith('Terminating'));
    expect(terminations).toHaveLength(2);
    expect(terminations[0].Cause).toMatch(
      /^At \S+Z an instance was taken out of service in response to an ELB system health check failure\.$/,
    );
    const launches = activities.filter((a) => a.Description?.startsWith('Launching') && a.StatusCode !== 'Successful');
    expect(launches).toHaveLength(2);
  });

  it('a new launch template version sets the type of instances launched after the group points at it', async () => {
    const { t, ec2, asg } = await setup();
    const created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: 'abx-lab-lt',
        SourceVersion: '1',
        VersionDescription: 'right-sized',
        LaunchTemplateData: { InstanceType: 't3.nano' },
      }),
    );
    expect(created.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, LaunchTemplateData: { InstanceType: 't3.nano' } });
    expect(created.LaunchTemplateVersion?.LaunchTemplateData?.ImageId).toMatch(/^ami-/);
    const latest = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'abx-lab-lt', Versions: ['$Latest'] }));
    expect(latest.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.LaunchTemplateData?.InstanceType, v.DefaultVersion])).toEqual([
      [2, 't3.nano', false],
    ]);
    const templateId = (await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates![0].LaunchTemplateId!;
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'abx-lab-asg',
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '$Latest' },
        DesiredCapacity: 3,
      }),
    );
    t.tick(2100);
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['abx-lab-asg'] }))).AutoScalingGroups![0];
    expect(group.LaunchTemplate?.Version).toBe('$Latest');
    expect(group.Instances?.map((i) => i.InstanceType).sort()).toEqual(['t3.micro', 't3.micro', 't3.nano']);
    expect(group.Instances?.find((i) => i.InstanceType === 't3.nano')?.LaunchTemplate?.Version).toBe('2');
  });

  it('a stopped or terminated instance fails its health check and the group replaces it', async () => {
    const { t, ec2, asg } = await setup();
    const before = (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!);
    const [first, second] = before.map((i) => i.InstanceId!);
    const stopped = await ec2.send(new StopInstancesCommand({ InstanceIds: [first] }));
    expect(stopped.StoppingInstances?.[0]).toMatchObject({ InstanceId: first, PreviousState: { Name: 'running', Code: 16 } });
    const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [second] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({ InstanceId: second, CurrentState: { Name: 'shutting-down', Code: 32 } });
    const activities = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'abx-lab-asg' }))).Activities ?? [];
    const causes = activities.filter((a) => a.Description?.startsWith('Terminating')).map((a) => a.Cause);
    expect(causes).toHaveLength(2);
    for (const cause of causes)
      expect(cause).toMatch(
        /an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/,
      );
    // The drain ends, the old instances are terminated, and two new ones serve.
    t.tick(3000);
    const after = (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!);
    expect(
      after
        .filter((i) => i.State?.Name === 'terminated')
        .map((i) => i.InstanceId)
        .sort(),
    ).toEqual([first, second].sort());
    expect(after.filter((i) => i.State?.Name === 'running')).toHaveLength(2);
    expect(await probe(t.lab.url)).toBe(200);
  });
});
