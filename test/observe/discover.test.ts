import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import { createAwsApi, type AwsApi } from '../../src/aws/clients.js';
import { alarmRole, discover, groupsHoldingTargetGroup, pickPolicy, targetGroupsOf, toAlarmInfo } from '../../src/observe/discover.js';
import { startFakeAws, type FakeAws, type Handler } from './fake-aws.js';
import { ASG, LB_ARN, LB_DNS, TG_ARN, newWorld, worldHandlers } from './scenario.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8');

let fake: FakeAws | undefined;
let api: AwsApi | undefined;
afterEach(async () => {
  api?.destroy();
  await fake?.close();
  fake = undefined;
  api = undefined;
});

async function connect(handlers: Record<string, Handler>): Promise<{ fake: FakeAws; api: AwsApi }> {
  fake = await startFakeAws(handlers);
  api = await createAwsApi({ region: 'us-east-1', endpointUrl: fake.url, maxAttempts: 1 });
  return { fake, api };
}

describe('pure pickers', () => {
  const tg = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1';
  it('finds target groups in TargetGroupARNs and in elbv2 TrafficSources', () => {
    expect(
      targetGroupsOf({ AutoScalingGroupName: 'g', TargetGroupARNs: [tg], TrafficSources: [{ Identifier: tg, Type: 'elbv2' }] } as never),
    ).toEqual([tg]);
    expect(
      targetGroupsOf({
        TrafficSources: [
          { Identifier: 'my-classic-elb', Type: 'elb' },
          { Identifier: tg, Type: 'elbv2' },
        ],
      } as never),
    ).toEqual([tg]);
    const groups = [
      { AutoScalingGroupName: 'x', TargetGroupARNs: [] },
      { AutoScalingGroupName: 'y', TrafficSources: [{ Identifier: tg, Type: 'elbv2' }] },
    ] as never[];
    expect(groupsHoldingTargetGroup(groups, tg).map((g) => g.AutoScalingGroupName)).toEqual(['y']);
  });

  it('prefers the enabled ALBRequestCountPerTarget policy on this target group', () => {
    const policy = (name: string, type: string, label: string, enabled = true): ScalingPolicy => ({
      PolicyName: name,
      PolicyType: 'TargetTrackingScaling',
      Enabled: enabled,
      TargetTrackingConfiguration: {
        TargetValue: 1,
        PredefinedMetricSpecification: { PredefinedMetricType: type as never, ResourceLabel: label },
      },
    });
    const policies = [
      policy('cpu', 'ASGAverageCPUUtilization', ''),
      policy('other-tg', 'ALBRequestCountPerTarget', 'app/a/1/targetgroup/other/2'),
      policy('disabled', 'ALBRequestCountPerTarget', 'app/a/1/targetgroup/a/1', false),
      policy('mine', 'ALBRequestCountPerTarget', 'app/a/1/targetgroup/a/1'),
    ];
    expect(pickPolicy(policies, 'targetgroup/a/1')?.PolicyName).toBe('mine');
    expect(pickPolicy(policies.slice(0, 2), 'targetgroup/a/1')?.PolicyName).toBe('other-tg');
    expect(pickPolicy(policies.slice(0, 1), null)?.PolicyName).toBe('cpu');
    expect(pickPolicy([{ PolicyName: 's', PolicyType: 'SimpleScaling' }], null)).toBeNull();
  });

  it('names alarm roles and reads thresholds without assuming 3/15', () => {
    expect(alarmRole('TargetTracking-g-AlarmHigh-1')).toBe('high');
    expect(alarmRole('TargetTracking-g-AlarmLow-1')).toBe('low');
    expect(alarmRole('my-alarm')).toBe('other');
    const alarm = JSON.parse(fixture('constructed-cloudwatch-DescribeAlarms-TargetTracking.response.json')).MetricAlarms[0];
    expect(toAlarmInfo(alarm)).toEqual({
      name: alarm.AlarmName,
      role: 'high',
      metric: 'RequestCountPerTarget',
      threshold: 1000,
      comparison: 'GreaterThanThreshold',
      periodSec: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      state: 'ALARM',
    });
    expect(toAlarmInfo({ AlarmName: 'x', EvaluationPeriods: 5, Period: 10 }).datapointsToAlarm).toBe(5);
  });
});

describe('discover through the real SDK against a loopback fake', () => {
  it('from the verbatim and constructed example payloads (--asg)', async () => {
    const alarms = fixture('constructed-cloudwatch-DescribeAlarms-TargetTracking.response.json');
    const { api } = await connect({
      DescribeAutoScalingGroups: () => ({ xml: fixture('constructed-autoscaling-DescribeAutoScalingGroups-ALB.response.xml') }),
      DescribePolicies: () => ({ xml: fixture('constructed-autoscaling-DescribePolicies-TargetTracking-ALB.response.xml') }),
      DescribeAlarms: () => ({ body: JSON.parse(alarms) }),
      DescribeTargetGroups: () => ({ fail: 'deny' }),
    });
    const { target, troubles, missing } = await discover(api, { asg: 'de-c1w3-asg' });
    expect(target.asg).toBe('de-c1w3-asg');
    expect(target.targetGroupArn).toBe('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/de-c1w3-tg/943f017f100becff');
    expect(target.targetGroupDim).toBe('targetgroup/de-c1w3-tg/943f017f100becff');
    // The load balancer's ARN is always looked for (a dimension is not enough to read it); with
    // DescribeTargetGroups denied, the policy's ResourceLabel still gives the metric dimension.
    expect(target.loadBalancerDim).toBe('app/de-c1w3-alb/778d41231b141a0f');
    expect(target.loadBalancerArn).toBeNull();
    expect(missing.find((m) => m.part === 'loadBalancer')).toMatchObject({
      action: 'DescribeTargetGroups',
      reason: expect.stringMatching(/allow IAM action elasticloadbalancing:DescribeTargetGroups/) as unknown,
    });
    expect(target.policy).toEqual({
      name: 'alb1000-target-tracking-scaling-policy',
      targetValue: 1000,
      metric: 'RequestCountPerTarget',
      resourceLabel: 'app/de-c1w3-alb/778d41231b141a0f/targetgroup/de-c1w3-tg/943f017f100becff',
    });
    expect(target.alarmNames).toHaveLength(2);
    expect(target.alarms[0]).toMatchObject({ role: 'high', threshold: 1000, evaluationPeriods: 3, state: 'ALARM' });
    expect(target.requestCountPerTargetDimensions).toEqual([{ Name: 'TargetGroup', Value: 'targetgroup/de-c1w3-tg/943f017f100becff' }]);
    expect(target.periodSec).toBe(60);
    expect(troubles.map((t) => t.action)).toEqual(['DescribeTargetGroups']);
    expect(fake!.calls.map((c) => c.op)).toEqual([
      'DescribeAutoScalingGroups',
      'DescribePolicies',
      'DescribeAlarms',
      'DescribeTargetGroups',
    ]);
    // Every policy type: abx check judges step and simple policies too.
    expect(fake!.calls[1].params).toMatchObject({ AutoScalingGroupName: 'de-c1w3-asg' });
    expect(fake!.calls[1].params.PolicyTypes).toBeUndefined();
  });

  it('from an ALB DNS name: name guess, target groups, then the group holding one (via TrafficSources)', async () => {
    const world = newWorld(5);
    const { api } = await connect(worldHandlers(world));
    const { target, troubles, notes } = await discover(api, { url: new URL(`http://${LB_DNS}/`) });
    expect(troubles).toEqual([]);
    expect(notes).toEqual([]);
    expect(target).toMatchObject({
      asg: ASG,
      targetGroupArn: TG_ARN,
      loadBalancerArn: LB_ARN,
      loadBalancerDim: 'app/web-alb/50dc6c495c0c9188',
      periodSec: 5,
    });
    expect(target.policy?.targetValue).toBe(60);
    // The alarm's own dimension set (LoadBalancer + TargetGroup), not the TargetGroup-only default.
    expect(target.requestCountPerTargetDimensions?.map((d) => d.Name)).toEqual(['LoadBalancer', 'TargetGroup']);
    const ops = fake!.calls.map((c) => c.op);
    expect(ops.slice(0, 3)).toEqual(['DescribeLoadBalancers', 'DescribeTargetGroups', 'DescribeAutoScalingGroups']);
    expect(fake!.calls[0].params.Names).toEqual(['web-alb']);
    expect(fake!.calls[1].params.LoadBalancerArn).toBe(LB_ARN);
    // Listing all groups: no AutoScalingGroupNames filter.
    expect(fake!.calls[2].params.AutoScalingGroupNames).toBeUndefined();
  });

  it('falls back to listing load balancers when the name guess is wrong', async () => {
    const world = newWorld(5);
    const { api } = await connect(worldHandlers(world));
    // A load balancer whose name does not answer to the guess from its DNS name
    // (e.g. a name that itself ends in digits): only listing finds it.
    const host = LB_DNS;
    fake!.handlers.DescribeLoadBalancers = (p) =>
      p.Names
        ? { fail: 'not-found' }
        : { body: { LoadBalancers: [{ LoadBalancerArn: LB_ARN, DNSName: LB_DNS, LoadBalancerName: 'web-alb' }] } };
    const { target } = await discover(api, { url: new URL(`http://${host}/`) });
    expect(target.loadBalancerArn).toBe(LB_ARN);
    expect(target.asg).toBe(ASG);
    const lbCalls = fake!.calls.filter((c) => c.op === 'DescribeLoadBalancers');
    expect(lbCalls.map((c) => Boolean(c.params.Names))).toEqual([true, false]);
  });

  it('from --target-group: lists groups, then finds the load balancer from the target group', async () => {
    const world = newWorld(10);
    const handlers = worldHandlers(world);
    // A policy without a ResourceLabel, so the load balancer must come from DescribeTargetGroups.
    handlers.DescribePolicies = () => ({ body: { ScalingPolicies: [] } });
    const { api } = await connect(handlers);
    const { target, notes, missing } = await discover(api, { targetGroupArn: TG_ARN });
    expect(target.asg).toBe(ASG);
    expect(target.loadBalancerArn).toBe(LB_ARN);
    expect(target.policy).toBeNull();
    expect(notes).toEqual([]);
    expect(missing).toEqual([expect.objectContaining({ part: 'policy', reason: `group ${ASG} has no enabled target-tracking policy` })]);
    expect(target.requestCountPerTargetDimensions).toEqual([{ Name: 'TargetGroup', Value: 'targetgroup/web-tg/73e2d6bc24d8a067' }]);
  });

  it('reports a missing group as a note and denied calls as troubles, without throwing', async () => {
    const world = newWorld(5);
    const handlers = worldHandlers(world);
    handlers.DescribePolicies = () => ({ fail: 'deny' });
    const { api } = await connect(handlers);
    const missing = await discover(api, { asg: 'nope' });
    expect(missing.target.asg).toBeNull();
    expect(missing.missing.find((m) => m.part === 'group')).toEqual({
      part: 'group',
      reason: 'Auto Scaling group nope does not exist in us-east-1',
    });
    const denied = await discover(api, { asg: ASG });
    expect(denied.target.asg).toBe(ASG);
    expect(denied.target.policy).toBeNull();
    expect(denied.troubles.map((t) => t.action)).toEqual(['DescribePolicies']);
    expect(denied.missing.find((m) => m.part === 'policy')?.action).toBe('DescribePolicies');
  });

  it("--asg with a ResourceLabel still finds the load balancer's ARN, and reads it when asked", async () => {
    const { api } = await connect(worldHandlers(newWorld(5)));
    const found = await discover(api, { asg: ASG }, { loadBalancer: true });
    expect(found.target.loadBalancerArn).toBe(LB_ARN);
    expect(found.loadBalancer?.LoadBalancerName).toBe('web-alb');
    expect(found.targetGroup?.TargetGroupArn).toBe(TG_ARN);
    expect(found.missing).toEqual([]);
    expect(fake!.calls.find((c) => c.op === 'DescribeLoadBalancers')?.params.LoadBalancerArns).toEqual([LB_ARN]);
  });
});

describe('several target groups: the one the policy tracks is followed, and the choice is said', () => {
  const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-b/0123456789abcdef';
  function twoGroups(label: string | null, alarmTg: string | null) {
    const world = newWorld(5);
    const handlers = worldHandlers(world);
    const base = handlers.DescribeAutoScalingGroups;
    handlers.DescribeAutoScalingGroups = (p) => {
      const reply = base(p) as { body: { AutoScalingGroups: Record<string, unknown>[] } };
      for (const g of reply.body.AutoScalingGroups)
        if (g.AutoScalingGroupName === ASG) {
          g.TargetGroupARNs = [TG_ARN, TG_B];
          g.LoadBalancerNames = ['old-classic'];
        }
      return reply;
    };
    const policies = handlers.DescribePolicies;
    handlers.DescribePolicies = (p) => {
      const reply = policies(p) as { body: { ScalingPolicies: ScalingPolicy[] } };
      const spec = reply.body.ScalingPolicies[0].TargetTrackingConfiguration!.PredefinedMetricSpecification!;
      if (label === null) delete spec.ResourceLabel;
      else spec.ResourceLabel = label;
      return reply;
    };
    const alarms = handlers.DescribeAlarms;
    handlers.DescribeAlarms = (p) => {
      const reply = alarms(p) as { body: { MetricAlarms: { Dimensions?: unknown }[] } };
      for (const a of reply.body.MetricAlarms) a.Dimensions = alarmTg ? [{ Name: 'TargetGroup', Value: alarmTg }] : [];
      return reply;
    };
    const tgs = handlers.DescribeTargetGroups;
    handlers.DescribeTargetGroups = (p) => {
      const arns = p.TargetGroupArns as string[] | undefined;
      if (arns?.[0] === TG_B)
        return { body: { TargetGroups: [{ TargetGroupArn: TG_B, TargetGroupName: 'web-tg-b', Port: 80, LoadBalancerArns: [LB_ARN] }] } };
      return tgs(p);
    };
    return handlers;
  }

  it("follows the second target group when the policy's ResourceLabel names it", async () => {
    const { api } = await connect(twoGroups('app/web-alb/50dc6c495c0c9188/targetgroup/web-tg-b/0123456789abcdef', null));
    const { target, notes } = await discover(api, { asg: ASG });
    expect(target.targetGroupArn).toBe(TG_B);
    expect(target.targetGroupDim).toBe('targetgroup/web-tg-b/0123456789abcdef');
    expect(notes).toContain("following target group web-tg-b of 2: policy rcpt-60's ResourceLabel names it");
    expect(notes.some((n) => /classic load balancer old-classic/.test(n))).toBe(true);
    expect(target.loadBalancerArn).toBe(LB_ARN);
  });

  it('without a label, follows the one its alarm watches', async () => {
    const { api } = await connect(twoGroups(null, 'targetgroup/web-tg-b/0123456789abcdef'));
    const { target, notes } = await discover(api, { asg: ASG });
    expect(target.targetGroupArn).toBe(TG_B);
    expect(notes).toContain("following target group web-tg-b of 2: policy rcpt-60's alarm watches it");
  });

  it('with neither, follows the first and says why', async () => {
    const { api } = await connect(twoGroups(null, null));
    const { target, notes } = await discover(api, { asg: ASG });
    expect(target.targetGroupArn).toBe(TG_ARN);
    expect(notes).toContain("following target group web-tg, the first of 2: no policy's ResourceLabel or alarm names one of them");
  });

  it('a label that names no attached target group is a note, not a silent choice', async () => {
    const { api } = await connect(twoGroups('app/web-alb/50dc6c495c0c9188/targetgroup/gone/ffffffffffffffff', null));
    const { notes } = await discover(api, { asg: ASG });
    expect(notes).toContain(
      "policy rcpt-60's ResourceLabel names targetgroup/gone/ffffffffffffffff, which is not attached to group web-asg",
    );
  });

  it("a label whose load balancer is not the target group's is a note", async () => {
    const { api } = await connect(twoGroups('app/other-alb/1111111111111111/targetgroup/web-tg-b/0123456789abcdef', null));
    const { notes, target } = await discover(api, { asg: ASG });
    expect(target.loadBalancerArn).toBe(LB_ARN);
    expect(notes).toContain(
      "policy rcpt-60's ResourceLabel names load balancer app/other-alb/1111111111111111, but target group web-tg-b is behind app/web-alb/50dc6c495c0c9188",
    );
  });
});
