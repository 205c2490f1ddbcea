/**
 * CloudWatch (AWS JSON 1.0) over the simulation: GetMetricData,
 * DescribeAlarms, DescribeAlarmHistory.
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
import { cpuUtilisation, requestCountPerTarget, type PeriodMetrics } from './metrics.js';
import { alarmArn } from './ids.js';
import { ApiError, decodeToken, encodeToken } from './wire.js';

type Series = (p: PeriodMetrics, periodMs: number) => number | undefined;

interface MetricSpec {
  /** Dimension-name sets the metric is published under (each sorted). */
  dimensionSets: string[][];
  value: Series;
}

const LB = ['LoadBalancer'];
const LB_TG = ['LoadBalancer', 'TargetGroup'];

const METRICS: Record<string, Record<string, MetricSpec>> = {
  'AWS/ApplicationELB': {
    RequestCountPerTarget: { dimensionSets: [['TargetGroup'], LB_TG], value: (p) => requestCountPerTarget(p) },
    RequestCount: { dimensionSets: [LB, LB_TG], value: (p) => p.requestCount },
    // Reported only when there were requests, as the ALB does.
    TargetResponseTime: {
      dimensionSets: [LB, LB_TG],
      value: (p) => (p.requestCount > 0 ? p.targetResponseTimeSumSec / p.requestCount : undefined),
    },
    HealthyHostCount: { dimensionSets: [LB_TG], value: (p) => p.gauges.healthy },
    UnHealthyHostCount: { dimensionSets: [LB_TG], value: (p) => p.gauges.unhealthy },
    HTTPCode_Target_2XX_Count: { dimensionSets: [LB, LB_TG], value: (p) => p.target2xxCount },
    HTTPCode_Target_5XX_Count: { dimensionSets: [LB, LB_TG], value: (p) => p.target5xxCount },
    HTTPCode_ELB_5XX_Count: { dimensionSets: [LB], value: (p) => p.elb5xxCount },
    HTTPCode_ELB_503_Count: { dimensionSets: [LB], value: (p) => p.elb5xxCount },
  },
  'AWS/EC2': {
    CPUUtilization: { dimensionSets: [['AutoScalingGroupName']], value: (p, periodMs) => cpuUtilisation(p, periodMs) },
  },
  'AWS/AutoScaling': {
    GroupDesiredCapacity: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.desired },
    GroupInServiceInstances: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.inService },
    GroupPendingInstances: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.pending },
    GroupTerminatingInstances: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.terminating },
    GroupTotalInstances: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.registered },
    GroupMinSize: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.min },
    GroupMaxSize: { dimensionSets: [['AutoScalingGroupName']], value: (p) => p.gauges.max },
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

function epochMsOf(value: unknown, name: string): number {
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    throw new ApiError('MissingParameter', `The parameter ${name} is required.`);
  return seconds * 1000;
}

/** The series for a MetricStat, or undefined when the lab publishes no such metric/dimension set (CloudWatch answers no data). */
function seriesFor(sim: Simulation, stat: NonNullable<MetricDataQuery['MetricStat']>): Series | undefined {
  const metric = stat.Metric;
  const spec = METRICS[metric?.Namespace ?? '']?.[metric?.MetricName ?? ''];
  if (!spec) return undefined;
  const expected: Record<string, string> = {
    LoadBalancer: sim.names.loadBalancerDimension,
    TargetGroup: sim.names.targetGroupDimension,
    AutoScalingGroupName: sim.names.asgName,
  };
  const dims = metric?.Dimensions ?? [];
  if (dims.some((d) => !d.Name || expected[d.Name] !== d.Value)) return undefined;
  const names = dims.map((d) => d.Name!).sort();
  const published = spec.dimensionSets.some((set) => set.length === names.length && set.every((n, i) => n === names[i]));
  return published ? spec.value : undefined;
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
        const value = series(p, sim.config.periodMs);
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
          (actionPrefix === undefined || sim.names.policyArn.startsWith(actionPrefix)),
      );
  const { page, next } = pageOf(alarms, 'DescribeAlarms', input, 50);
  return {
    MetricAlarms: page.map((a) => ({
      AlarmName: a.name,
      AlarmArn: alarmArn(sim.config.region, a.name),
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${sim.names.policyArn}.`,
      AlarmConfigurationUpdatedTimestamp: a.configUpdatedMs / 1000,
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [sim.names.policyArn],
      InsufficientDataActions: [],
      StateValue: a.state,
      StateReason: a.stateReason,
      ...(a.stateReasonData ? { StateReasonData: a.stateReasonData } : {}),
      StateUpdatedTimestamp: a.stateUpdatedMs / 1000,
      StateTransitionedTimestamp: a.stateUpdatedMs / 1000,
      MetricName: 'RequestCountPerTarget',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'TargetGroup', Value: sim.names.targetGroupDimension }],
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

export const CLOUDWATCH_OPERATIONS: Record<string, (sim: Simulation, input: Record<string, unknown>, nowMs: number) => unknown> = {
  GetMetricData: getMetricData,
  DescribeAlarms: (sim, input) => describeAlarms(sim, input),
  DescribeAlarmHistory: (sim, input) => describeAlarmHistory(sim, input),
};
