/**
 * Folds several Results (worker threads, shards on several machines, or runs
 * given to `abx merge`) into one, exactly: histograms are decoded and added,
 * so merged percentiles are those of one histogram that recorded every value;
 * summaries are recomputed from the merged histograms, never averaged.
 *
 * Timelines are lined up by wall-clock second: a bucket's second is counted
 * from the earliest start, so two shards started 3 s apart put their first
 * seconds at 0 and 3. Starts are not aligned to whole seconds of the clock,
 * so a bucket lands on floor((its start − earliest start) / 1 s); the error is
 * below one second, the resolution of the timeline itself.
 *
 * Minimum and maximum are the one exception to "recompute from the merged
 * histogram": a histogram keeps the exact extreme it recorded, but its
 * encoding keeps only the bucket, so a decoded maximum can read a few µs off.
 * The min of the minimums and the max of the maximums are exact, so those win.
 */
import { mergeAddressShares } from './addresses.js';
import { mergeClient } from './client.js';
import {
  bucketPercentiles,
  createCoarseHistogram,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  phaseSummary,
  summarise,
  type Histogram,
} from './histogram.js';
import type {
  AlarmInfo,
  ErrorCount,
  Failures,
  Observation,
  ObservationEvent,
  ObservationSample,
  RateInfo,
  Result,
  TimelineBucket,
  Totals,
} from './result.js';

/** Merges one or more Results; merging a single Result returns an equal one. */
export function mergeResults(results: Result[]): Result {
  if (results.length === 0) throw new RangeError('mergeResults needs at least one result');
  const first = results[0];
  const startedAtMs = Math.min(...results.map((r) => r.startedAtMs));
  const endedAtMs = Math.max(...results.map((r) => r.startedAtMs + r.durationMs));
  const durationMs = endedAtMs - startedAtMs;

  const total = addAll(
    results.map((r) => r.histogram),
    createHistogram,
  );
  const connect = addAll(
    results.map((r) => r.phaseHistograms.connect),
    createHistogram,
  );
  const processing = addAll(
    results.map((r) => r.phaseHistograms.processing),
    createHistogram,
  );
  const waiting = addAll(
    results.map((r) => r.phaseHistograms.waiting),
    createHistogram,
  );
  const serviceEncoded = results.map((r) => r.phaseHistograms.service).filter((s): s is string => s !== undefined);
  const service = serviceEncoded.length > 0 ? addAll(serviceEncoded, createHistogram) : null;

  const totalCounts = countsOf(results.map((r) => r.histogram));
  const totals = sumTotals(results.map((r) => r.totals));
  totals.rps = durationMs > 0 ? totals.completed / (durationMs / 1000) : 0;

  const documentLengths = new Set(results.map((r) => r.server.documentLength));
  const concurrency = sum(results.map((r) => r.concurrency));
  const requestsOption = results.some((r) => r.options.requests === null) ? null : sum(results.map((r) => r.options.requests ?? 0));
  const rate = mergeRate(results.map((r) => r.rate).filter((x): x is RateInfo => x !== undefined));
  const addressLists = results.map((r) => r.addresses).filter((x): x is NonNullable<Result['addresses']> => x !== undefined);
  const client = mergeClient(results.map((r) => r.client).filter((x): x is NonNullable<Result['client']> => x !== undefined));
  const observation = mergeObservations(results.map((r) => r.observation).filter((x): x is Observation => x !== undefined));

  const merged: Result = {
    schema: first.schema,
    tool: { ...first.tool },
    url: first.url,
    method: first.method,
    concurrency,
    startedAt: new Date(startedAtMs).toISOString(),
    startedAtMs,
    durationMs,
    interrupted: results.some((r) => r.interrupted),
    options: {
      ...first.options,
      headers: [...first.options.headers],
      requests: requestsOption,
      concurrency: sum(results.map((r) => r.options.concurrency)),
      workers: sum(results.map((r) => r.options.workers)),
    },
    server: { ...first.server, documentLength: documentLengths.size === 1 ? first.server.documentLength : null },
    totals,
    failures: sumFailures(results.map((r) => r.failures)),
    errors: mergeErrors(results.flatMap((r) => r.errors)),
    statusCodes: sumRecords(results.map((r) => r.statusCodes)),
    latencyMs: withExtremes(
      summarise(total),
      results.map((r) => r.latencyMs),
      totalCounts,
    ),
    ...(service
      ? {
          serviceLatencyMs: withExtremes(
            summarise(service),
            results.map((r) => r.serviceLatencyMs),
            countsOf(results.map((r) => r.phaseHistograms.service)),
          ),
        }
      : {}),
    connectionTimesMs: {
      connect: withExtremes(
        phaseSummary(connect),
        results.map((r) => r.connectionTimesMs.connect),
        countsOf(results.map((r) => r.phaseHistograms.connect)),
      ),
      processing: withExtremes(
        phaseSummary(processing),
        results.map((r) => r.connectionTimesMs.processing),
        countsOf(results.map((r) => r.phaseHistograms.processing)),
      ),
      waiting: withExtremes(
        phaseSummary(waiting),
        results.map((r) => r.connectionTimesMs.waiting),
        countsOf(results.map((r) => r.phaseHistograms.waiting)),
      ),
      total: withExtremes(
        phaseSummary(total),
        results.map((r) => r.connectionTimesMs.total),
        totalCounts,
      ),
    },
    histogram: encodeHistogram(total),
    phaseHistograms: {
      connect: encodeHistogram(connect),
      processing: encodeHistogram(processing),
      waiting: encodeHistogram(waiting),
      ...(service ? { service: encodeHistogram(service) } : {}),
    },
    timeline: mergeTimelines(results, startedAtMs),
    ...mergeLoadShapes(results),
    ...(rate ? { rate } : {}),
    ...(addressLists.length > 0 ? { addresses: mergeAddressShares(addressLists) } : {}),
    ...(client ? { client } : {}),
    ...(observation ? { observation } : {}),
  };
  // Assertion outcomes belong to the run they were evaluated on; a merge must re-evaluate them.
  if (results.length === 1 && first.assertions) merged.assertions = first.assertions.map((a) => ({ ...a }));
  return merged;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

interface Extremes {
  min: number;
  max: number;
}

/** Fields of a summary that are not order statistics, so the exact maximum does not bound them. */
const NOT_CLAMPED = new Set(['min', 'max', 'mean', 'stdev', 'sd']);

/**
 * Replaces a recomputed summary's min/max by the exact ones of the inputs that
 * recorded anything, and bounds the percentiles by that maximum again (as
 * summarise does with the recorded one), so a merged summary reads exactly as
 * if one histogram had recorded every value.
 */
function withExtremes<T extends Extremes>(merged: T, inputs: (Extremes | undefined)[], counts: number[]): T {
  const counted = inputs.filter((s, i): s is Extremes => s !== undefined && (counts[i] ?? 0) > 0);
  if (counted.length === 0) return merged;
  const maxMs = Math.max(...counted.map((s) => s.max));
  // Summaries are flat records of numbers; the cast lets the loop treat them alike.
  const out = { ...merged, min: Math.min(...counted.map((s) => s.min)), max: maxMs } as unknown as Record<string, number>;
  for (const key of Object.keys(out)) if (!NOT_CLAMPED.has(key)) out[key] = Math.min(out[key], maxMs);
  return out as unknown as T;
}

/** Per-input value counts of encoded histograms (0 for a missing one): an empty run's zeros are no minimum. */
const countsOf = (encoded: (string | undefined)[]): number[] => encoded.map((e) => (e === undefined ? 0 : decodeHistogram(e).totalCount));

function addAll(encoded: string[], create: () => Histogram): Histogram {
  const into = create();
  for (const text of encoded) into.add(decodeHistogram(text));
  return into;
}

function sumTotals(all: Totals[]): Totals {
  const out = Object.assign({}, ...all) as Totals;
  // A field an older result lacks (droppedAtDeadline) counts as 0 there.
  for (const key of Object.keys(out) as (keyof Totals)[]) out[key] = sum(all.map((t) => t[key] ?? 0));
  return out;
}

function sumFailures(all: Failures[]): Failures {
  const out = { ...all[0] };
  for (const key of Object.keys(out) as (keyof Failures)[]) out[key] = sum(all.map((f) => f[key]));
  return out;
}

function sumRecords(all: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of all) for (const [key, count] of Object.entries(record)) out[key] = (out[key] ?? 0) + count;
  return out;
}

/** Errors keyed by (category, code); the first message seen is kept. */
function mergeErrors(all: ErrorCount[]): ErrorCount[] {
  const byKey = new Map<string, ErrorCount>();
  for (const error of all) {
    const key = `${error.category}\u0000${error.code}`;
    const seen = byKey.get(key);
    if (seen) seen.count += error.count;
    else byKey.set(key, { ...error });
  }
  return [...byKey.values()];
}

/**
 * Shards of one shaped run each record their share of the stages: the whole's
 * rates are their sums. Shapes that differ in their stages' lengths are not
 * one schedule; the first is kept. The first abort is the run's.
 */
function mergeLoadShapes(results: Result[]): Pick<Result, 'load' | 'aborted'> {
  const out: Pick<Result, 'load' | 'aborted'> = {};
  const aborted = results.find((r) => r.aborted)?.aborted;
  if (aborted) out.aborted = { ...aborted };
  const shapes = results.map((r) => r.load).filter((x): x is NonNullable<Result['load']> => x !== undefined);
  if (shapes.length === 0) return out;
  const first = shapes[0];
  const stages = first.stages?.map((s) => ({ ...s }));
  const sameShape = shapes.every(
    (shape) =>
      shape.model === first.model && shape.stages?.map((s) => s.durationMs).join() === first.stages?.map((s) => s.durationMs).join(),
  );
  if (stages && sameShape && shapes.length > 1) {
    stages.forEach((stage, i) => {
      stage.fromRps = sum(shapes.map((shape) => shape.stages![i].fromRps));
      stage.toRps = sum(shapes.map((shape) => shape.stages![i].toRps));
    });
  }
  out.load = { model: first.model, ...(stages ? { stages } : {}) };
  return out;
}

function mergeRate(all: RateInfo[]): RateInfo | null {
  if (all.length === 0) return null;
  return {
    targetPerSec: sum(all.map((r) => r.targetPerSec)),
    achievedPerSec: sum(all.map((r) => r.achievedPerSec)),
    late: sum(all.map((r) => r.late)),
    maxLagMs: Math.max(...all.map((r) => r.maxLagMs)),
  };
}

interface BucketFold {
  bucket: TimelineBucket;
  histogram: Histogram | null;
  /** False once a contributing bucket had no histogram: percentiles are then approximated. */
  exact: boolean;
  /** The exact maximum of the contributing buckets (see the note on extremes above). */
  maxMs: number;
}

function mergeTimelines(results: Result[], earliestMs: number): TimelineBucket[] {
  const folds = new Map<number, BucketFold>();
  for (const result of results) {
    for (const bucket of result.timeline) {
      const second = Math.floor((result.startedAtMs + bucket.second * 1000 - earliestMs) / 1000);
      const fold = folds.get(second);
      if (!fold) {
        folds.set(second, {
          bucket: { ...bucket, second },
          histogram: bucket.histogram ? addAll([bucket.histogram], createCoarseHistogram) : null,
          exact: bucket.histogram !== undefined,
          maxMs: bucket.maxMs,
        });
        continue;
      }
      const into = fold.bucket;
      into.completed += bucket.completed;
      into.errors += bucket.errors;
      into.non2xx += bucket.non2xx;
      into.bytes += bucket.bytes;
      // Each part's target is its share of the schedule: the whole's is their sum.
      if (bucket.targetRps !== undefined) into.targetRps = (into.targetRps ?? 0) + bucket.targetRps;
      // An empty bucket's maxMs is 0, which never wins.
      fold.maxMs = Math.max(fold.maxMs, bucket.maxMs);
      if (fold.exact && fold.histogram && bucket.histogram) {
        fold.histogram.add(decodeHistogram(bucket.histogram));
      } else {
        // Without both histograms the merged percentiles cannot be exact; keep the worst seen.
        fold.exact = false;
        fold.histogram = null;
        into.p50Ms = Math.max(into.p50Ms, bucket.p50Ms);
        into.p99Ms = Math.max(into.p99Ms, bucket.p99Ms);
        into.maxMs = Math.max(into.maxMs, bucket.maxMs);
      }
    }
  }
  const out: TimelineBucket[] = [];
  for (const second of [...folds.keys()].sort((a, b) => a - b)) {
    const fold = folds.get(second)!;
    const bucket = fold.bucket;
    if (fold.exact && fold.histogram) {
      const h = fold.histogram;
      // Same arithmetic as stats/timeline.ts, so a merged bucket reads like a recorded one.
      Object.assign(bucket, bucketPercentiles(h, fold.maxMs));
      bucket.histogram = encodeHistogram(h);
    } else {
      delete bucket.histogram;
    }
    out.push(bucket);
  }
  return out;
}

/** Stable sort by ISO time, so equal instants keep the order they were seen in. */
const byTime = <T extends { at: string }>(items: T[]): T[] =>
  items
    .map((item, index) => ({ item, index, atMs: Date.parse(item.at) }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index)
    .map((x) => x.item);

function mergeObservations(all: Observation[]): Observation | null {
  if (all.length === 0) return null;
  const first = all[0];

  const events = new Map<string, ObservationEvent>();
  for (const event of all.flatMap((o) => o.events)) {
    const key =
      event.activityId !== undefined ? `activity\u0000${event.activityId}` : `${event.kind}\u0000${event.at}\u0000${event.description}`;
    // A later copy of the same activity carries the newer status (InProgress → Successful).
    events.set(key, { ...event });
  }

  const samples = new Map<string, ObservationSample>();
  for (const sample of all.flatMap((o) => o.samples)) {
    const key = `${sample.at}\u0000${sample.metric}`;
    const seen = samples.get(key);
    // A settled (non-provisional) value beats a provisional one; otherwise the latest seen wins.
    if (!seen || !(sample.provisional && !seen.provisional)) samples.set(key, { ...sample });
  }

  const alarms = new Map<string, AlarmInfo>();
  for (const alarm of all.flatMap((o) => o.alarms)) alarms.set(alarm.name, { ...alarm });

  return {
    asg: first.asg,
    targetGroup: first.targetGroup,
    loadBalancer: first.loadBalancer,
    region: first.region,
    policy: first.policy ? { ...first.policy } : null,
    alarms: [...alarms.values()],
    periodSec: first.periodSec,
    samples: byTime([...samples.values()]),
    events: byTime([...events.values()]),
    gaps: all.flatMap((o) => o.gaps.map((g) => ({ ...g }))),
    warnings: [...new Set(all.flatMap((o) => o.warnings))],
    pollIntervalMs: first.pollIntervalMs,
    polls: sum(all.map((o) => o.polls)),
    apiCalls: sum(all.map((o) => o.apiCalls)),
  };
}
