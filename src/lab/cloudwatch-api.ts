/**
 * CloudWatch over the simulation: GetMetricData, GetMetricStatistics,
 * ListMetrics, DescribeAlarms, DescribeAlarmHistory. The handlers take and
 * return the JSON 1.0 shapes; aws-api.ts also serves them over the Query
 * protocol (form in, XML out) for clients that still speak it.
 *
 * Time mapping: the lab publishes one datapoint per lab period (periodMs,
 * default 5 s), which stands for one CloudWatch minute. GetMetricData answers
 * with the lab's own period datapoints whose start lies in
 * [StartTime, EndTime), whatever Period the query asks for (60, or the
 * alarms' Period): the query's periods are mapped onto the lab's periods one
 * to one rather than re-aggregated, so a dashboard asking for "60-second"
 * data sees one point per lab period. Timestamps are each period's real
 * epoch start, aligned to multiples of periodMs, sent as epoch seconds. The
 * newest point is the current, still-filling period, as CloudWatch's newest
 * minute is provisional. Each metric answers its one meaningful statistic
 * (Sum for counts, Average for gauges and response time) whatever Stat says.
 */
import type { Simulation } from './simulation.js';
import {
  cpuUtilisation,
  IDLE_CPU_PERCENT,
  instanceCpuUtilisation,
  requestCountPerTarget,
  type InstanceCounters,
  type PeriodMetrics,
} from './metrics.js';
import { alarmArn } from './ids.js';
import { ApiError, decodeToken, encodeToken } from './wire.js';

/** A period's value for the given dimensions (InstanceId picks one instance). */
type Series = (p: PeriodMetrics, periodMs: number, dims: Record<string, string>) => number | undefined;

interface MetricSpec {
  /** Dimension-name sets the metric is published under (each sorted). */
  dimensionSets: string[][];
  /** The metric's one meaningful value per period (what GetMetricData answers). */
  value: Series;
  /**
   * The individual samples behind a group-level EC2 metric (one per
   * instance), so GetMetricStatistics' Average, Minimum, Maximum and
   * SampleCount differ as they do on AWS. Other metrics are one sample.
   */
  samples?: (p: PeriodMetrics, periodMs: number) => number[];
  unit: string;
}

const LB = ['LoadBalancer'];
const LB_TG = ['LoadBalancer', 'TargetGroup'];
const ASG = ['AutoScalingGroupName'];
const INSTANCE = ['InstanceId'];

/** Per-instance samples of one counter, idle instances (no entry) padded in with `idle`. */
function perInstanceSamples(p: PeriodMetrics, pick: (c: InstanceCounters) => number, idle: number): number[] {
  const out = [...p.perInstance.values()].map(pick);
  for (let n = out.length; n < Math.round(p.gauges.inService); n++) out.push(idle);
  return out;
}

function ec2Metric(kind: 'cpu' | 'in' | 'out'): MetricSpec {
  const pick = (c: InstanceCounters, periodMs: number): number =>
    kind === 'cpu' ? instanceCpuUtilisation(c, periodMs) : kind === 'in' ? c.bytesIn : c.bytesOut;
  return {
    dimensionSets: [ASG, INSTANCE],
    unit: kind === 'cpu' ? 'Percent' : 'Bytes',
    value: (p, periodMs, dims) => {
      if (dims.InstanceId !== undefined) {
        const c = p.perInstance.get(dims.InstanceId);
        return c ? pick(c, periodMs) : kind === 'cpu' ? IDLE_CPU_PERCENT : 0;
      }
      if (kind === 'cpu') return cpuUtilisation(p, periodMs);
      // The group's average per instance, as CloudWatch's Average over the AutoScalingGroupName dimension.
      const instances = Math.max(1, p.gauges.inService);
      return (kind === 'in' ? p.bytesIn : p.bytesOut) / instances;
    },
    samples: (p, periodMs) => perInstanceSamples(p, (c) => pick(c, periodMs), kind === 'cpu' ? IDLE_CPU_PERCENT : 0),
  };
}

const METRICS: Record<string, Record<string, MetricSpec>> = {
  'AWS/ApplicationELB': {
    RequestCountPerTarget: { dimensionSets: [['TargetGroup'], LB_TG], unit: 'Count', value: (p) => requestCountPerTarget(p) },
    RequestCount: { dimensionSets: [LB, LB_TG], unit: 'Count', value: (p) => p.requestCount },
    // Reported only when there were requests, as the ALB does.
    TargetResponseTime: {
      dimensionSets: [LB, LB_TG],
      unit: 'Seconds',
      value: (p) => (p.requestCount > 0 ? p.targetResponseTimeSumSec / p.requestCount : undefined),
    },
    HealthyHostCount: { dimensionSets: [LB_TG], unit: 'Count', value: (p) => p.gauges.healthy },
    UnHealthyHostCount: { dimensionSets: [LB_TG], unit: 'Count', value: (p) => p.gauges.unhealthy },
    HTTPCode_Target_2XX_Count: { dimensionSets: [LB, LB_TG], unit: 'Count', value: (p) => p.target2xxCount },
    HTTPCode_Target_5XX_Count: { dimensionSets: [LB, LB_TG], unit: 'Count', value: (p) => p.target5xxCount },
    HTTPCode_ELB_5XX_Count: { dimensionSets: [LB], unit: 'Count', value: (p) => p.elb5xxCount },
    HTTPCode_ELB_503_Count: { dimensionSets: [LB], unit: 'Count', value: (p) => p.elb5xxCount },
  },
  'AWS/EC2': {
    CPUUtilization: ec2Metric('cpu'),
    NetworkIn: ec2Metric('in'),
    NetworkOut: ec2Metric('out'),
  },
  'AWS/AutoScaling': {
    GroupDesiredCapacity: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.desired },
    GroupInServiceInstances: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.inService },
    GroupPendingInstances: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.pending },
    GroupTerminatingInstances: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.terminating },
    GroupTotalInstances: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.registered },
    GroupMinSize: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.min },
    GroupMaxSize: { dimensionSets: [ASG], unit: 'None', value: (p) => p.gauges.max },
  },
};

interface Dimension {
  Name?: string;
  Value?: string;
}

interface MetricDataQuery {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  Expression?: string;
  MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Period?: number; Stat?: string };
}

/** Epoch seconds (JSON 1.0, a number or numeric text) or ISO-8601 text (the Query protocol) to epoch ms. */
function epochMsOf(value: unknown, name: string): number {
  if (typeof value === 'string' && value.trim() !== '' && !Number.isFinite(Number(value))) {
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw new ApiError('InvalidParameterValue', `The parameter ${name} must be a timestamp (got ${value}).`);
    return ms;
  }
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    throw new ApiError('MissingParameter', `The parameter ${name} is required.`);
  return seconds * 1000;
}

/** The instances CloudWatch has per-instance metrics for: those in the group and those that left it. */
function knownInstanceIds(sim: Simulation): string[] {
  return [...sim.terminated, ...sim.group.instances].map((i) => i.instanceId);
}

/**
 * The spec and dimension values for a metric, or undefined when the lab
 * publishes no such metric/dimension set (CloudWatch answers no data then,
 * not an error).
 */
function resolveMetric(
  sim: Simulation,
  namespace: unknown,
  metricName: unknown,
  dimensions: Dimension[],
): { spec: MetricSpec; dims: Record<string, string> } | undefined {
  const spec = METRICS[typeof namespace === 'string' ? namespace : '']?.[typeof metricName === 'string' ? metricName : ''];
  if (!spec) return undefined;
  const expected: Record<string, (value: string) => boolean> = {
    LoadBalancer: (v) => v === sim.names.loadBalancerDimension,
    TargetGroup: (v) => v === sim.names.targetGroupDimension,
    AutoScalingGroupName: (v) => v === sim.names.asgName,
    InstanceId: (v) => knownInstanceIds(sim).includes(v),
  };
  if (dimensions.some((d) => !d.Name || d.Value === undefined || !expected[d.Name]?.(d.Value))) return undefined;
  const names = dimensions.map((d) => d.Name!).sort();
  const published = spec.dimensionSets.some((set) => set.length === names.length && set.every((n, i) => n === names[i]));
  return published ? { spec, dims: Object.fromEntries(dimensions.map((d) => [d.Name!, d.Value!])) } : undefined;
}

function seriesFor(sim: Simulation, stat: NonNullable<MetricDataQuery['MetricStat']>): Series | undefined {
  const found = resolveMetric(sim, stat.Metric?.Namespace, stat.Metric?.MetricName, stat.Metric?.Dimensions ?? []);
  if (!found) return undefined;
  return (p, periodMs) => found.spec.value(p, periodMs, found.dims);
}

export function getMetricData(sim: Simulation, input: Record<string, unknown>, nowMs: number): unknown {
  const queries = input.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0)
    throw new ApiError('MissingParameter', 'The parameter MetricDataQueries is required.');
  if (queries.length > 500)
    throw new ApiError('InvalidParameterValue', 'The collection MetricDataQueries must not have a size greater than 500.');
  const startMs = epochMsOf(input.StartTime, 'StartTime');
  const endMs = epochMsOf(input.EndTime, 'EndTime');
  if (endMs <= startMs) throw new ApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    throw new ApiError('InvalidParameterValue', 'ScanBy must be TimestampDescending or TimestampAscending.');
  }
  const periods = sim.metrics.periods(startMs, endMs, nowMs);
  if (scanBy === 'TimestampDescending') periods.reverse();
  const ids = new Set<string>();
  const results = [];
  for (const raw of queries as MetricDataQuery[]) {
    const id = raw.Id ?? '';
    if (!/^[a-z][A-Za-z0-9_]*$/.test(id))
      throw new ApiError('ValidationError', `The value ${id} for parameter MetricDataQueries.member.Id is not valid.`);
    if (ids.has(id))
      throw new ApiError('ValidationError', `The value ${id} for parameter MetricDataQueries.member.Id is used more than once.`);
    ids.add(id);
    if (raw.ReturnData === false) continue;
    if (!raw.MetricStat) {
      results.push({
        Id: id,
        Label: raw.Label ?? id,
        Timestamps: [],
        Values: [],
        StatusCode: 'InternalError',
        Messages: [{ Code: 'Unsupported', Value: 'The abx lab answers MetricStat queries only, not metric math.' }],
      });
      continue;
    }
    const series = seriesFor(sim, raw.MetricStat);
    const timestamps: number[] = [];
    const values: number[] = [];
    if (series) {
      for (const p of periods) {
        const value = series(p, sim.config.periodMs, {});
        if (value === undefined) continue;
        timestamps.push(p.startMs / 1000);
        values.push(value);
      }
    }
    results.push({
      Id: id,
      Label: raw.Label ?? raw.MetricStat.Metric?.MetricName ?? id,
      Timestamps: timestamps,
      Values: values,
      StatusCode: 'Complete',
    });
  }
  return { MetricDataResults: results, Messages: [] };
}

function pageOf<T>(items: T[], kind: string, input: Record<string, unknown>, maxDefault: number): { page: T[]; next?: string } {
  const maxRecords = input.MaxRecords === undefined ? maxDefault : Number(input.MaxRecords);
  if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100)
    throw new ApiError('InvalidParameterValue', 'MaxRecords must be from 1 to 100.');
  const from = decodeToken(kind, input.NextToken as string | undefined) ?? 0;
  const page = items.slice(from, from + maxRecords);
  return from + maxRecords < items.length ? { page, next: encodeToken(kind, from + maxRecords) } : { page };
}

export function describeAlarms(sim: Simulation, input: Record<string, unknown>): unknown {
  const names = Array.isArray(input.AlarmNames) ? (input.AlarmNames as string[]) : undefined;
  const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : undefined;
  if (names && prefix !== undefined)
    throw new ApiError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be given together.');
  const types = Array.isArray(input.AlarmTypes) ? (input.AlarmTypes as string[]) : ['MetricAlarm'];
  const actionPrefix = typeof input.ActionPrefix === 'string' ? input.ActionPrefix : undefined;
  const stateValue = typeof input.StateValue === 'string' ? input.StateValue : undefined;
  const periodSec = sim.config.periodMs / 1000;
  const alarms = !types.includes('MetricAlarm')
    ? []
    : sim.alarms.filter(
        (a) =>
          (!names || names.includes(a.name)) &&
          (prefix === undefined || a.name.startsWith(prefix)) &&
          (stateValue === undefined || a.state === stateValue) &&
          (actionPrefix === undefined || (sim.policy?.arn ?? '').startsWith(actionPrefix)),
      );
  const { page, next } = pageOf(alarms, 'DescribeAlarms', input, 50);
  const policyArn = sim.policy?.arn ?? '';
  const cpu = sim.policy?.metric === 'ASGAverageCPUUtilization';
  return {
    MetricAlarms: page.map((a) => ({
      AlarmName: a.name,
      AlarmArn: alarmArn(sim.config.region, a.name),
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
      AlarmConfigurationUpdatedTimestamp: a.configUpdatedMs / 1000,
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [policyArn],
      InsufficientDataActions: [],
      StateValue: a.state,
      StateReason: a.stateReason,
      ...(a.stateReasonData ? { StateReasonData: a.stateReasonData } : {}),
      StateUpdatedTimestamp: a.stateUpdatedMs / 1000,
      StateTransitionedTimestamp: a.stateUpdatedMs / 1000,
      MetricName: cpu ? 'CPUUtilization' : 'RequestCountPerTarget',
      Namespace: cpu ? 'AWS/EC2' : 'AWS/ApplicationELB',
      Statistic: cpu ? 'Average' : 'Sum',
      Dimensions: [
        cpu ? { Name: 'AutoScalingGroupName', Value: sim.names.asgName } : { Name: 'TargetGroup', Value: sim.names.targetGroupDimension },
      ],
      // The lab period in seconds (e.g. 5): what one "minute" lasts here.
      Period: periodSec,
      EvaluationPeriods: a.evaluationPeriods,
      DatapointsToAlarm: a.evaluationPeriods,
      Threshold: a.threshold,
      ComparisonOperator: a.comparisonOperator,
    })),
    CompositeAlarms: [],
    ...(next ? { NextToken: next } : {}),
  };
}

export function describeAlarmHistory(sim: Simulation, input: Record<string, unknown>): unknown {
  const name = typeof input.AlarmName === 'string' ? input.AlarmName : undefined;
  const type = typeof input.HistoryItemType === 'string' ? input.HistoryItemType : undefined;
  const startMs = input.StartDate === undefined ? -Infinity : epochMsOf(input.StartDate, 'StartDate');
  const endMs = input.EndDate === undefined ? Infinity : epochMsOf(input.EndDate, 'EndDate');
  const types = Array.isArray(input.AlarmTypes) ? (input.AlarmTypes as string[]) : ['MetricAlarm'];
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  const items = !types.includes('MetricAlarm')
    ? []
    : sim.alarmHistory.filter(
        (h) =>
          (name === undefined || h.alarmName === name) &&
          (type === undefined || h.historyItemType === type) &&
          h.timestampMs >= startMs &&
          h.timestampMs < endMs,
      );
  if (scanBy === 'TimestampDescending') items.reverse();
  const { page, next } = pageOf(items, 'DescribeAlarmHistory', input, 100);
  return {
    AlarmHistoryItems: page.map((h) => ({
      AlarmName: h.alarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: h.timestampMs / 1000,
      HistoryItemType: h.historyItemType,
      HistorySummary: h.historySummary,
      HistoryData: h.historyData,
    })),
    ...(next ? { NextToken: next } : {}),
  };
}

const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
type Statistic = (typeof STATISTICS)[number];

function dimensionsOf(raw: unknown): Dimension[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ApiError('InvalidParameterValue', 'Dimensions must be a list of {Name, Value}.');
  return raw as Dimension[];
}

/**
 * GetMetricStatistics: one datapoint per lab period in [StartTime, EndTime)
 * (the same time mapping as GetMetricData, whatever Period says), with the
 * statistics asked for. Group-level EC2 metrics aggregate one sample per
 * instance; the others are one sample per period.
 */
export function getMetricStatistics(sim: Simulation, input: Record<string, unknown>, nowMs: number): unknown {
  if (typeof input.Namespace !== 'string') throw new ApiError('MissingParameter', 'The parameter Namespace is required.');
  if (typeof input.MetricName !== 'string') throw new ApiError('MissingParameter', 'The parameter MetricName is required.');
  const startMs = epochMsOf(input.StartTime, 'StartTime');
  const endMs = epochMsOf(input.EndTime, 'EndTime');
  if (endMs <= startMs) throw new ApiError('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  const period = Number(input.Period);
  if (input.Period === undefined) throw new ApiError('MissingParameter', 'The parameter Period is required.');
  if (!Number.isInteger(period) || period < 1)
    throw new ApiError('InvalidParameterValue', 'The parameter Period must be a valid integer greater than 0.');
  const asked = Array.isArray(input.Statistics) ? (input.Statistics as unknown[]).map(String) : [];
  if (Array.isArray(input.ExtendedStatistics) && input.ExtendedStatistics.length > 0)
    throw new ApiError('InvalidParameterValue', 'The abx lab answers Statistics only, not ExtendedStatistics (percentiles).');
  if (asked.length === 0) throw new ApiError('MissingParameter', 'Must specify either Statistics or ExtendedStatistics.');
  const bad = asked.find((s) => !(STATISTICS as readonly string[]).includes(s));
  if (bad)
    throw new ApiError('InvalidParameterValue', `The parameter Statistics.member.1 must be one of ${STATISTICS.join(', ')} (got ${bad}).`);
  const periods = sim.metrics.periods(startMs, endMs, nowMs);
  if (periods.length > 1440)
    throw new ApiError(
      'InvalidParameterCombination',
      `You have requested up to ${periods.length} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  const found = resolveMetric(sim, input.Namespace, input.MetricName, dimensionsOf(input.Dimensions));
  const datapoints = [];
  if (found) {
    const periodMs = sim.config.periodMs;
    for (const p of periods) {
      const value = found.spec.value(p, periodMs, found.dims);
      if (value === undefined) continue;
      const samples = found.spec.samples && found.dims.InstanceId === undefined ? found.spec.samples(p, periodMs) : [value];
      if (samples.length === 0) continue;
      const sum = samples.reduce((a, b) => a + b, 0);
      const stats: Record<Statistic, number> = {
        SampleCount: samples.length,
        Sum: sum,
        Average: sum / samples.length,
        Minimum: Math.min(...samples),
        Maximum: Math.max(...samples),
      };
      datapoints.push({
        Timestamp: p.startMs / 1000,
        ...Object.fromEntries(asked.map((s) => [s, stats[s as Statistic]])),
        Unit: found.spec.unit,
      });
    }
  }
  return { Label: input.MetricName, Datapoints: datapoints };
}

/** ListMetrics: every metric and dimension set the lab publishes, filtered by Namespace, MetricName and Dimensions. */
export function listMetrics(sim: Simulation, input: Record<string, unknown>): unknown {
  const n = sim.names;
  const values: Record<string, string[]> = {
    LoadBalancer: [n.loadBalancerDimension],
    TargetGroup: [n.targetGroupDimension],
    AutoScalingGroupName: [n.asgName],
    InstanceId: sim.group.instances.map((i) => i.instanceId),
  };
  const wanted = dimensionsOf(input.Dimensions);
  const all: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }[] = [];
  for (const [namespace, metrics] of Object.entries(METRICS)) {
    if (typeof input.Namespace === 'string' && input.Namespace !== namespace) continue;
    for (const [metricName, spec] of Object.entries(metrics)) {
      if (typeof input.MetricName === 'string' && input.MetricName !== metricName) continue;
      for (const set of spec.dimensionSets) {
        let combos: { Name: string; Value: string }[][] = [[]];
        for (const name of set) combos = combos.flatMap((c) => values[name].map((Value) => [...c, { Name: name, Value }]));
        for (const dims of combos)
          if (wanted.every((w) => dims.some((d) => d.Name === w.Name && (w.Value === undefined || d.Value === w.Value))))
            all.push({ Namespace: namespace, MetricName: metricName, Dimensions: dims });
      }
    }
  }
  const from = decodeToken('ListMetrics', input.NextToken as string | undefined) ?? 0;
  const page = all.slice(from, from + 500);
  return { Metrics: page, ...(from + 500 < all.length ? { NextToken: encodeToken('ListMetrics', from + 500) } : {}) };
}

export const CLOUDWATCH_OPERATIONS: Record<string, (sim: Simulation, input: Record<string, unknown>, nowMs: number) => unknown> = {
  GetMetricData: getMetricData,
  GetMetricStatistics: getMetricStatistics,
  ListMetrics: (sim, input) => listMetrics(sim, input),
  DescribeAlarms: (sim, input) => describeAlarms(sim, input),
  DescribeAlarmHistory: (sim, input) => describeAlarmHistory(sim, input),
};
