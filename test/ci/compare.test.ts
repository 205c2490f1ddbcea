import { describe, expect, it } from 'vitest';
import { compareResults } from '../../src/stats/compare.js';
import { makeResult } from '../fixtures/make-result.js';

/** 2 seconds of `perSecond` requests with latencies spread evenly over [lowMs, highMs). */
function run(perSecond: number, lowMs: number, highMs: number) {
  const second = Array.from({ length: perSecond }, (_, i) => lowMs + ((highMs - lowMs) * i) / perSecond);
  return makeResult({ secondsMs: [second, second] });
}

describe('compareResults', () => {
  const base = run(100, 10, 30);

  it('reports deltas against the base in percent', () => {
    const next = run(120, 10, 30);
    const comparison = compareResults(base, next, 10);
    const rps = comparison.rows.find((r) => r.metric === 'rps')!;
    expect(rps).toEqual({ metric: 'rps', base: 100, next: 120, deltaPct: 20, worse: false });
    const p99 = comparison.rows.find((r) => r.metric === 'p99 ms')!;
    expect(p99.base).toBe(base.latencyMs.p99);
    expect(p99.next).toBe(next.latencyMs.p99);
    expect(p99.deltaPct).toBeCloseTo(((next.latencyMs.p99 - base.latencyMs.p99) / base.latencyMs.p99) * 100, 9);
    expect(comparison.rows.map((r) => r.metric)).toEqual(['rps', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'p999 ms', 'max ms']);
    expect(comparison.regressed).toBe(false);
  });

  it('lower throughput beyond the limit is a regression, within it is not', () => {
    expect(compareResults(base, run(85, 10, 30), 10).regressed).toBe(true);
    expect(compareResults(base, run(85, 10, 30), 20).regressed).toBe(false);
    const row = compareResults(base, run(85, 10, 30), 10).rows[0];
    expect(row).toMatchObject({ metric: 'rps', deltaPct: -15, worse: true });
  });

  it('higher latency beyond the limit is a regression; lower latency never is', () => {
    const slower = compareResults(base, run(100, 12, 36), 10);
    expect(slower.regressed).toBe(true);
    expect(slower.rows.filter((r) => r.worse).map((r) => r.metric)).toEqual(['mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'p999 ms']);
    const faster = compareResults(base, run(100, 5, 15), 10);
    expect(faster.regressed).toBe(false);
    expect(faster.rows.find((r) => r.metric === 'p99 ms')!.deltaPct).toBeLessThan(-40);
  });

  it('the maximum alone never decides', () => {
    // 5000 requests, so p999 is not the single slowest one.
    const even = Array.from({ length: 5000 }, (_, i) => 10 + (20 * i) / 5000);
    const calm = makeResult({ secondsMs: [even] });
    const spike = makeResult({ secondsMs: [[...even.slice(0, -1), 900]] });
    const comparison = compareResults(calm, spike, 10);
    expect(comparison.rows.find((r) => r.metric === 'max ms')!.deltaPct).toBeGreaterThan(1000);
    expect(comparison.rows.find((r) => r.metric === 'max ms')!.worse).toBe(false);
    expect(comparison.regressed).toBe(false);
  });

  it('a zero base gives 0 % when unchanged and an infinite change otherwise', () => {
    const empty = makeResult({ secondsMs: [[]] });
    expect(compareResults(empty, empty, 10).rows.every((r) => r.deltaPct === 0)).toBe(true);
    const comparison = compareResults(empty, base, 10);
    expect(comparison.rows[0].deltaPct).toBe(Infinity);
    expect(comparison.regressed).toBe(true);
  });
});
