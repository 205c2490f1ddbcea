/**
 * The lab's state: the group, its policy and alarms, the per-period metrics
 * and one capacity model per instance, advanced by explicit times so the
 * sockets (balancer.ts, aws-api.ts) and the tests share one logic.
 */
import { alarmArn, labNames, managedAlarmName, policyArn, type LabNames } from './ids.js';
import { ScalingGroup, type Activity, type Instance, type LaunchSpec } from './group.js';
import { cpuUtilisation, MetricStore, perTargetDivisor, requestCountPerTarget, type Gauges, type PeriodMetrics } from './metrics.js';
import { lowThreshold, TargetTrackingPolicy, type AlarmState } from './policy.js';
import { capacityFactor, TargetModel } from './capacity.js';
import { Network } from './network.js';
import { LaunchTemplate } from './launch-template.js';
import { startRefresh, stepRefresh, type InstanceRefresh } from './refresh.js';
import { ApiError } from './wire.js';

/** The port targets serve on and are health-checked on. */
export const TARGET_PORT = 80;

/** UnhealthyThresholdCount (2) × HealthCheckIntervalSeconds (30), as DescribeTargetGroups reports them. */
const HEALTH_CHECK_DETECT_SEC = 60;

/** An Availability Zone outage: from `atMs` after the lab's start, for `durationMs` (absent: to the end). */
export interface AzOutage {
  zone: string;
  atMs: number;
  durationMs?: number;
}

/** The metrics a target-tracking policy can follow in the lab. */
export type TrackedMetric = 'ALBRequestCountPerTarget' | 'ASGAverageCPUUtilization';

/** What PutScalingPolicy asks for. */
export interface PolicySpec {
  name: string;
  metric: TrackedMetric;
  targetValue: number;
  /** ResourceLabel, for ALBRequestCountPerTarget. */
  resourceLabel?: string;
  /** EstimatedInstanceWarmup in AWS seconds (60 stands for one lab period). */
  warmupSec?: number;
  disableScaleIn: boolean;
}

/** A policy in force: its spec, its ARN, the tracker and its managed alarms. */
export interface ScalingPolicyState extends PolicySpec {
  arn: string;
  tracker: TargetTrackingPolicy;
  alarms: AlarmRecord[];
}

export interface SimulationConfig {
  /** One lab period stands for one CloudWatch minute; default 5000. */
  periodMs: number;
  /** Launch to health checks (Pending); default one period. */
  launchDelayMs: number;
  /** Health checks and warm-up before InService; default one period (a scaled "60 s"). */
  warmupMs: number;
  min: number;
  max: number;
  desired: number;
  /** Requests per target per period the policy aims for; default 60. */
  targetValue: number;
  /**
   * Requests per second one instance serves before requests queue. Default:
   * the rate at which an instance at the target runs at 60%
   * (targetValue / period / 0.6: 20/s for 60 per 5 s, 50/s for 60 per 2 s),
   * so a load of 2.5× the target on two instances overflows them (latency
   * climbs) and the five instances target tracking asks for absorb it
   * (latency falls back to the service time).
   */
  instanceCapacity: number;
  /** Consecutive periods above target before AlarmHigh; default 3. */
  highEvaluationPeriods: number;
  /** Consecutive periods below 0.9 × target before AlarmLow; default 15. */
  lowEvaluationPeriods: number;
  region: string;
  asgName: string;
  /** Start with the target-tracking policy in place (`abx lab --with-policy`, `abx demo`); default: no policy, as the course's lab starts. */
  withPolicy?: boolean;
  /** Zone outages to play (`--az-outage`). */
  azOutages?: AzOutage[];
}

export interface AlarmRecord {
  name: string;
  arn: string;
  kind: 'high' | 'low';
  threshold: number;
  comparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold';
  evaluationPeriods: number;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedMs: number;
  configUpdatedMs: number;
}

export interface AlarmHistoryItem {
  alarmName: string;
  timestampMs: number;
  historyItemType: 'StateUpdate' | 'Action';
  historySummary: string;
  historyData: string;
}

/** A target the balancer may send to. */
export interface RoutableTarget {
  instanceId: string;
  model: TargetModel;
  /** The instance itself: its checks may be failing before they count (see checkHealth). */
  instance: Instance;
}

const MAX_ALARM_HISTORY = 2000;

/** `26/11/26 16:05:00`: the datapoint stamp CloudWatch writes in StateReason. */
function reasonStamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value * 1000) / 1000);
}

export class Simulation {
  readonly names: LabNames;
  readonly group: ScalingGroup;
  policy: ScalingPolicyState | undefined;
  readonly metrics: MetricStore;
  readonly alarmHistory: AlarmHistoryItem[] = [];
  readonly createdAtMs: number;
  readonly network: Network;
  readonly launchTemplate: LaunchTemplate;
  /** The version the group launches from: '$Default', '$Latest' or a number. */
  launchTemplateVersion = '$Default';
  healthCheckType: 'ELB' | 'EC2' = 'ELB';
  /** HealthCheckGracePeriod in AWS seconds. */
  healthCheckGracePeriodSec = 0;
  /** DefaultInstanceWarmup in AWS seconds, when set. */
  defaultInstanceWarmupSec: number | undefined;
  readonly refreshes: InstanceRefresh[] = [];
  /** Instances that left the group: EC2 still describes them as terminated. */
  readonly terminated: Instance[] = [];
  private readonly models = new Map<string, TargetModel>();
  private routableCache: RoutableTarget[] = [];
  private routableVersion = -1;
  private healthVersion = 0;
  private nowMs: number;
  /** The last closed periods with their metric, for StateReason text. */
  private readonly recentPeriods: { startMs: number; metric: number }[] = [];

  constructor(
    readonly config: SimulationConfig,
    nowMs: number,
  ) {
    this.createdAtMs = nowMs;
    this.nowMs = nowMs;
    this.names = labNames(config.region, config.asgName);
    const n = this.names;
    this.network = new Network(n.albSecurityGroupId, n.instanceSecurityGroupId, {
      albGroupName: n.albSecurityGroupName,
      instanceGroupName: n.instanceSecurityGroupName,
      vpcId: n.vpcId,
    });
    this.launchTemplate = new LaunchTemplate(n.launchTemplateId, n.launchTemplateName, {
      instanceType: 't3.micro',
      imageId: n.imageId,
      securityGroupIds: [n.instanceSecurityGroupId],
      createdAtMs: nowMs,
    });
    this.group = new ScalingGroup({
      asgName: config.asgName,
      min: config.min,
      max: config.max,
      launchDelayMs: config.launchDelayMs,
      warmupMs: config.warmupMs,
      drainMs: Math.min(config.periodMs, 2000),
      availabilityZones: [...n.availabilityZones],
      subnetIds: n.subnetIds,
      healthCheckType: 'ELB',
      healthCheckGracePeriodMs: 0,
      launchSpec: () => this.launchSpec(),
      zoneAvailable: (zone) => !this.zoneDown(zone, this.nowMs),
    });
    this.group.onGone((instance) => {
      this.terminated.push(instance);
      if (this.terminated.length > 100) this.terminated.shift();
    });
    if (config.withPolicy)
      this.putPolicy(
        {
          name: n.policyName,
          metric: 'ALBRequestCountPerTarget',
          targetValue: config.targetValue,
          resourceLabel: n.resourceLabel,
          warmupSec: 60,
          disableScaleIn: false,
        },
        nowMs,
      );
    this.group.create(config.desired, nowMs);
    this.metrics = new MetricStore(config.periodMs, nowMs, this.gauges());
  }

  /** The current policy's alarms (none without a policy): AlarmHigh first. */
  get alarms(): AlarmRecord[] {
    return this.policy?.alarms ?? [];
  }

  /** AWS seconds to lab ms: 60 s (one CloudWatch minute) is one lab period. */
  awsSecondsToMs(seconds: number): number {
    return (seconds / 60) * this.config.periodMs;
  }

  /** What the next launch gets, from the group's launch template version. */
  launchSpec(): LaunchSpec {
    const v = this.launchTemplate.resolve(this.launchTemplateVersion);
    return { instanceType: v.instanceType, version: String(v.versionNumber) };
  }

  zoneDown(zone: string, nowMs: number): boolean {
    return (this.config.azOutages ?? []).some(
      (o) =>
        o.zone === zone &&
        nowMs >= this.createdAtMs + o.atMs &&
        (o.durationMs === undefined || nowMs < this.createdAtMs + o.atMs + o.durationMs),
    );
  }

  /**
   * PutScalingPolicy: creates the policy or replaces the one of that name,
   * with fresh managed alarms (AlarmHigh, and AlarmLow unless scale-in is
   * disabled), as AWS re-creates them on every put.
   */
  putPolicy(spec: PolicySpec, nowMs: number): ScalingPolicyState {
    const arn = this.policy?.name === spec.name ? this.policy.arn : policyArn(this.config.region, this.config.asgName, spec.name);
    const tracker = new TargetTrackingPolicy({
      targetValue: spec.targetValue,
      highEvaluationPeriods: this.config.highEvaluationPeriods,
      lowEvaluationPeriods: this.config.lowEvaluationPeriods,
      min: this.group.config.min,
      max: this.group.config.max,
    });
    const alarm = (kind: 'high' | 'low'): AlarmRecord => {
      const name = managedAlarmName(this.config.asgName, kind);
      return {
        name,
        arn: alarmArn(this.config.region, name),
        kind,
        threshold: kind === 'high' ? spec.targetValue : lowThreshold(spec.targetValue),
        comparisonOperator: kind === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
        evaluationPeriods: kind === 'high' ? this.config.highEvaluationPeriods : this.config.lowEvaluationPeriods,
        state: 'INSUFFICIENT_DATA',
        stateReason: 'Unchecked: Initial alarm creation',
        stateUpdatedMs: nowMs,
        configUpdatedMs: nowMs,
      };
    };
    this.policy = { ...spec, arn, tracker, alarms: spec.disableScaleIn ? [alarm('high')] : [alarm('high'), alarm('low')] };
    this.recentPeriods.length = 0;
    return this.policy;
  }

  deletePolicy(): void {
    this.policy = undefined;
  }

  onActivity(listener: (activity: Activity) => void): void {
    this.group.onActivity(listener);
  }

  /** The InService targets that pass their health checks, rebuilt only when the group or their health changed. */
  routable(): RoutableTarget[] {
    const version = this.group.version * 1_000_003 + this.healthVersion;
    if (this.routableVersion !== version) {
      this.routableVersion = version;
      const live = new Set<string>();
      this.routableCache = [];
      for (const instance of this.group.inService()) {
        if (instance.targetState !== 'healthy') continue;
        live.add(instance.instanceId);
        let model = this.models.get(instance.instanceId);
        if (!model) {
          model = new TargetModel(this.config.instanceCapacity * capacityFactor(instance.instanceType));
          this.models.set(instance.instanceId, model);
        }
        this.routableCache.push({ instanceId: instance.instanceId, model, instance });
      }
      for (const id of this.models.keys()) if (!live.has(id)) this.models.delete(id);
    }
    return this.routableCache;
  }

  gauges(): Gauges {
    let healthy = 0;
    let unhealthy = 0;
    let pending = 0;
    let terminating = 0;
    for (const i of this.group.instances) {
      if (i.lifecycleState === 'InService') {
        if (i.targetState === 'healthy') healthy++;
        else unhealthy++;
      } else if (i.lifecycleState === 'Pending') pending++;
      else terminating++;
    }
    return {
      healthy,
      unhealthy,
      registered: this.group.instances.length,
      desired: this.group.desired,
      inService: healthy + unhealthy,
      pending,
      terminating,
      min: this.group.config.min,
      max: this.group.config.max,
    };
  }

  /**
   * Brings everything up to `nowMs`: lifecycle transitions first (each one
   * moves the gauges at its own time), then health checks and what follows
   * from them (replacements, zone rebalancing, an instance refresh's next
   * batch), then one policy evaluation per period that has closed, in order.
   */
  advance(nowMs: number): void {
    this.stepGroup(nowMs);
    this.nowMs = Math.max(this.nowMs, nowMs);
    this.checkHealth(nowMs);
    this.group.replaceUnhealthy(nowMs);
    this.group.reconcile(nowMs);
    this.group.rebalance(nowMs);
    const spec = this.launchSpec();
    for (const refresh of this.refreshes) stepRefresh(refresh, this.group, spec, nowMs);
    this.metrics.setGauges(nowMs, this.gauges());
    for (const period of this.metrics.closeThrough(nowMs)) this.evaluate(period, nowMs);
  }

  startInstanceRefresh(minHealthyPercentage: number, instanceWarmupSec: number | undefined, nowMs: number): InstanceRefresh {
    if (this.refreshes.some((r) => r.status === 'Pending' || r.status === 'InProgress'))
      throw new ApiError(
        'InstanceRefreshInProgress',
        'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
      );
    const warmupSec = instanceWarmupSec ?? this.defaultInstanceWarmupSec ?? 0;
    const refresh = startRefresh(
      this.group,
      this.launchSpec(),
      minHealthyPercentage,
      { sec: warmupSec, ms: this.awsSecondsToMs(warmupSec) },
      nowMs,
    );
    this.refreshes.push(refresh);
    return refresh;
  }

  /**
   * The health checks, as the load balancer and EC2 see them now. A stopped
   * or terminated instance fails at once (EC2's status). One in a zone that
   * is down, or one the instances' security group no longer lets the load
   * balancer reach, fails once its checks have failed for the target group's
   * UnhealthyThresholdCount × HealthCheckIntervalSeconds (2 × 30 s = 60 s,
   * one lab period), so a rule replaced within that time (revoke, then
   * authorize) costs nothing, as on AWS. A failed target gets no traffic;
   * Auto Scaling counts the failure (and so replaces the instance) for EC2
   * failures always and for load balancer failures only with HealthCheckType
   * ELB.
   */
  private checkHealth(nowMs: number): void {
    const reachable = this.network.targetsReachable(TARGET_PORT);
    const detectMs = this.awsSecondsToMs(HEALTH_CHECK_DETECT_SEC);
    const elbType = this.healthCheckType === 'ELB';
    for (const i of this.group.live()) {
      const stopped =
        i.ec2State === 'stopped' || i.ec2State === 'stopping' || i.ec2State === 'shutting-down' || i.ec2State === 'terminated';
      const down = this.zoneDown(i.availabilityZone, nowMs);
      const failing = stopped || down || !reachable;
      if (failing) i.failingSinceMs ??= nowMs;
      else delete i.failingSinceMs;
      const failed = stopped || (failing && nowMs - (i.failingSinceMs ?? nowMs) >= detectMs);
      const failure = !failed ? undefined : stopped ? 'ec2-stopped' : down ? (elbType ? 'elb' : 'ec2-status') : elbType ? 'elb' : undefined;
      i.healthStatus = failure ? 'Unhealthy' : 'Healthy';
      if (failure) i.healthFailure = failure;
      else delete i.healthFailure;
      if (i.lifecycleState !== 'InService') continue;
      const state = stopped ? 'unused' : failed ? 'unhealthy' : 'healthy';
      if (state !== i.targetState) {
        i.targetState = state;
        if (state === 'healthy') delete i.targetReason;
        else i.targetReason = stopped ? 'Target.InvalidState' : 'Target.Timeout';
        this.healthVersion++;
      }
    }
    this.group.config.healthCheckType = this.healthCheckType;
    this.group.config.healthCheckGracePeriodMs = this.awsSecondsToMs(this.healthCheckGracePeriodSec);
  }

  private stepGroup(nowMs: number): void {
    // Transitions due at distinct times are applied at those times, so the
    // time-weighted gauges see when an instance really joined.
    for (let guard = 0; guard < 1000; guard++) {
      const next = this.group.nextTransitionMs();
      if (next > nowMs) break;
      this.group.advance(next);
      this.metrics.setGauges(next, this.gauges());
    }
  }

  private evaluate(period: PeriodMetrics, nowMs: number): void {
    const policy = this.policy;
    if (!policy) return;
    const metric =
      policy.metric === 'ASGAverageCPUUtilization' ? cpuUtilisation(period, this.config.periodMs) : requestCountPerTarget(period);
    this.recentPeriods.push({ startMs: period.startMs, metric });
    if (this.recentPeriods.length > Math.max(this.config.highEvaluationPeriods, this.config.lowEvaluationPeriods))
      this.recentPeriods.shift();
    policy.tracker.config.min = this.group.config.min;
    policy.tracker.config.max = this.group.config.max;
    // Instances within the policy's warm-up cover the breach they were launched for and block scale-in.
    const warmupMs = this.awsSecondsToMs(policy.warmupSec ?? this.defaultInstanceWarmupSec ?? 0);
    const warming = this.group.live().filter((i) => i.lifecycleState === 'Pending' || i.inServiceAtMs + warmupMs > nowMs).length;
    const decision = policy.tracker.evaluate({
      metric,
      capacity: perTargetDivisor(period),
      desired: this.group.desired,
      warming,
    });
    const [high, low] = policy.alarms;
    this.transition(high, decision.high, nowMs);
    if (low) this.transition(low, decision.low, nowMs);
    const change = decision.change && (decision.change.alarm === 'high' || !policy.disableScaleIn) ? decision.change : undefined;
    if (change) {
      const alarm = change.alarm === 'high' ? high : (low ?? high);
      this.group.setDesired(change.to, { atMs: nowMs, alarmName: alarm.name, policyName: policy.name }, nowMs);
      this.metrics.setGauges(nowMs, this.gauges());
      this.pushHistory({
        alarmName: alarm.name,
        timestampMs: nowMs,
        historyItemType: 'Action',
        historySummary: `Successfully executed action ${policy.arn}`,
        historyData: JSON.stringify({
          actionState: 'Succeeded',
          stateUpdateTimestamp: alarm.stateUpdatedMs,
          notificationResource: policy.arn,
        }),
      });
    }
  }
  private transition(alarm: AlarmRecord, state: AlarmState, nowMs: number): void {
    if (state === alarm.state) return;
    const periods = this.recentPeriods.slice(-alarm.evaluationPeriods).reverse();
    const points = periods.map((p) => `${formatValue(p.metric)} (${reasonStamp(p.startMs)})`).join(', ');
    const verb = alarm.kind === 'high' ? 'greater than' : 'less than';
    const reason =
      state === 'ALARM'
        ? `Threshold Crossed: ${periods.length} datapoints [${points}] were ${verb} the threshold (${formatValue(alarm.threshold)}).`
        : state === 'OK'
          ? `Threshold Crossed: ${periods.length} datapoints [${points}] were not ${verb} the threshold (${formatValue(alarm.threshold)}).`
          : 'Insufficient Data: not enough datapoints were received.';
    const periodSec = this.config.periodMs / 1000;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: new Date(nowMs).toISOString(),
      startDate: periods.length ? new Date(periods[periods.length - 1].startMs).toISOString() : new Date(nowMs).toISOString(),
      statistic: 'Sum',
      period: periodSec,
      recentDatapoints: periods.map((p) => p.metric).reverse(),
      threshold: alarm.threshold,
    });
    const old = { stateValue: alarm.state, stateReason: alarm.stateReason };
    alarm.state = state;
    alarm.stateReason = reason;
    alarm.stateReasonData = reasonData;
    alarm.stateUpdatedMs = nowMs;
    this.pushHistory({
      alarmName: alarm.name,
      timestampMs: nowMs,
      historyItemType: 'StateUpdate',
      historySummary: `Alarm updated from ${old.stateValue} to ${state}`,
      historyData: JSON.stringify({ version: '1.0', oldState: old, newState: { stateValue: state, stateReason: reason } }),
    });
  }

  private pushHistory(item: AlarmHistoryItem): void {
    this.alarmHistory.push(item);
    if (this.alarmHistory.length > MAX_ALARM_HISTORY) this.alarmHistory.shift();
  }
}
