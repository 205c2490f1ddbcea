/** Per-period metrics: aligned periods, time-weighted gauges, the provisional newest period. */
import { describe, expect, it } from 'vitest';
import { MetricStore, requestCountPerTarget, type Gauges } from '../../src/lab/metrics.js';

const g = (healthy: number): Gauges => ({
  healthy,
  unhealthy: 0,
  registered: healthy,
  desired: healthy,
  inService: healthy,
  pending: 0,
  terminating: 0,
  min: 2,
  max: 6,
});

describe('metric store', () => {
  it('counts requests in the period they arrive in, periods aligned to periodMs', () => {
    const start = 1_000_000_250;
    const store = new MetricStore(1000, start, g(2));
    store.recordTargetRequest(start + 10, 20, 5);
    store.recordTargetRequest(start + 700, 20, 5);
    store.recordTargetRequest(start + 760, 40, 5);
    store.recordElb5xx(start + 800);
    const closed = store.closeThrough(start + 1800);
    expect(closed.map((p) => p.startMs)).toEqual([1_000_000_000, 1_000_001_000]);
    expect(closed.map((p) => p.requestCount)).toEqual([2, 1]);
    expect(closed[1].elb5xxCount).toBe(1);
    expect(closed[0].targetResponseTimeSumSec).toBeCloseTo(0.04, 9);
    expect(store.closeThrough(start + 1900)).toEqual([]);
  });

  it('gauges are time-weighted: a target that joins half-way counts as half', () => {
    const store = new MetricStore(1000, 0, g(2));
    for (let i = 0; i < 150; i++) store.recordTargetRequest(i, 1, 1);
    store.setGauges(500, g(4));
    const [p] = store.closeThrough(1000);
    expect(p.gauges.healthy).toBe(3);
    expect(requestCountPerTarget(p)).toBe(50);
  });

  it('the current period is included, provisional, in range queries', () => {
    const store = new MetricStore(1000, 0, g(2));
    store.recordTargetRequest(100, 1, 1);
    store.recordTargetRequest(1100, 1, 1);
    store.recordTargetRequest(1200, 1, 1);
    const periods = store.periods(0, 5000, 1500);
    expect(periods.map((p) => [p.startMs, p.requestCount])).toEqual([
      [0, 1],
      [1000, 2],
    ]);
    expect(store.periods(1000, 5000, 1500).map((p) => p.startMs)).toEqual([1000]);
    expect(store.periods(0, 1000, 1500).map((p) => p.startMs)).toEqual([0]);
  });
});
