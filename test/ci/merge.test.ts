import { describe, expect, it } from 'vitest';
import { createCoarseHistogram, createHistogram, decodeHistogram, encodeHistogram, summarise } from '../../src/stats/histogram.js';
import { mergeResults } from '../../src/stats/merge.js';
import type { Result } from '../../src/stats/result.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';
import { schemaErrors } from '../helpers/schema.js';

const T0 = Date.UTC(2026, 10, 26, 16, 0, 0);

/** Deterministic pseudo-random latencies (ms) with a long tail, so percentiles differ between runs. */
function latencies(seed: number, seconds: number, perSecond: number): number[][] {
  let x = seed;
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  return Array.from({ length: seconds }, () =>
    Array.from({ length: perSecond }, () => 2 + next() * 20 + (next() < 0.02 ? 300 * next() : 0)),
  );
}

/** Comparable view of a Result: histograms decoded to their value counts, since encodings may differ in layout. */
function normalise(result: Result): unknown {
  const counts = (encoded: string | undefined): unknown => {
    if (encoded === undefined) return undefined;
    const h = decodeHistogram(encoded);
    return { count: h.totalCount, distribution: h.outputPercentileDistribution() };
  };
  return {
    ...result,
    histogram: counts(result.histogram),
    phaseHistograms: Object.fromEntries(Object.entries(result.phaseHistograms).map(([k, v]) => [k, counts(v)])),
    timeline: result.timeline.map((b) => ({ ...b, histogram: counts(b.histogram) })),
  };
}

describe('mergeResults', () => {
  it('merging a single result returns an equal result', () => {
    const one = makeResult({
      secondsMs: latencies(7, 4, 50),
      startedAtMs: T0,
      errorsPerSecond: [0, 2, 0, 1],
      observation: makeObservation(T0),
    });
    expect(normalise(mergeResults([one]))).toEqual(normalise(one));
  });

  it('counts are sums and percentiles equal one histogram that recorded both runs', () => {
    const aMs = latencies(1, 3, 200);
    const bMs = latencies(2, 3, 150);
    const a = makeResult({
      secondsMs: aMs,
      startedAtMs: T0,
      statusFor: (_s, i) => (i % 50 === 0 ? 500 : 200),
      errorsPerSecond: [1, 0, 0],
      concurrency: 8,
    });
    const b = makeResult({
      secondsMs: bMs,
      startedAtMs: T0,
      statusFor: (_s, i) => (i % 30 === 0 ? 404 : 200),
      errorsPerSecond: [0, 3, 0],
      concurrency: 4,
    });
    const merged = mergeResults([a, b]);

    for (const key of ['requests', 'completed', 'failed', 'non2xx', 'bytes', 'bodyBytes', 'keepAliveRequests', 'connections'] as const) {
      expect(merged.totals[key], key).toBe(a.totals[key] + b.totals[key]);
    }
    expect(merged.totals.completed).toBe(1050);
    expect(merged.failures.connect).toBe(4);
    expect(merged.errors).toEqual([
      { category: 'connect', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8080', count: 4 },
    ]);
    expect(merged.statusCodes).toEqual({ '200': 1050 - 12 - 15, '500': 12, '404': 15 });
    expect(merged.concurrency).toBe(12);
    expect(merged.durationMs).toBe(3000);
    expect(merged.totals.rps).toBe(350);

    const both = createHistogram();
    for (const ms of [...aMs.flat(), ...bMs.flat()]) both.recordValue(Math.round(ms * 1000));
    // Everything as from one histogram; the maximum is the exact recorded one (summarise reads it unrounded too).
    expect(merged.latencyMs).toEqual({ ...summarise(both), max: Math.round(Math.max(...aMs.flat(), ...bMs.flat()) * 1000) / 1000 });
    expect(merged.latencyMs.max).toBe(summarise(both).max);
    // Bucket for bucket the same distribution (the footer's Max line is the raw extreme, which encoding rounds to its bucket).
    const withoutMax = (text: string): string => text.replace(/#\[Max[^\n]*\n/, '');
    expect(withoutMax(decodeHistogram(merged.histogram).outputPercentileDistribution())).toBe(
      withoutMax(both.outputPercentileDistribution()),
    );
    expect(merged.latencyMs.p99).not.toBe(a.latencyMs.p99);
    expect(decodeHistogram(merged.histogram).totalCount).toBe(1050);
    expect(merged.connectionTimesMs.total.median).toBe(merged.latencyMs.p50);

    // Same-second buckets add up and their percentiles come from the merged bucket histogram.
    expect(merged.timeline).toHaveLength(3);
    const second1 = createCoarseHistogram();
    for (const ms of [...aMs[1], ...bMs[1]]) second1.recordValue(Math.round(ms * 1000));
    expect(merged.timeline[1]).toMatchObject({
      second: 1,
      completed: 350,
      errors: 3,
      p50Ms: second1.getValueAtPercentile(50) / 1000,
      p99Ms: second1.getValueAtPercentile(99) / 1000,
      maxMs: Math.round(Math.max(...aMs[1], ...bMs[1]) * 1000) / 1000,
    });
  });

  it('lines timelines up by wall-clock second for runs started seconds apart', () => {
    const a = makeResult({ secondsMs: latencies(3, 4, 10), startedAtMs: T0 });
    // Started 2.4 s later: its second 0 is wall-clock second 2 of the merged run.
    const b = makeResult({ secondsMs: latencies(4, 4, 20), startedAtMs: T0 + 2400 });
    const merged = mergeResults([b, a]);
    expect(merged.startedAtMs).toBe(T0);
    expect(merged.startedAt).toBe(new Date(T0).toISOString());
    expect(merged.durationMs).toBe(6400);
    expect(merged.timeline.map((bucket) => [bucket.second, bucket.completed])).toEqual([
      [0, 10],
      [1, 10],
      [2, 30],
      [3, 30],
      [4, 20],
      [5, 20],
    ]);
    expect(merged.totals.rps).toBeCloseTo(120 / 6.4, 9);
  });

  it('keeps documentLength only when every run agrees', () => {
    const a = makeResult({ secondsMs: [[1]], bodyBytes: 100 });
    const same = makeResult({ secondsMs: [[2]], bodyBytes: 100 });
    const other = makeResult({ secondsMs: [[2]], bodyBytes: 120 });
    expect(mergeResults([a, same]).server.documentLength).toBe(100);
    expect(mergeResults([a, other]).server.documentLength).toBeNull();
  });

  it('de-duplicates observation events and samples, preferring settled samples', () => {
    const a = makeResult({ secondsMs: [[1]], startedAtMs: T0, observation: makeObservation(T0) });
    const bObservation = makeObservation(T0);
    // The second shard saw the last period settle, and one event of its own.
    const lastAt = bObservation.samples[bObservation.samples.length - 1].at;
    bObservation.samples = bObservation.samples.map((s) =>
      s.at === lastAt && s.metric === 'RequestCountPerTarget' ? { ...s, value: 99, provisional: false } : s,
    );
    bObservation.events.push({ at: new Date(T0 + 40_000).toISOString(), kind: 'alarm', description: 'AlarmHigh ALARM → OK' });
    bObservation.gaps = [{ from: new Date(T0).toISOString(), to: new Date(T0 + 2000).toISOString(), reason: 'throttled' }];
    const b = makeResult({ secondsMs: [[1]], startedAtMs: T0, observation: bObservation });

    const merged = mergeResults([a, b]).observation!;
    expect(merged.events).toHaveLength(4);
    expect(merged.events.filter((e) => e.activityId === 'a1b2c3d4-0000-4000-8000-000000000001')).toHaveLength(1);
    expect(merged.samples).toHaveLength(a.observation!.samples.length);
    expect(merged.samples.find((s) => s.at === lastAt && s.metric === 'RequestCountPerTarget')).toMatchObject({
      value: 99,
      provisional: false,
    });
    expect(merged.gaps).toHaveLength(1);
    expect(merged.polls).toBe(120);

    // The settled value wins whatever the order.
    const reversed = mergeResults([b, a]).observation!;
    expect(reversed.samples.find((s) => s.at === lastAt && s.metric === 'RequestCountPerTarget')).toMatchObject({
      value: 99,
      provisional: false,
    });
  });

  it('drops per-run assertion outcomes when merging several runs', () => {
    const a = { ...makeResult({ secondsMs: [[1]] }), assertions: [{ expression: 'p99<1ms', actual: 1, unit: 'ms', passed: false }] };
    expect(mergeResults([a]).assertions).toEqual(a.assertions);
    expect(mergeResults([a, a]).assertions).toBeUndefined();
  });

  it('merges --rate results: service latency from the merged service histograms, rate counters summed', () => {
    const withRate = (seed: number, targetPerSec: number): Result => {
      const result = makeResult({ secondsMs: latencies(seed, 2, 40), startedAtMs: T0 });
      const service = createHistogram();
      for (const ms of latencies(seed + 100, 2, 40).flat()) service.recordValue(Math.round(ms * 1000));
      return {
        ...result,
        serviceLatencyMs: summarise(service),
        phaseHistograms: { ...result.phaseHistograms, service: encodeHistogram(service) },
        rate: { targetPerSec, achievedPerSec: targetPerSec - 1, late: 3, maxLagMs: targetPerSec / 10 },
      };
    };
    const merged = mergeResults([withRate(5, 40), withRate(6, 60)]);
    const both = createHistogram();
    for (const ms of [...latencies(105, 2, 40).flat(), ...latencies(106, 2, 40).flat()]) both.recordValue(Math.round(ms * 1000));
    const all = [...latencies(105, 2, 40).flat(), ...latencies(106, 2, 40).flat()].map((ms) => Math.round(ms * 1000));
    // The minimum is read from the histogram (its bucket's lowest value) in both; the maximum is the recorded one.
    expect(merged.serviceLatencyMs).toEqual({ ...summarise(both), max: Math.max(...all) / 1000 });
    expect(merged.rate).toEqual({ targetPerSec: 100, achievedPerSec: 98, late: 6, maxLagMs: 6 });
  });

  it('buckets without histograms still add up; their percentiles fall back to the worst seen', () => {
    const strip = (r: Result): Result => ({ ...r, timeline: r.timeline.map(({ histogram: _h, ...bucket }) => bucket) });
    const a = strip(makeResult({ secondsMs: [[1, 2, 3]], startedAtMs: T0 }));
    const b = strip(makeResult({ secondsMs: [[10, 20]], startedAtMs: T0 }));
    const [bucket] = mergeResults([a, b]).timeline;
    expect(bucket).toEqual({
      second: 0,
      completed: 5,
      errors: 0,
      non2xx: 0,
      bytes: a.timeline[0].bytes + b.timeline[0].bytes,
      p50Ms: b.timeline[0].p50Ms,
      p99Ms: b.timeline[0].p99Ms,
      maxMs: 20,
    });
  });

  it('a merged result, observation included, is valid against the result schema', () => {
    const a = makeResult({ secondsMs: latencies(8, 3, 20), startedAtMs: T0, errorsPerSecond: [1, 0, 0], observation: makeObservation(T0) });
    const b = makeResult({ secondsMs: latencies(9, 3, 20), startedAtMs: T0 + 1200, observation: makeObservation(T0) });
    expect(schemaErrors(JSON.parse(JSON.stringify(mergeResults([a, b]))))).toEqual([]);
  });
});
