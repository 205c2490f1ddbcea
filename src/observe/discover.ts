/**
 * Discovery: from --asg, --target-group or an ALB DNS name to everything a
 * poll needs (group, target group, load balancer, the target-tracking policy,
 * its alarms and their period and dimensions). The pure pickers below are
 * table-tested; `discover` strings them together over an AwsApi.
 */
import type { AutoScalingGroup, ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { cloudWatchMetricName } from '../stats/policy-metric.js';
import type { AlarmInfo } from '../stats/result.js';
import type { AwsApi } from './aws.js';
import { loadBalancerDimension, parseAlbHost, parseResourceLabel, sameDnsName, targetGroupDimension } from './arn.js';

export interface Dimension {
  Name: string;
  Value: string;
}

/** What discovery found: the inputs of every poll. */
export interface ObservedTarget {
  asg: string | null;
  targetGroupArn: string | null;
  loadBalancerArn: string | null;
  /** `targetgroup/<name>/<id>` */
  targetGroupDim: string | null;
  /** `app/<name>/<id>` */
  loadBalancerDim: string | null;
  policy: { name: string; targetValue: number; metric: string; resourceLabel?: string } | null;
  alarmNames: string[];
  alarms: AlarmInfo[];
  /** RequestCountPerTarget's dimensions exactly as the policy's alarm has them (else TargetGroup alone). */
  requestCountPerTargetDimensions: Dimension[] | null;
  /** The alarm's Period (seconds); 60 when no alarm says otherwise. */
  periodSec: number;
}

export function emptyTarget(): ObservedTarget {
  return {
    asg: null,
    targetGroupArn: null,
    loadBalancerArn: null,
    targetGroupDim: null,
    loadBalancerDim: null,
    policy: null,
    alarmNames: [],
    alarms: [],
    requestCountPerTargetDimensions: null,
    periodSec: 60,
  };
}

/** The elbv2 target group ARNs a group is attached to: TargetGroupARNs plus elbv2 TrafficSources. */
export function targetGroupsOf(group: AutoScalingGroup): string[] {
  const arns = new Set<string>(group.TargetGroupARNs ?? []);
  for (const source of group.TrafficSources ?? []) {
    if (source.Identifier && (source.Type === 'elbv2' || source.Type === undefined) && targetGroupDimension(source.Identifier)) {
      arns.add(source.Identifier);
    }
  }
  return [...arns];
}

/** DescribeAutoScalingGroups has no target-group filter: the groups attached to `targetGroupArn`, found client-side. */
export function groupsHoldingTargetGroup(groups: AutoScalingGroup[], targetGroupArn: string): AutoScalingGroup[] {
  return groups.filter((group) => targetGroupsOf(group).includes(targetGroupArn));
}

/**
 * The target-tracking policy to follow: an enabled ALBRequestCountPerTarget
 * policy on this target group first, then any enabled target-tracking policy.
 */
export function pickPolicy(policies: ScalingPolicy[], targetGroupDim: string | null): ScalingPolicy | null {
  const tracking = policies.filter((p) => p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingConfiguration && p.Enabled !== false);
  const onThisGroup = tracking.find((p) => {
    const spec = p.TargetTrackingConfiguration?.PredefinedMetricSpecification;
    return (
      spec?.PredefinedMetricType === 'ALBRequestCountPerTarget' && (!targetGroupDim || (spec.ResourceLabel ?? '').endsWith(targetGroupDim))
    );
  });
  return (
    onThisGroup ??
    tracking.find(
      (p) => p.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === 'ALBRequestCountPerTarget',
    ) ??
    tracking[0] ??
    null
  );
}

/**
 * The policy's metric as CloudWatch names it (ALBRequestCountPerTarget → RequestCountPerTarget).
 * A target-tracking policy has either a predefined or a customized metric, never both.
 */
function policyMetricName(policy: ScalingPolicy): string {
  const config = policy.TargetTrackingConfiguration;
  const predefined = config?.PredefinedMetricSpecification?.PredefinedMetricType;
  if (predefined) return cloudWatchMetricName(predefined);
  return config?.CustomizedMetricSpecification?.MetricName ?? 'unknown';
}

/** Target tracking names its alarms TargetTracking-<group>-AlarmHigh-<uuid> / -AlarmLow-<uuid>. */
export function alarmRole(name: string): AlarmInfo['role'] {
  if (/-AlarmHigh-/.test(name)) return 'high';
  if (/-AlarmLow-/.test(name)) return 'low';
  return 'other';
}

export function toAlarmInfo(alarm: MetricAlarm): AlarmInfo {
  const name = alarm.AlarmName ?? '(unnamed)';
  const evaluationPeriods = alarm.EvaluationPeriods ?? 1;
  return {
    name,
    role: alarmRole(name),
    metric: alarm.MetricName ?? alarm.Metrics?.find((m) => m.ReturnData !== false)?.MetricStat?.Metric?.MetricName ?? 'unknown',
    threshold: alarm.Threshold ?? Number.NaN,
    comparison: alarm.ComparisonOperator ?? 'unknown',
    periodSec: alarm.Period ?? alarm.Metrics?.find((m) => m.MetricStat?.Period)?.MetricStat?.Period ?? 60,
    evaluationPeriods,
    // DatapointsToAlarm is absent when it equals EvaluationPeriods.
    datapointsToAlarm: alarm.DatapointsToAlarm ?? evaluationPeriods,
    state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
  };
}

/** The dimensions of the alarm's metric, when it watches RequestCountPerTarget. */
function alarmDimensions(alarm: MetricAlarm): Dimension[] | null {
  const dims =
    alarm.Dimensions ??
    alarm.Metrics?.find((m) => m.MetricStat?.Metric?.MetricName === 'RequestCountPerTarget')?.MetricStat?.Metric?.Dimensions;
  if (!dims || dims.length === 0) return null;
  const clean = dims.filter((d): d is Dimension => typeof d.Name === 'string' && typeof d.Value === 'string');
  return clean.length ? clean : null;
}

/** A load balancer whose DNSName is `dnsName` (case, trailing dot and dualstack. ignored). */
function findLoadBalancerByDns(loadBalancers: LoadBalancer[], dnsName: string): LoadBalancer | null {
  return loadBalancers.find((lb) => lb.DNSName && sameDnsName(lb.DNSName, dnsName)) ?? null;
}

export interface DiscoverInput {
  asg?: string;
  targetGroupArn?: string;
  url?: URL;
}

/** A step that failed; discovery goes on where it can, and the observer turns these into warnings. */
export interface DiscoveryTrouble {
  action: string;
  error: unknown;
}

export interface DiscoveryOutcome {
  target: ObservedTarget;
  troubles: DiscoveryTrouble[];
  /** Human-readable notes (no group holds the target group, no target-tracking policy...). */
  notes: string[];
}

async function attempt<T>(troubles: DiscoveryTrouble[], action: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    troubles.push({ action, error });
    return undefined;
  }
}

async function allGroups(api: AwsApi, signal?: AbortSignal): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  let token: string | undefined;
  // Bounded: 20 pages of 100 groups is far beyond any account's normal size.
  for (let page = 0; page < 20; page++) {
    const out = await api.describeAutoScalingGroups({ MaxRecords: 100, ...(token ? { NextToken: token } : {}) }, signal);
    groups.push(...(out.AutoScalingGroups ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return groups;
}

async function loadBalancerForHost(
  api: AwsApi,
  host: string,
  troubles: DiscoveryTrouble[],
  signal?: AbortSignal,
): Promise<LoadBalancer | null> {
  const parsed = parseAlbHost(host);
  if (!parsed) return null;
  // Names=[candidate] is one cheap call; a wrong guess answers LoadBalancerNotFound.
  try {
    const byName = await api.describeLoadBalancers({ Names: [parsed.nameCandidate] }, signal);
    const hit = findLoadBalancerByDns(byName.LoadBalancers ?? [], parsed.dnsName);
    if (hit) return hit;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (!/NotFound/.test(name) && name !== 'ValidationError') {
      troubles.push({ action: 'DescribeLoadBalancers', error });
      return null;
    }
  }
  // There is no DNSName filter: list and match.
  return (
    (await attempt(troubles, 'DescribeLoadBalancers', async () => {
      let marker: string | undefined;
      for (let page = 0; page < 20; page++) {
        const out = await api.describeLoadBalancers({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }, signal);
        const hit = findLoadBalancerByDns(out.LoadBalancers ?? [], parsed.dnsName);
        if (hit) return hit;
        marker = out.NextMarker;
        if (!marker) break;
      }
      return null;
    })) ?? null
  );
}

/**
 * Finds the group, target group, load balancer, policy and alarms. Never
 * throws: each failed call is a trouble, and what could be found is returned.
 */
export async function discover(api: AwsApi, input: DiscoverInput, signal?: AbortSignal): Promise<DiscoveryOutcome> {
  const target = emptyTarget();
  const troubles: DiscoveryTrouble[] = [];
  const notes: string[] = [];
  let group: AutoScalingGroup | undefined;

  if (input.targetGroupArn) {
    target.targetGroupArn = input.targetGroupArn;
  }
  // Route 1: an ALB DNS name in the URL, when neither --asg nor --target-group says more.
  if (!input.asg && !input.targetGroupArn && input.url) {
    const lb = await loadBalancerForHost(api, input.url.hostname, troubles, signal);
    if (lb?.LoadBalancerArn) {
      target.loadBalancerArn = lb.LoadBalancerArn;
      const tgs = await attempt(troubles, 'DescribeTargetGroups', () =>
        api.describeTargetGroups({ LoadBalancerArn: lb.LoadBalancerArn }, signal),
      );
      const arns = (tgs?.TargetGroups ?? []).map((tg) => tg.TargetGroupArn).filter((a): a is string => Boolean(a));
      if (arns.length > 1)
        notes.push(`load balancer has ${arns.length} target groups; following the one attached to an Auto Scaling group`);
      if (arns.length) {
        const groups = await attempt(troubles, 'DescribeAutoScalingGroups', () => allGroups(api, signal));
        if (groups) {
          for (const arn of arns) {
            const holders = groupsHoldingTargetGroup(groups, arn);
            if (holders.length) {
              target.targetGroupArn = arn;
              group = holders[0];
              break;
            }
          }
          if (!group)
            notes.push(
              `no Auto Scaling group is attached to ${arns.length === 1 ? 'the target group' : 'any target group'} of ${lb.LoadBalancerName ?? 'the load balancer'}`,
            );
        }
        target.targetGroupArn ??= arns[0];
      }
    } else if (troubles.length === 0) {
      notes.push(`no load balancer answers to ${input.url.hostname} in ${api.region}`);
    }
  }
  // Route 2: --target-group without --asg.
  if (!input.asg && input.targetGroupArn && !group) {
    const groups = await attempt(troubles, 'DescribeAutoScalingGroups', () => allGroups(api, signal));
    group = groups ? groupsHoldingTargetGroup(groups, input.targetGroupArn)[0] : undefined;
    if (groups && !group) notes.push('no Auto Scaling group is attached to the target group');
  }
  // Route 3: --asg.
  if (input.asg) {
    const out = await attempt(troubles, 'DescribeAutoScalingGroups', () =>
      api.describeAutoScalingGroups({ AutoScalingGroupNames: [input.asg!] }, signal),
    );
    group = out?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === input.asg);
    if (out && !group) notes.push(`Auto Scaling group ${input.asg} does not exist in ${api.region}`);
  }

  if (group?.AutoScalingGroupName) {
    target.asg = group.AutoScalingGroupName;
    const attached = targetGroupsOf(group);
    if (!target.targetGroupArn && attached.length) target.targetGroupArn = attached[0]!;
    const policies = await attempt(troubles, 'DescribePolicies', () =>
      api.describePolicies({ AutoScalingGroupName: target.asg!, PolicyTypes: ['TargetTrackingScaling'] }, signal),
    );
    const tgDimSoFar = target.targetGroupArn ? targetGroupDimension(target.targetGroupArn) : null;
    const policy = policies ? pickPolicy(policies.ScalingPolicies ?? [], tgDimSoFar) : null;
    if (policies && !policy) notes.push(`group ${target.asg} has no target-tracking policy`);
    if (policy && !Number.isFinite(policy.TargetTrackingConfiguration?.TargetValue)) {
      notes.push(`policy ${policy.PolicyName ?? '(unnamed)'} has no TargetValue; following the group without a target`);
    } else if (policy) {
      const spec = policy.TargetTrackingConfiguration?.PredefinedMetricSpecification;
      target.policy = {
        name: policy.PolicyName ?? '(unnamed)',
        targetValue: policy.TargetTrackingConfiguration!.TargetValue!,
        metric: policyMetricName(policy),
        ...(spec?.ResourceLabel ? { resourceLabel: spec.ResourceLabel } : {}),
      };
      target.alarmNames = (policy.Alarms ?? []).map((a) => a.AlarmName).filter((n): n is string => Boolean(n));
      const label = spec?.ResourceLabel ? parseResourceLabel(spec.ResourceLabel) : null;
      if (label) {
        target.loadBalancerDim ??= label.loadBalancer;
        target.targetGroupDim ??= label.targetGroup;
      }
    }
  }

  if (target.targetGroupArn) target.targetGroupDim = targetGroupDimension(target.targetGroupArn) ?? target.targetGroupDim;
  if (target.loadBalancerArn) target.loadBalancerDim = loadBalancerDimension(target.loadBalancerArn) ?? target.loadBalancerDim;
  // HealthyHostCount has no TargetGroup-only dimension set: find the load balancer when only the target group is known.
  if (target.targetGroupArn && !target.loadBalancerDim) {
    const tgs = await attempt(troubles, 'DescribeTargetGroups', () =>
      api.describeTargetGroups({ TargetGroupArns: [target.targetGroupArn!] }, signal),
    );
    const lbArn = tgs?.TargetGroups?.[0]?.LoadBalancerArns?.[0];
    if (lbArn) {
      target.loadBalancerArn = lbArn;
      target.loadBalancerDim = loadBalancerDimension(lbArn);
    }
  }

  if (target.alarmNames.length) {
    const alarms = await attempt(troubles, 'DescribeAlarms', () => api.describeAlarms({ AlarmNames: target.alarmNames }, signal));
    applyAlarms(target, alarms?.MetricAlarms ?? []);
  }
  if (!target.requestCountPerTargetDimensions && target.targetGroupDim) {
    target.requestCountPerTargetDimensions = [{ Name: 'TargetGroup', Value: target.targetGroupDim }];
  }
  return { target, troubles, notes };
}

/** Folds DescribeAlarms output into the target: infos, the RequestCountPerTarget dimensions and the period. */
export function applyAlarms(target: ObservedTarget, alarms: MetricAlarm[]): void {
  if (alarms.length === 0) return;
  // An alarm without a threshold (only a broken answer has one) cannot be shown against anything.
  target.alarms = alarms.filter((a) => Number.isFinite(a.Threshold)).map(toAlarmInfo);
  const high = alarms.find((a) => alarmRole(a.AlarmName ?? '') === 'high') ?? alarms[0];
  const dims = alarmDimensions(high);
  if (dims && (high.MetricName === 'RequestCountPerTarget' || !high.MetricName)) target.requestCountPerTargetDimensions = dims;
  const period = toAlarmInfo(high).periodSec;
  if (period > 0) target.periodSec = period;
}
