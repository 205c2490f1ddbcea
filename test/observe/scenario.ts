/**
 * A small, mutable Auto Scaling world served through the fake: one ALB, one
 * target group, one group with a target-tracking policy on
 * ALBRequestCountPerTarget and its two alarms. Tests move it (scale out,
 * flip an alarm, add datapoints) between polls.
 */
import type { Handler, Params, Reply } from './fake-aws.js';

export const REGION = 'us-east-1';
export const ASG = 'web-asg';
export const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188';
export const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067';
export const LB_DNS = 'web-alb-424835706.us-east-1.elb.amazonaws.com';
export const HIGH = 'TargetTracking-web-asg-AlarmHigh-fc0e4183-23ac-497e-9992-691c9980c38e';
export const LOW = 'TargetTracking-web-asg-AlarmLow-61a39305-ed0c-47af-bd9e-471a352ee1a2';
export const POLICY = 'rcpt-60';

export interface World {
  desired: number;
  instances: { InstanceId: string; LifecycleState: string; AvailabilityZone: string; HealthStatus: string }[];
  activities: Record<string, unknown>[];
  alarmState: { high: string; low: string; highChangedAt: Date };
  /** Datapoints per metric label: [periodStartMs, value][]. */
  datapoints: Record<string, [number, number][]>;
  periodSec: number;
  /** DescribeAlarmHistory items (SDK shape, Timestamp a Date). */
  alarmHistory: Record<string, unknown>[];
  /** Extra groups listed by an unfiltered DescribeAutoScalingGroups. */
  otherGroups: Record<string, unknown>[];
}

export function newWorld(periodSec = 5): World {
  return {
    desired: 2,
    instances: [
      { InstanceId: 'i-0aaa1111bbbb22220', LifecycleState: 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy' },
      { InstanceId: 'i-0aaa1111bbbb22221', LifecycleState: 'InService', AvailabilityZone: 'us-east-1b', HealthStatus: 'Healthy' },
    ],
    activities: [],
    alarmState: { high: 'OK', low: 'OK', highChangedAt: new Date(Date.now() - 3_600_000) },
    datapoints: {},
    periodSec,
    alarmHistory: [],
    otherGroups: [
      {
        AutoScalingGroupName: 'unrelated',
        MinSize: 1,
        MaxSize: 1,
        DesiredCapacity: 1,
        TargetGroupARNs: [],
        Instances: [],
        CreatedTime: new Date(0),
        HealthCheckType: 'EC2',
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'],
      },
    ],
  };
}

function group(world: World): Record<string, unknown> {
  return {
    AutoScalingGroupName: ASG,
    MinSize: 1,
    MaxSize: 6,
    DesiredCapacity: world.desired,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    // Only TrafficSources names the target group: discovery must read both.
    TrafficSources: [{ Identifier: TG_ARN, Type: 'elbv2' }],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
    Instances: world.instances.map((i) => ({ ...i, InstanceType: 't3.micro', ProtectedFromScaleIn: false })),
  };
}

function alarm(world: World, name: string, role: 'high' | 'low'): Record<string, unknown> {
  return {
    AlarmName: name,
    StateValue: role === 'high' ? world.alarmState.high : world.alarmState.low,
    StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [70, 80, 137.5], threshold: 60 }),
    StateTransitionedTimestamp: role === 'high' ? world.alarmState.highChangedAt : new Date(Date.now() - 3_600_000),
    StateUpdatedTimestamp: role === 'high' ? world.alarmState.highChangedAt : new Date(Date.now() - 3_600_000),
    MetricName: 'RequestCountPerTarget',
    Namespace: 'AWS/ApplicationELB',
    Statistic: 'Sum',
    // Both dimensions, so a test can tell the observer used the alarm's set and not a default.
    Dimensions: [
      { Name: 'LoadBalancer', Value: 'app/web-alb/50dc6c495c0c9188' },
      { Name: 'TargetGroup', Value: 'targetgroup/web-tg/73e2d6bc24d8a067' },
    ],
    Period: world.periodSec,
    EvaluationPeriods: role === 'high' ? 3 : 15,
    DatapointsToAlarm: role === 'high' ? 3 : 15,
    Threshold: role === 'high' ? 60 : 54,
    ComparisonOperator: role === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
  };
}

const ok = (body: unknown): Reply => ({ body });

export function worldHandlers(world: World): Record<string, Handler> {
  return {
    DescribeAutoScalingGroups: (p: Params) => {
      const names = p.AutoScalingGroupNames as string[] | undefined;
      const all = [group(world), ...world.otherGroups];
      return ok({ AutoScalingGroups: names ? all.filter((g) => names.includes(g.AutoScalingGroupName as string)) : all });
    },
    DescribePolicies: () =>
      ok({
        ScalingPolicies: [
          {
            AutoScalingGroupName: ASG,
            PolicyName: POLICY,
            PolicyARN: `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:autoScalingGroupName/${ASG}:policyName/${POLICY}`,
            PolicyType: 'TargetTrackingScaling',
            Alarms: [
              { AlarmName: HIGH, AlarmARN: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${HIGH}` },
              { AlarmName: LOW, AlarmARN: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${LOW}` },
            ],
            TargetTrackingConfiguration: {
              PredefinedMetricSpecification: {
                PredefinedMetricType: 'ALBRequestCountPerTarget',
                ResourceLabel: 'app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/73e2d6bc24d8a067',
              },
              TargetValue: 60,
              DisableScaleIn: false,
            },
            Enabled: true,
          },
        ],
      }),
    DescribeScalingActivities: () => ok({ Activities: world.activities }),
    DescribeAlarms: (p: Params) => {
      const names = (p.AlarmNames as string[] | undefined) ?? [HIGH, LOW];
      const alarms = [alarm(world, HIGH, 'high'), alarm(world, LOW, 'low')].filter((a) => names.includes(a.AlarmName as string));
      return ok({ MetricAlarms: alarms, CompositeAlarms: [] });
    },
    DescribeAlarmHistory: (p: Params) => ok({ AlarmHistoryItems: world.alarmHistory.filter((h) => h.AlarmName === p.AlarmName) }),
    GetMetricData: (p: Params) => {
      const queries = p.MetricDataQueries as { Id: string; Label: string }[];
      return ok({
        MetricDataResults: queries.map((q) => {
          const points = world.datapoints[q.Label] ?? [];
          return {
            Id: q.Id,
            Label: q.Label,
            Timestamps: points.map(([t]) => new Date(t)),
            Values: points.map(([, v]) => v),
            StatusCode: 'Complete',
          };
        }),
        Messages: [],
      });
    },
    DescribeLoadBalancers: (p: Params) => {
      const names = p.Names as string[] | undefined;
      const lb = {
        LoadBalancerArn: LB_ARN,
        DNSName: LB_DNS,
        LoadBalancerName: 'web-alb',
        Scheme: 'internet-facing',
        Type: 'application',
        State: { Code: 'active' },
        CreatedTime: new Date('2026-01-01T00:00:00Z'),
      };
      if (names && !names.includes('web-alb')) return { fail: 'not-found' };
      return ok({ LoadBalancers: [lb] });
    },
    DescribeTargetGroups: () =>
      ok({
        TargetGroups: [
          {
            TargetGroupArn: TG_ARN,
            TargetGroupName: 'web-tg',
            Protocol: 'HTTP',
            Port: 80,
            LoadBalancerArns: [LB_ARN],
            TargetType: 'instance',
          },
        ],
      }),
  };
}

/** A scale-out activity as Auto Scaling writes it. */
export function scaleOutActivity(id: string, startedAt: Date, from: number, to: number, status = 'InProgress'): Record<string, unknown> {
  const iso = startedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ActivityId: id,
    AutoScalingGroupName: ASG,
    Description: 'Launching a new EC2 instance: i-0abc1234def567890',
    Cause: `At ${iso} a monitor alarm ${HIGH} in state ALARM triggered policy ${POLICY} changing the desired capacity from ${from} to ${to}.  At ${iso} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
    StartTime: startedAt,
    StatusCode: status,
    Progress: status === 'Successful' ? 100 : 30,
    Details: JSON.stringify({ 'Subnet ID': 'subnet-1', 'Availability Zone': 'us-east-1a' }),
    ...(status === 'Successful' ? { EndTime: new Date(startedAt.getTime() + 2000) } : {}),
  };
}
