/**
 * The lab's state: the group, its policy and alarms, the per-period metrics
 * and one capacity model per instance, advanced by explicit times so the
 * sockets (balancer.ts, aws-api.ts) and the tests share one logic.
 */
import { alarmArn, labNames, type LabNames } from './ids.js';
import { ScalingGroup, type Activity } from './group.js';
import { MetricStore, perTargetDivisor, requestCountPerTarget, type Gauges, type PeriodMetrics } from './metrics.js';
import { lowThreshold, TargetTrackingPolicy, type AlarmState } from './policy.js';
import { TargetModel } from './capacity.js';

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
  readonly policy: TargetTrackingPolicy;
  readonly metrics: MetricStore;
  readonly alarms: AlarmRecord[];
  readonly alarmHistory: AlarmHistoryItem[] = [];
  readonly createdAtMs: number;
  private readonly models = new Map<string, TargetModel>();
  private routableCache: RoutableTarget[] = [];
  private routableVersion = -1;
  /** The last closed periods with their metric, for StateReason text. */
  private readonly recentPeriods: { startMs: number; metric: number }[] = [];

  constructor(
    readonly config: SimulationConfig,
    nowMs: number,
  ) {
    this.createdAtMs = nowMs;
    this.names = labNames(config.region, config.asgName);
    this.group = new ScalingGroup({
      asgName: config.asgName,
      min: config.min,
      max: config.max,
      launchDelayMs: config.launchDelayMs,
      warmupMs: config.warmupMs,
      drainMs: Math.min(config.periodMs, 2000),
      availabilityZones: this.names.availabilityZones,
      subnetIds: this.names.subnetIds,
    });
    this.policy = new TargetTrackingPolicy({
      targetValue: config.targetValue,
      highEvaluationPeriods: config.highEvaluationPeriods,
      lowEvaluationPeriods: config.lowEvaluationPeriods,
      min: config.min,
      max: config.max,
    });
    const alarm = (kind: 'high' | 'low'): AlarmRecord => {
      const name = kind === 'high' ? this.names.alarmHighName : this.names.alarmLowName;
      return {
        name,
        arn: alarmArn(config.region, name),
        kind,
        threshold: kind === 'high' ? config.targetValue : lowThreshold(config.targetValue),
        comparisonOperator: kind === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
        evaluationPeriods: kind === 'high' ? config.highEvaluationPeriods : config.lowEvaluationPeriods,
        state: 'INSUFFICIENT_DATA',
        stateReason: 'Unchecked: Initial alarm creation',
        stateUpdatedMs: nowMs,
        configUpdatedMs: nowMs,
      };
    };
    this.alarms = [alarm('high'), alarm('low')];
    this.group.create(config.desired, nowMs);
    this.metrics = new MetricStore(config.periodMs, nowMs, this.gauges());
  }

  onActivity(listener: (activity: Activity) => void): void {
    this.group.onActivity(listener);
  }

  /** The healthy InService targets, rebuilt only when the group changed. */
  routable(): RoutableTarget[] {
    if (this.routableVersion !== this.group.version) {
      this.routableVersion = this.group.version;
      const live = new Set<string>();
      this.routableCache = this.group.inService().map((instance) => {
        live.add(instance.instanceId);
        let model = this.models.get(instance.instanceId);
        if (!model) {
          model = new TargetModel(this.config.instanceCapacity);
          this.models.set(instance.instanceId, model);
        }
        return { instanceId: instance.instanceId, model };
      });
      for (const id of this.models.keys()) if (!live.has(id)) this.models.delete(id);
    }
    return this.routableCache;
  }

  gauges(): Gauges {
    let healthy = 0;
    let pending = 0;
    let terminating = 0;
    for (const i of this.group.instances) {
      if (i.lifecycleState === 'InService') healthy++;
      else if (i.lifecycleState === 'Pending') pending++;
      else terminating++;
    }
    return {
      healthy,
      unhealthy: 0,
      registered: this.group.instances.length,
      desired: this.group.desired,
      inService: healthy,
      pending,
      terminating,
      min: this.config.min,
      max: this.config.max,
    };
  }

  /**
   * Brings everything up to `nowMs`: lifecycle transitions first (each one
   * moves the gauges at its own time), then one policy evaluation per period
   * that has closed, in order.
   */
  advance(nowMs: number): void {
    this.stepGroup(nowMs);
    for (const period of this.metrics.closeThrough(nowMs)) this.evaluate(period, nowMs);
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
    const metric = requestCountPerTarget(period);
    this.recentPeriods.push({ startMs: period.startMs, metric });
    if (this.recentPeriods.length > Math.max(this.config.highEvaluationPeriods, this.config.lowEvaluationPeriods))
      this.recentPeriods.shift();
    const decision = this.policy.evaluate({
      metric,
      capacity: perTargetDivisor(period),
      desired: this.group.desired,
      warming: this.group.warming().length,
    });
    this.transition(this.alarms[0], decision.high, nowMs);
    this.transition(this.alarms[1], decision.low, nowMs);
    if (decision.change) {
      const alarm = decision.change.alarm === 'high' ? this.alarms[0] : this.alarms[1];
      this.group.setDesired(decision.change.to, { atMs: nowMs, alarmName: alarm.name, policyName: this.names.policyName }, nowMs);
      this.metrics.setGauges(nowMs, this.gauges());
      this.pushHistory({
        alarmName: alarm.name,
        timestampMs: nowMs,
        historyItemType: 'Action',
        historySummary: `Successfully executed action ${this.names.policyArn}`,
        historyData: JSON.stringify({
          actionState: 'Succeeded',
          stateUpdateTimestamp: alarm.stateUpdatedMs,
          notificationResource: this.names.policyArn,
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
