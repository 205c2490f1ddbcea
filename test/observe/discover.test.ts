import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import { createAwsApi, type AwsApi } from '../../src/observe/aws.js';
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
    const { target, troubles } = await discover(api, { asg: 'de-c1w3-asg' });
    expect(target.asg).toBe('de-c1w3-asg');
    expect(target.targetGroupArn).toBe('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/de-c1w3-tg/943f017f100becff');
    expect(target.targetGroupDim).toBe('targetgroup/de-c1w3-tg/943f017f100becff');
    // The load balancer comes from the policy's ResourceLabel, so DescribeTargetGroups is never needed.
    expect(target.loadBalancerDim).toBe('app/de-c1w3-alb/778d41231b141a0f');
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
    expect(troubles).toEqual([]);
    expect(fake!.calls.map((c) => c.op)).toEqual(['DescribeAutoScalingGroups', 'DescribePolicies', 'DescribeAlarms']);
    expect(fake!.calls[1].params).toMatchObject({ AutoScalingGroupName: 'de-c1w3-asg', PolicyTypes: ['TargetTrackingScaling'] });
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
    const { target, notes } = await discover(api, { targetGroupArn: TG_ARN });
    expect(target.asg).toBe(ASG);
    expect(target.loadBalancerArn).toBe(LB_ARN);
    expect(target.policy).toBeNull();
    expect(notes).toEqual([`group ${ASG} has no target-tracking policy`]);
    expect(target.requestCountPerTargetDimensions).toEqual([{ Name: 'TargetGroup', Value: 'targetgroup/web-tg/73e2d6bc24d8a067' }]);
  });

  it('reports a missing group as a note and denied calls as troubles, without throwing', async () => {
    const world = newWorld(5);
    const handlers = worldHandlers(world);
    handlers.DescribePolicies = () => ({ fail: 'deny' });
    const { api } = await connect(handlers);
    const missing = await discover(api, { asg: 'nope' });
    expect(missing.target.asg).toBeNull();
    expect(missing.notes).toEqual(['Auto Scaling group nope does not exist in us-east-1']);
    const denied = await discover(api, { asg: ASG });
    expect(denied.target.asg).toBe(ASG);
    expect(denied.target.policy).toBeNull();
    expect(denied.troubles.map((t) => t.action)).toEqual(['DescribePolicies']);
  });
});
