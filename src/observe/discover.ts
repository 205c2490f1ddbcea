/**
 * Discovery: from --asg, --target-group or an ALB DNS name to the group,
 * target group, load balancer (its ARN, not only a metric dimension), the
 * group's scaling policies, the target-tracking one to follow and its alarms,
 * with a list of what could not be found and why. The observer polls from
 * it, `abx check` reads on from it, and the fleet takes its subnets from it.
 * The pure pickers below are table-tested; `discover` strings them together
 * over an AwsApi.
 */
import type { AutoScalingGroup, ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsApi } from '../aws/clients.js';
import { classifyAwsError } from '../aws/errors.js';
import { cloudWatchMetricName } from '../stats/policy-metric.js';
import type { AlarmInfo } from '../stats/result.js';
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

/** Classic load balancers a group is attached to (LoadBalancerNames, and `elb` traffic sources): abx reads none of them. */
export function classicLoadBalancersOf(group: AutoScalingGroup): string[] {
  const names = new Set<string>(group.LoadBalancerNames ?? []);
  for (const source of group.TrafficSources ?? []) if (source.Type === 'elb' && source.Identifier) names.add(source.Identifier);
  return [...names];
}

/** DescribeAutoScalingGroups has no target-group filter: the groups attached to `targetGroupArn`, found client-side. */
export function groupsHoldingTargetGroup(groups: AutoScalingGroup[], targetGroupArn: string): AutoScalingGroup[] {
  return groups.filter((group) => targetGroupsOf(group).includes(targetGroupArn));
}

function isRequestTracking(p: ScalingPolicy): boolean {
  return p.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === 'ALBRequestCountPerTarget';
}

/**
 * The target-tracking policy to follow: an enabled ALBRequestCountPerTarget
 * policy on this target group first, then any enabled ALBRequestCountPerTarget
 * policy, then any enabled target-tracking policy.
 */
export function pickPolicy(policies: ScalingPolicy[], targetGroupDim: string | null): ScalingPolicy | null {
  const tracking = policies.filter((p) => p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingConfiguration && p.Enabled !== false);
  const onThisGroup = tracking.find((p) => {
    const label = p.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel ?? '';
    return isRequestTracking(p) && (!targetGroupDim || label.endsWith(targetGroupDim));
  });
  return onThisGroup ?? tracking.find(isRequestTracking) ?? tracking[0] ?? null;
}

/** The target group among `candidates` (ARNs) that a policy's ResourceLabel names, or null. */
export function targetGroupNamedByLabel(candidates: readonly string[], label: string | undefined): string | null {
  const parsed = label ? parseResourceLabel(label) : null;
  if (!parsed) return null;
  return candidates.find((arn) => targetGroupDimension(arn) === parsed.targetGroup) ?? null;
}

/** The target group among `candidates` that an alarm's TargetGroup dimension names, or null. */
export function targetGroupNamedByAlarms(candidates: readonly string[], alarms: readonly MetricAlarm[]): string | null {
  for (const alarm of alarms) {
    const dim = alarmDimensions(alarm)?.find((d) => d.Name === 'TargetGroup')?.Value;
    const hit = dim ? candidates.find((arn) => targetGroupDimension(arn) === dim) : undefined;
    if (hit) return hit;
  }
  return null;
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

/** The short name in a target group ARN, for a note: `targetgroup/web-tg/73e2…` → `web-tg`. */
function tgName(arn: string): string {
  return targetGroupDimension(arn)?.split('/')[1] ?? arn;
}

export interface DiscoverInput {
  asg?: string;
  targetGroupArn?: string;
  url?: URL;
}

export interface DiscoverOptions {
  /** Also read the load balancer itself (its security groups and zones), not only its ARN: `abx check` and the fleet need it. */
  loadBalancer?: boolean;
  signal?: AbortSignal;
}

/** A step that failed; discovery goes on where it can, and the caller says it (a warning, a SKIP). */
export interface DiscoveryTrouble {
  action: string;
  error: unknown;
}

/** What discovery looks for. */
export type DiscoveryPart = 'group' | 'targetGroup' | 'loadBalancer' | 'policy' | 'alarms';

/** Something discovery did not find, and why. */
export interface Missing {
  part: DiscoveryPart;
  /** One line: the resource that is not there, or the call that failed. */
  reason: string;
  /** The call whose failure is the reason (its trouble is in `troubles` too). */
  action?: string;
}

export interface DiscoveryOutcome {
  target: ObservedTarget;
  /** The group as DescribeAutoScalingGroups answered; null when not found. */
  group: AutoScalingGroup | null;
  /** The followed target group as DescribeTargetGroups answered; null when not read. */
  targetGroup: TargetGroup | null;
  /** The load balancer as DescribeLoadBalancers answered (with options.loadBalancer, or when found from its DNS name). */
  loadBalancer: LoadBalancer | null;
  /** Every scaling policy of the group (all types); null when not read. */
  policies: ScalingPolicy[] | null;
  /** The followed policy's alarms as DescribeAlarms answered; null when not read. */
  alarms: MetricAlarm[] | null;
  missing: Missing[];
  troubles: DiscoveryTrouble[];
  /** Human-readable notes: which target group is followed and why, a label that does not match, a classic load balancer… */
  notes: string[];
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

async function allPolicies(api: AwsApi, asg: string, signal?: AbortSignal): Promise<ScalingPolicy[]> {
  const policies: ScalingPolicy[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await api.describePolicies({ AutoScalingGroupName: asg, MaxRecords: 100, ...(token ? { NextToken: token } : {}) }, signal);
    policies.push(...(out.ScalingPolicies ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return policies;
}

/** The discovery being built: what was found so far, and the bookkeeping of what was not. */
class Finding {
  readonly target = emptyTarget();
  group: AutoScalingGroup | null = null;
  targetGroup: TargetGroup | null = null;
  loadBalancer: LoadBalancer | null = null;
  policies: ScalingPolicy[] | null = null;
  alarms: MetricAlarm[] | null = null;
  readonly missing: Missing[] = [];
  readonly troubles: DiscoveryTrouble[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly api: AwsApi,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Runs one call; a failure is a trouble, and (when `part` is given) the reason that part is missing. */
  async attempt<T>(action: string, part: DiscoveryPart | null, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      this.troubles.push({ action, error });
      if (part) this.miss(part, `could not read it: ${classifyAwsError(error, action).message}`, action);
      return undefined;
    }
  }

  miss(part: DiscoveryPart, reason: string, action?: string): void {
    if (this.missing.some((m) => m.part === part)) return;
    this.missing.push({ part, reason, ...(action ? { action } : {}) });
  }

  outcome(): DiscoveryOutcome {
    const t = this.target;
    if (!t.asg) this.miss('group', 'no Auto Scaling group found');
    if (!t.targetGroupArn) this.miss('targetGroup', 'no target group found');
    if (!t.loadBalancerArn) this.miss('loadBalancer', 'no load balancer found');
    if (!t.policy && t.asg && this.policies) this.miss('policy', `group ${t.asg} has no enabled target-tracking policy`);
    return {
      target: t,
      group: this.group,
      targetGroup: this.targetGroup,
      loadBalancer: this.loadBalancer,
      policies: this.policies,
      alarms: this.alarms,
      missing: this.missing,
      troubles: this.troubles,
      notes: this.notes,
    };
  }
}

async function loadBalancerForHost(f: Finding, host: string): Promise<LoadBalancer | null> {
  const parsed = parseAlbHost(host);
  if (!parsed) return null;
  const { api, signal } = f;
  // Names=[candidate] is one cheap call; a wrong guess answers LoadBalancerNotFound.
  try {
    const byName = await api.describeLoadBalancers({ Names: [parsed.nameCandidate] }, signal);
    const hit = findLoadBalancerByDns(byName.LoadBalancers ?? [], parsed.dnsName);
    if (hit) return hit;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (!/NotFound/.test(name) && name !== 'ValidationError') {
      f.troubles.push({ action: 'DescribeLoadBalancers', error });
      f.miss('loadBalancer', `could not read it: ${classifyAwsError(error, 'DescribeLoadBalancers').message}`, 'DescribeLoadBalancers');
      return null;
    }
  }
  // There is no DNSName filter: list and match.
  const found = await f.attempt('DescribeLoadBalancers', 'loadBalancer', async () => {
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out = await api.describeLoadBalancers({ PageSize: 400, ...(marker ? { Marker: marker } : {}) }, signal);
      const hit = findLoadBalancerByDns(out.LoadBalancers ?? [], parsed.dnsName);
      if (hit) return hit;
      marker = out.NextMarker;
      if (!marker) break;
    }
    return null;
  });
  if (found === null) f.miss('loadBalancer', `no load balancer answers to ${host} in ${api.region}`);
  return found ?? null;
}

/**
 * Finds the group, target group, load balancer, policies and alarms. Never
 * throws: each failed call is a trouble (and the reason for what it left
 * missing), and what could be found is returned.
 */
export async function discover(api: AwsApi, input: DiscoverInput, options: DiscoverOptions = {}): Promise<DiscoveryOutcome> {
  const f = new Finding(api, options.signal);
  const { target } = f;
  const signal = options.signal;
  /** The target groups the followed one is chosen from. */
  let candidates: string[] = [];
  /** The ALB's own target groups (the URL route), to keep the choice on that load balancer. */
  let lbTargetGroups: TargetGroup[] | null = null;

  // Route 1: an ALB DNS name in the URL, when neither --asg nor --target-group says more.
  if (!input.asg && !input.targetGroupArn && input.url) {
    const lb = await loadBalancerForHost(f, input.url.hostname);
    if (lb?.LoadBalancerArn) {
      f.loadBalancer = lb;
      target.loadBalancerArn = lb.LoadBalancerArn;
      const tgs = await f.attempt('DescribeTargetGroups', 'targetGroup', () =>
        api.describeTargetGroups({ LoadBalancerArn: lb.LoadBalancerArn }, signal),
      );
      lbTargetGroups = tgs?.TargetGroups ?? null;
      const arns = (lbTargetGroups ?? []).map((tg) => tg.TargetGroupArn).filter((a): a is string => Boolean(a));
      if (tgs && arns.length === 0) f.miss('targetGroup', `load balancer ${lb.LoadBalancerName ?? lb.LoadBalancerArn} has no target group`);
      if (arns.length) {
        const groups = await f.attempt('DescribeAutoScalingGroups', 'group', () => allGroups(api, signal));
        if (groups) {
          const holders = groups.filter((g) => targetGroupsOf(g).some((arn) => arns.includes(arn)));
          f.group = holders[0] ?? null;
          if (holders.length > 1) {
            f.notes.push(
              `${holders.length} Auto Scaling groups are behind ${lb.LoadBalancerName ?? 'the load balancer'}: following ${holders[0].AutoScalingGroupName ?? '?'} (pass --asg to choose)`,
            );
          }
          if (!f.group) {
            f.miss(
              'group',
              `no Auto Scaling group is attached to ${arns.length === 1 ? 'the target group' : 'any target group'} of ${lb.LoadBalancerName ?? 'the load balancer'}`,
            );
          }
        }
        candidates = f.group ? targetGroupsOf(f.group).filter((arn) => arns.includes(arn)) : arns;
      }
    }
  }
  // Route 2: --target-group without --asg.
  if (!input.asg && input.targetGroupArn) {
    candidates = [input.targetGroupArn];
    const groups = await f.attempt('DescribeAutoScalingGroups', 'group', () => allGroups(api, signal));
    if (groups) {
      const holders = groupsHoldingTargetGroup(groups, input.targetGroupArn);
      f.group = holders[0] ?? null;
      if (!f.group) f.miss('group', `no Auto Scaling group is attached to target group ${tgName(input.targetGroupArn)}`);
      if (holders.length > 1) {
        f.notes.push(
          `${holders.length} Auto Scaling groups are attached to target group ${tgName(input.targetGroupArn)}: following ${holders[0].AutoScalingGroupName ?? '?'} (pass --asg to choose)`,
        );
      }
    }
  }
  // Route 3: --asg.
  if (input.asg) {
    const out = await f.attempt('DescribeAutoScalingGroups', 'group', () =>
      api.describeAutoScalingGroups({ AutoScalingGroupNames: [input.asg!] }, signal),
    );
    f.group = out?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === input.asg) ?? null;
    if (out && !f.group) f.miss('group', `Auto Scaling group ${input.asg} does not exist in ${api.region}`);
  }

  const group = f.group;
  if (group?.AutoScalingGroupName) {
    target.asg = group.AutoScalingGroupName;
    const attached = targetGroupsOf(group);
    const classic = classicLoadBalancersOf(group);
    if (classic.length) {
      f.notes.push(
        `group ${target.asg} is also behind classic load balancer${classic.length > 1 ? 's' : ''} ${classic.join(', ')}: abx reads Application Load Balancer target groups only`,
      );
    }
    if (!input.url || input.asg || input.targetGroupArn) candidates = input.targetGroupArn ? [input.targetGroupArn] : attached;
    if (attached.length === 0 && !input.targetGroupArn) {
      f.miss(
        'targetGroup',
        `group ${target.asg} is attached to no target group${classic.length ? ' (only to a classic load balancer)' : ''}`,
      );
    }
    f.policies = (await f.attempt('DescribePolicies', 'policy', () => allPolicies(api, target.asg!, signal))) ?? null;
  }

  await followPolicy(f, candidates, input);
  await findLoadBalancer(f, options.loadBalancer === true, lbTargetGroups);
  crossCheckLabel(f);
  if (!target.requestCountPerTargetDimensions && target.targetGroupDim) {
    target.requestCountPerTargetDimensions = [{ Name: 'TargetGroup', Value: target.targetGroupDim }];
  }
  return f.outcome();
}

/**
 * Picks the policy and, among several target groups, the one to follow: the
 * one the policy's ResourceLabel names, else the one its alarms watch, else
 * the first; the choice and its reason are a note whenever there was one to make.
 */
async function followPolicy(f: Finding, candidates: string[], input: DiscoverInput): Promise<void> {
  const { target, api, signal } = f;
  const policies = f.policies ?? [];
  const labelled = policies.filter(
    (p) => p.PolicyType === 'TargetTrackingScaling' && p.Enabled !== false && targetGroupNamedByLabel(candidates, labelOf(p)) !== null,
  );
  const policy = labelled[0] ?? pickPolicy(policies, null);
  let chosen: string | null = policy ? targetGroupNamedByLabel(candidates, labelOf(policy)) : null;
  let why = chosen && policy ? `policy ${policy.PolicyName ?? '?'}'s ResourceLabel names it` : '';

  if (policy && !Number.isFinite(policy.TargetTrackingConfiguration?.TargetValue)) {
    f.notes.push(`policy ${policy.PolicyName ?? '(unnamed)'} has no TargetValue; following the group without a target`);
    f.miss('policy', `policy ${policy.PolicyName ?? '(unnamed)'} has no TargetValue`);
  } else if (policy) {
    const spec = policy.TargetTrackingConfiguration?.PredefinedMetricSpecification;
    target.policy = {
      name: policy.PolicyName ?? '(unnamed)',
      targetValue: policy.TargetTrackingConfiguration!.TargetValue!,
      metric: policyMetricName(policy),
      ...(spec?.ResourceLabel ? { resourceLabel: spec.ResourceLabel } : {}),
    };
    target.alarmNames = (policy.Alarms ?? []).map((a) => a.AlarmName).filter((n): n is string => Boolean(n));
    if (target.alarmNames.length) {
      const out = await f.attempt('DescribeAlarms', 'alarms', () => api.describeAlarms({ AlarmNames: target.alarmNames }, signal));
      if (out) {
        f.alarms = out.MetricAlarms ?? [];
        applyAlarms(target, f.alarms);
        if (f.alarms.length === 0) f.miss('alarms', `DescribeAlarms knows none of policy ${target.policy.name}'s alarms`);
      }
    } else {
      f.miss('alarms', `policy ${target.policy.name} lists no CloudWatch alarms: abx cannot say when it would act`);
    }
    if (!chosen && f.alarms && candidates.length > 1) {
      chosen = targetGroupNamedByAlarms(candidates, f.alarms);
      if (chosen) why = `policy ${target.policy.name}'s alarm watches it`;
    }
  }

  if (input.targetGroupArn) {
    target.targetGroupArn = input.targetGroupArn;
    const label = policy ? parseResourceLabel(labelOf(policy) ?? '') : null;
    if (label && label.targetGroup !== targetGroupDimension(input.targetGroupArn)) {
      f.notes.push(
        `policy ${policy?.PolicyName ?? '?'} tracks ${label.targetGroup}, not the --target-group given (${tgName(input.targetGroupArn)}): following the one given`,
      );
    }
  } else if (chosen) {
    target.targetGroupArn = chosen;
    if (candidates.length > 1) f.notes.push(`following target group ${tgName(chosen)} of ${candidates.length}: ${why}`);
  } else if (candidates.length) {
    target.targetGroupArn = candidates[0];
    if (candidates.length > 1) {
      f.notes.push(
        `following target group ${tgName(candidates[0])}, the first of ${candidates.length}: no policy's ResourceLabel or alarm names one of them`,
      );
    }
  }
  if (target.targetGroupArn) target.targetGroupDim = targetGroupDimension(target.targetGroupArn);
}

function labelOf(policy: ScalingPolicy): string | undefined {
  return policy.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel;
}

/**
 * The load balancer's ARN from the followed target group (always: a
 * dimension from the policy's label is not enough to read the load balancer),
 * and with `read`, the load balancer itself.
 */
async function findLoadBalancer(f: Finding, read: boolean, lbTargetGroups: TargetGroup[] | null): Promise<void> {
  const { target, api, signal } = f;
  const tgArn = target.targetGroupArn;
  if (tgArn) {
    f.targetGroup = lbTargetGroups?.find((tg) => tg.TargetGroupArn === tgArn) ?? null;
    if (!f.targetGroup) {
      const out = await f.attempt('DescribeTargetGroups', 'targetGroup', () =>
        api.describeTargetGroups({ TargetGroupArns: [tgArn] }, signal),
      );
      f.targetGroup = out?.TargetGroups?.find((tg) => tg.TargetGroupArn === tgArn) ?? out?.TargetGroups?.[0] ?? null;
      if (out && !f.targetGroup) f.miss('targetGroup', `target group ${tgName(tgArn)} does not exist in ${api.region}`);
    }
    // Some answers list a load balancer once per listener: count load balancers, not mentions.
    const lbArns = [...new Set(f.targetGroup?.LoadBalancerArns ?? [])];
    if (!target.loadBalancerArn && lbArns.length) {
      target.loadBalancerArn = lbArns[0];
      if (lbArns.length > 1) f.notes.push(`target group ${tgName(tgArn)} is behind ${lbArns.length} load balancers: reading the first`);
    }
    if (f.targetGroup && lbArns.length === 0) f.miss('loadBalancer', `target group ${tgName(tgArn)} is not behind a load balancer`);
    if (!target.loadBalancerArn && f.missing.some((m) => m.part === 'targetGroup' && m.action)) {
      // The target group could not be read: the load balancer is not known either, for the same reason.
      const why = f.missing.find((m) => m.part === 'targetGroup')!;
      f.miss('loadBalancer', why.reason, why.action);
    }
  }
  if (target.loadBalancerArn) {
    target.loadBalancerDim = loadBalancerDimension(target.loadBalancerArn);
    if (read && !f.loadBalancer) {
      const out = await f.attempt('DescribeLoadBalancers', 'loadBalancer', () =>
        api.describeLoadBalancers({ LoadBalancerArns: [target.loadBalancerArn!] }, signal),
      );
      f.loadBalancer = out?.LoadBalancers?.[0] ?? null;
    }
  } else if (target.policy?.resourceLabel) {
    // Not found through the target group: the label still gives the metric dimension, so the metrics can be read.
    const label = parseResourceLabel(target.policy.resourceLabel);
    if (label && (!target.targetGroupDim || label.targetGroup === target.targetGroupDim)) target.loadBalancerDim = label.loadBalancer;
  }
}

/** The policy's ResourceLabel against the ARNs found: a mismatch is said, never silently chosen. */
function crossCheckLabel(f: Finding): void {
  const { target } = f;
  const label = target.policy?.resourceLabel ? parseResourceLabel(target.policy.resourceLabel) : null;
  const name = target.policy?.name ?? '?';
  if (!target.policy?.resourceLabel || target.policy.metric !== 'RequestCountPerTarget') return;
  if (!label) {
    f.notes.push(`policy ${name}'s ResourceLabel "${target.policy.resourceLabel}" is not app/<lb>/<id>/targetgroup/<tg>/<id>`);
    return;
  }
  const attached = f.group ? targetGroupsOf(f.group).map(targetGroupDimension) : [];
  if (f.group && !attached.includes(label.targetGroup)) {
    f.notes.push(`policy ${name}'s ResourceLabel names ${label.targetGroup}, which is not attached to group ${target.asg ?? '?'}`);
  }
  if (target.loadBalancerDim && target.targetGroupDim === label.targetGroup && label.loadBalancer !== target.loadBalancerDim) {
    f.notes.push(
      `policy ${name}'s ResourceLabel names load balancer ${label.loadBalancer}, but target group ${tgName(target.targetGroupArn ?? '')} is behind ${target.loadBalancerDim}`,
    );
  }
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
