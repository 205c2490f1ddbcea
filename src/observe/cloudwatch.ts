/**
 * One batched GetMetricData per poll: every series abx shows, in one call.
 * CloudWatch fills the newest period late (ALB metrics arrive 1–2 minutes
 * after the minute), so the newest datapoint of each series is marked
 * provisional and overwritten when a later poll reads it again.
 */
import type { GetMetricDataCommandInput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { byTime } from '../stats/by-time.js';
import type { ObservationSample } from '../stats/result.js';
import type { Dimension, ObservedTarget } from './discover.js';

export interface SeriesSpec {
  /** GetMetricData query Id: lower-case first letter, letters/digits/underscore. */
  id: string;
  /** The sample's metric name in the Observation. */
  metric: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  stat: string;
}

/** The series a target allows: those whose dimensions discovery found. */
export function seriesFor(target: ObservedTarget): SeriesSpec[] {
  const series: SeriesSpec[] = [];
  const lb = target.loadBalancerDim;
  const tg = target.targetGroupDim;
  const alb = (id: string, metricName: string, dimensions: Dimension[], stat: string): void => {
    series.push({ id, metric: metricName, namespace: 'AWS/ApplicationELB', metricName, dimensions, stat });
  };
  if (target.requestCountPerTargetDimensions) alb('rcpt', 'RequestCountPerTarget', target.requestCountPerTargetDimensions, 'Sum');
  if (lb && tg) {
    const lbTg = [
      { Name: 'LoadBalancer', Value: lb },
      { Name: 'TargetGroup', Value: tg },
    ];
    alb('requests', 'RequestCount', lbTg, 'Sum');
    alb('latency', 'TargetResponseTime', lbTg, 'Average');
    alb('healthy', 'HealthyHostCount', lbTg, 'Average');
    alb('unhealthy', 'UnHealthyHostCount', lbTg, 'Average');
    alb('target5xx', 'HTTPCode_Target_5XX_Count', lbTg, 'Sum');
  } else if (lb) {
    alb('requests', 'RequestCount', [{ Name: 'LoadBalancer', Value: lb }], 'Sum');
  }
  if (lb) alb('elb5xx', 'HTTPCode_ELB_5XX_Count', [{ Name: 'LoadBalancer', Value: lb }], 'Sum');
  if (target.asg) {
    series.push({
      id: 'cpu',
      metric: 'CPUUtilization',
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: [{ Name: 'AutoScalingGroupName', Value: target.asg }],
      stat: 'Average',
    });
  }
  return series;
}

/** How far back each poll reads: from a period before the run, at most `maxWindowMs` back, so late fills are seen. */
export function queryWindow(
  runStartedAtMs: number,
  nowMs: number,
  periodSec: number,
  maxWindowMs = 3 * 3_600_000,
): { startMs: number; endMs: number } {
  const periodMs = periodSec * 1000;
  const from = Math.max(runStartedAtMs - periodMs, nowMs - maxWindowMs);
  // Aligned to the period, as CloudWatch recommends; EndTime is exclusive, so
  // end after the period that holds `now`.
  const startMs = Math.floor(from / periodMs) * periodMs;
  const endMs = (Math.floor(nowMs / periodMs) + 1) * periodMs;
  return { startMs, endMs };
}

export function buildMetricDataInput(
  series: SeriesSpec[],
  periodSec: number,
  window: { startMs: number; endMs: number },
): GetMetricDataCommandInput {
  const queries: MetricDataQuery[] = series.map((s) => ({
    Id: s.id,
    Label: s.metric,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions },
      Period: periodSec,
      Stat: s.stat,
    },
  }));
  return {
    MetricDataQueries: queries,
    StartTime: new Date(window.startMs),
    EndTime: new Date(window.endMs),
    ScanBy: 'TimestampAscending',
  };
}

/**
 * Datapoints → samples. The newest datapoint of each series is provisional,
 * and so is any period that has not ended yet at `nowMs`.
 */
export function samplesFromResults(
  results: MetricDataResult[],
  series: SeriesSpec[],
  periodSec: number,
  nowMs: number,
): ObservationSample[] {
  const byId = new Map(series.map((s) => [s.id, s]));
  const samples: ObservationSample[] = [];
  for (const result of results) {
    const spec = result.Id ? byId.get(result.Id) : undefined;
    if (!spec) continue;
    const timestamps = result.Timestamps ?? [];
    const values = result.Values ?? [];
    const points: { atMs: number; value: number }[] = [];
    for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
      const atMs = new Date(timestamps[i]).getTime();
      const value = values[i];
      if (Number.isFinite(atMs) && typeof value === 'number' && Number.isFinite(value)) points.push({ atMs, value });
    }
    if (points.length === 0) continue;
    points.sort((a, b) => a.atMs - b.atMs);
    const newest = points[points.length - 1].atMs;
    for (const point of points) {
      samples.push({
        at: new Date(point.atMs).toISOString(),
        metric: spec.metric,
        value: point.value,
        provisional: point.atMs === newest || point.atMs + periodSec * 1000 > nowMs,
      });
    }
  }
  return samples;
}

/**
 * Keeps one sample per (metric, period): a later read overwrites an earlier
 * one, and a period read again as not-newest stops being provisional.
 */
export class SampleStore {
  readonly #samples = new Map<string, ObservationSample>();

  upsert(samples: ObservationSample[]): ObservationSample[] {
    const changed: ObservationSample[] = [];
    for (const sample of samples) {
      const key = `${sample.metric}\u0000${sample.at}`;
      const old = this.#samples.get(key);
      if (old && old.provisional === false && sample.provisional) {
        // A period once read as complete stays complete; the value may still be refreshed.
        if (old.value !== sample.value) changed.push(sample);
        this.#samples.set(key, { ...sample, provisional: false });
        continue;
      }
      if (!old || old.value !== sample.value || old.provisional !== sample.provisional) changed.push(sample);
      this.#samples.set(key, sample);
    }
    return changed;
  }

  /** Any provisional sample older than the newest of its metric is settled: CloudWatch returned newer data. */
  settle(): void {
    const newest = new Map<string, string>();
    for (const s of this.#samples.values()) {
      const n = newest.get(s.metric);
      if (!n || s.at > n) newest.set(s.metric, s.at);
    }
    for (const [key, s] of this.#samples) {
      if (s.provisional && s.at < newest.get(s.metric)! && !isPollSample(s.metric)) this.#samples.set(key, { ...s, provisional: false });
    }
  }

  all(): ObservationSample[] {
    return [...this.#samples.values()].sort((a, b) => byTime(a, b) || (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  }
}

/** Samples taken from DescribeAutoScalingGroups at poll time, not CloudWatch periods. */
const POLL_METRICS = ['DesiredCapacity', 'InServiceInstances', 'PendingInstances'] as const;

function isPollSample(metric: string): boolean {
  return (POLL_METRICS as readonly string[]).includes(metric);
}
