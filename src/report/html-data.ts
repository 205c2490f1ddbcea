/**
 * The numbers the HTML report draws, derived from a Result.
 *
 * Everything here is computed at render time in Node (decoding the HDR
 * histograms included), so the page itself only plots arrays: it needs no
 * histogram code and opens instantly even for long runs. Every time axis is
 * in seconds since the run's start, so the load charts and the AWS charts
 * line up under one synced cursor.
 */
import { decodeHistogram, type Histogram } from '../stats/histogram.js';
import type { Observation, ObservationSample, Result } from '../stats/result.js';

/** A uPlot series: one value per x, null where there is nothing to draw. */
export type Series = (number | null)[];

export interface ThroughputData {
  /** Seconds since the run's start. */
  xSec: number[];
  completedPerSec: Series;
  errorsPerSec: Series;
  non2xxPerSec: Series;
  /** Open loop: the schedule's target rate each second (absent in a closed loop). */
  targetPerSec?: Series;
}

export interface LatencyTimelineData {
  xSec: number[];
  p50Ms: Series;
  p90Ms: Series;
  p99Ms: Series;
  maxMs: Series;
}

export interface DistributionData {
  /** 1 / (1 - percentile/100): 1 = 0 %, 10 = 90 %, 100 = 99 %, ... (log axis, as HdrHistogram plots). */
  inverseTail: number[];
  /** Total latency (corrected, in --rate mode) at each percentile, in ms. */
  totalMs: Series;
  /** --rate only: service latency at each percentile, in ms. */
  serviceMs: Series | null;
}

export interface RequestCountData {
  xSec: number[];
  /** Final datapoints; the newest period CloudWatch may still fill in is in `provisional`. */
  value: Series;
  provisional: Series;
  /** The target-tracking policy's target value, or null without a policy. */
  target: Series | null;
  targetValue: number | null;
}

export interface CapacityData {
  xSec: number[];
  desired: Series;
  inService: Series;
  healthy: Series;
}

export interface Marker {
  atSec: number;
  kind: 'alarm' | 'scaling-activity';
  /** Short label drawn next to the line. */
  label: string;
  /** Full text shown on hover (plain text; the page inserts it with textContent). */
  text: string;
}

export interface GapData {
  fromSec: number;
  toSec: number;
  reason: string;
}

export interface ChartData {
  /** Common x range of every time chart, in seconds since the start. */
  xRangeSec: [number, number];
  rateMode: boolean;
  throughput: ThroughputData | null;
  latency: LatencyTimelineData | null;
  distribution: DistributionData | null;
  requestCount: RequestCountData | null;
  capacity: CapacityData | null;
  markers: Marker[];
  gaps: GapData[];
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** A histogram decoded, or null when absent or unreadable (a hand-edited file must still render). */
function tryDecode(encoded: string | undefined): Histogram | null {
  if (!encoded) return null;
  try {
    return decodeHistogram(encoded);
  } catch {
    return null;
  }
}

function throughputOf(result: Result): ThroughputData | null {
  if (result.timeline.length === 0) return null;
  return {
    xSec: result.timeline.map((b) => b.second),
    completedPerSec: result.timeline.map((b) => b.completed),
    errorsPerSec: result.timeline.map((b) => b.errors),
    non2xxPerSec: result.timeline.map((b) => b.non2xx),
    ...(result.timeline.some((b) => b.targetRps !== undefined) ? { targetPerSec: result.timeline.map((b) => b.targetRps ?? null) } : {}),
  };
}

function latencyOf(result: Result): LatencyTimelineData | null {
  if (!result.timeline.some((b) => b.completed > 0)) return null;
  const p90Ms: Series = result.timeline.map((b) => {
    if (b.completed === 0) return null;
    // p90 is not stored per second; the bucket's own histogram has it exactly.
    const histogram = tryDecode(b.histogram);
    if (!histogram || histogram.totalCount === 0) return null;
    return round3(histogram.getValueAtPercentile(90) / 1000);
  });
  // A second with no response has no latency: a gap, not a zero.
  const when = (v: number, completed: number): number | null => (completed > 0 ? round3(v) : null);
  return {
    xSec: result.timeline.map((b) => b.second),
    p50Ms: result.timeline.map((b) => when(b.p50Ms, b.completed)),
    p90Ms,
    p99Ms: result.timeline.map((b) => when(b.p99Ms, b.completed)),
    maxMs: result.timeline.map((b) => when(b.maxMs, b.completed)),
  };
}

/**
 * Percentiles spaced evenly on the log(1/(1-p)) axis, up to where the sample
 * count still resolves them (beyond 1/count every percentile is the max).
 */
function distributionOf(result: Result): DistributionData | null {
  const total = tryDecode(result.histogram);
  if (!total || total.totalCount === 0) return null;
  const service = result.rate || result.serviceLatencyMs ? tryDecode(result.phaseHistograms.service) : null;
  const maxDecades = Math.min(6, Math.max(1, Math.log10(total.totalCount)));
  const stepsPerDecade = 20;
  const inverseTail: number[] = [];
  for (let i = 0; i <= Math.ceil(maxDecades * stepsPerDecade); i++) {
    inverseTail.push(round3(Math.pow(10, Math.min(maxDecades, i / stepsPerDecade))));
  }
  const last = inverseTail.length - 1;
  // The curve ends at the summary's max: a decoded histogram only knows the
  // max to its bucket's upper edge, the summary knows the value recorded.
  const curve = (h: Histogram, maxMs: number | undefined): Series =>
    inverseTail.map((x, i) => (i === last ? round3(maxMs ?? h.maxValue / 1000) : round3(h.getValueAtPercentile(100 * (1 - 1 / x)) / 1000)));
  return {
    inverseTail,
    totalMs: curve(total, result.latencyMs.max),
    serviceMs: service && service.totalCount > 0 ? curve(service, result.serviceLatencyMs?.max) : null,
  };
}

/** Samples of several metrics folded onto one sorted x axis (seconds since start). */
function align(
  samples: ObservationSample[],
  startedAtMs: number,
  metrics: string[],
): { xSec: number[]; columns: Map<string, Series>; provisional: Map<string, boolean[]> } {
  const relevant = samples.filter((s) => metrics.includes(s.metric) && Number.isFinite(Date.parse(s.at)));
  const xSec = [...new Set(relevant.map((s) => (Date.parse(s.at) - startedAtMs) / 1000))].sort((a, b) => a - b);
  const index = new Map(xSec.map((x, i) => [x, i]));
  const columns = new Map<string, Series>(metrics.map((m) => [m, xSec.map((): number | null => null)]));
  const provisional = new Map<string, boolean[]>(metrics.map((m) => [m, xSec.map(() => false)]));
  for (const s of relevant) {
    const i = index.get((Date.parse(s.at) - startedAtMs) / 1000);
    if (i === undefined) continue;
    columns.get(s.metric)![i] = s.value;
    provisional.get(s.metric)![i] = s.provisional;
  }
  return { xSec, columns, provisional };
}

function requestCountOf(observation: Observation, startedAtMs: number): RequestCountData | null {
  const { xSec, columns, provisional } = align(observation.samples, startedAtMs, ['RequestCountPerTarget']);
  if (xSec.length === 0) return null;
  const all = columns.get('RequestCountPerTarget')!;
  const isProvisional = provisional.get('RequestCountPerTarget')!;
  const value: Series = all.map((v, i) => (isProvisional[i] ? null : v));
  // The provisional segment starts at the last final point so the line stays continuous.
  const provisionalSeries: Series = all.map((v, i) =>
    isProvisional[i] || (isProvisional[i + 1] === true && !isProvisional[i]) ? v : null,
  );
  const targetValue = observation.policy?.targetValue ?? null;
  return {
    xSec,
    value,
    provisional: provisionalSeries,
    target: targetValue === null ? null : xSec.map(() => targetValue),
    targetValue,
  };
}

function capacityOf(observation: Observation, startedAtMs: number): CapacityData | null {
  const metrics = ['DesiredCapacity', 'InServiceInstances', 'HealthyHostCount'];
  const { xSec, columns } = align(observation.samples, startedAtMs, metrics);
  if (xSec.length === 0) return null;
  return {
    xSec,
    desired: columns.get('DesiredCapacity')!,
    inService: columns.get('InServiceInstances')!,
    healthy: columns.get('HealthyHostCount')!,
  };
}

function markersOf(observation: Observation, startedAtMs: number): Marker[] {
  const markers: Marker[] = [];
  for (const e of observation.events) {
    const atMs = Date.parse(e.at);
    if (!Number.isFinite(atMs) || (e.kind !== 'alarm' && e.kind !== 'scaling-activity')) continue;
    const atSec = (atMs - startedAtMs) / 1000;
    if (e.kind === 'alarm') {
      const name = e.alarmName ?? 'alarm';
      const change = e.fromState || e.toState ? `${e.fromState ?? '?'} → ${e.toState ?? '?'}` : '';
      markers.push({
        atSec,
        kind: 'alarm',
        label: e.toState ?? 'alarm',
        text: [`${name}${change ? `: ${change}` : ''}`, e.description].filter((t, i, all) => t && all.indexOf(t) === i).join('\n'),
      });
    } else {
      const capacity = e.fromCapacity !== undefined && e.toCapacity !== undefined ? `${e.fromCapacity} → ${e.toCapacity}` : '';
      const endedMs = e.endedAt ? Date.parse(e.endedAt) : NaN;
      const took = Number.isFinite(endedMs) ? `took ${Math.round((endedMs - atMs) / 1000)} s` : 'in progress';
      const head = ['scaling', capacity, e.statusCode ? `(${e.statusCode}, ${took})` : `(${took})`].filter(Boolean).join(' ');
      markers.push({
        atSec,
        kind: 'scaling-activity',
        label: capacity || 'scaling',
        text: [head, e.description, e.cause].filter(Boolean).join('\n'),
      });
    }
  }
  return markers.sort((a, b) => a.atSec - b.atSec);
}

export function chartDataOf(result: Result): ChartData {
  const observation = result.observation;
  const requestCount = observation ? requestCountOf(observation, result.startedAtMs) : null;
  const capacity = observation ? capacityOf(observation, result.startedAtMs) : null;
  const markers = observation ? markersOf(observation, result.startedAtMs) : [];
  const gaps: GapData[] = (observation?.gaps ?? [])
    .map((g) => ({
      fromSec: (Date.parse(g.from) - result.startedAtMs) / 1000,
      toSec: (Date.parse(g.to) - result.startedAtMs) / 1000,
      reason: g.reason,
    }))
    .filter((g) => Number.isFinite(g.fromSec) && Number.isFinite(g.toSec));
  const xs: number[] = [0, Math.max(1, result.durationMs / 1000)].concat(
    result.timeline.map((b) => b.second),
    requestCount?.xSec ?? [],
    capacity?.xSec ?? [],
    markers.map((m) => m.atSec),
  );
  // A loop, not Math.min(...xs): a day-long run has more seconds than a call may take arguments.
  let minSec = Infinity;
  let maxSec = -Infinity;
  for (const x of xs) {
    if (x < minSec) minSec = x;
    if (x > maxSec) maxSec = x;
  }
  return {
    xRangeSec: [minSec, maxSec],
    rateMode: result.rate !== undefined || result.serviceLatencyMs !== undefined,
    throughput: throughputOf(result),
    latency: latencyOf(result),
    distribution: distributionOf(result),
    requestCount,
    capacity,
    markers,
    gaps,
  };
}
