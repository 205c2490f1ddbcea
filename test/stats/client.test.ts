import { describe, expect, it } from 'vitest';
import { isSaturated, mergeClient, rateBound, summariseClient, type ClientSample } from '../../src/stats/client.js';
import type { RateInfo } from '../../src/stats/result.js';

const context = { workers: 2, cores: 4, workersReason: '2 workers: --workers 2, 4 cores', startupMs: 40 };
/** One whole second per entry, with each worker's utilisation. */
const seconds = (...perSecond: number[][]): ClientSample[] =>
  perSecond.map((utilization) => ({ elapsedMs: 1000, utilization, cpuUs: 500_000 }));
const onTime: RateInfo = { targetPerSec: 1000, achievedPerSec: 999, late: 0, maxLagMs: 1 };

describe('the saturation verdict', () => {
  it.each([
    // [what, samples, rate, saturated]
    ['a light run', seconds([0.1, 0.05], [0.2, 0.1], [0.1, 0.1]), undefined, false],
    ['one worker busy for 1 of 5 s (a fifth)', seconds([0.95, 0.1], [0.3, 0.1], [0.3, 0.1], [0.3, 0.1], [0.3, 0.1]), undefined, true],
    ['busy just under a fifth (1 of 6 s)', seconds([0.95, 0], [0.3, 0], [0.3, 0], [0.3, 0], [0.3, 0], [0.3, 0]), undefined, false],
    ['89 % is not busy', seconds([0.89, 0.89], [0.89, 0.89]), undefined, false],
    // The busiest worker decides, not the average of the workers.
    ['one of two workers pinned', seconds([1, 0], [1, 0]), undefined, true],
    ['--rate behind with lanes free', seconds([0.5, 0.5]), { targetPerSec: 1000, achievedPerSec: 700, late: 0, maxLagMs: 300 }, true],
    [
      '--rate behind because the cap was reached (the server)',
      seconds([0.5, 0.5]),
      { targetPerSec: 1000, achievedPerSec: 700, late: 40, maxLagMs: 300 },
      false,
    ],
    ['--rate on schedule', seconds([0.5, 0.5]), onTime, false],
    // A run too short to judge (one 30 ms sample at full tilt while connecting) is not saturated.
    ['a 30 ms run', [{ elapsedMs: 30, utilization: [1, 1], cpuUs: 30_000 }], undefined, false],
  ])('%s', (_what, samples, rate, saturated) => {
    expect(summariseClient(samples, { ...context, rate }).saturated).toBe(saturated);
  });

  it('folds CPU, the mean and the busiest worker-second, and ignores finished workers', () => {
    const client = summariseClient(
      [
        { elapsedMs: 1000, utilization: [1, 0.5], cpuUs: 900_000 },
        { elapsedMs: 1000, utilization: [0.5, Number.NaN], cpuUs: 600_000 },
        // The tail: counted in the mean and the CPU, too short for the verdict and the maximum.
        { elapsedMs: 100, utilization: [1, Number.NaN], cpuUs: 100_000 },
      ],
      context,
    );
    expect(client).toEqual({
      workers: 2,
      cores: 4,
      workersReason: '2 workers: --workers 2, 4 cores',
      startupMs: 40,
      cpuSeconds: 1.6,
      eventLoopUtilization: { mean: round3((1000 + 500 + 500 + 100) / 3100), max: 1 },
      busySeconds: 1,
      seconds: 2,
      saturated: true,
    });
  });

  it('isSaturated takes either cause', () => {
    expect(isSaturated({ busySeconds: 0, seconds: 10 })).toBe(false);
    expect(isSaturated({ busySeconds: 2, seconds: 10 })).toBe(true);
    expect(isSaturated({ busySeconds: 0, seconds: 0 }, { ...onTime, achievedPerSec: 100 })).toBe(true);
  });
});

describe('what bound a --rate run', () => {
  const client = summariseClient(seconds([0.99], [0.99]), { ...context, workers: 1 });
  const idle = summariseClient(seconds([0.1], [0.1]), { ...context, workers: 1 });
  it.each([
    ['busy loop, cap reached', { ...onTime, achievedPerSec: 500, late: 10 }, client, 'client'],
    ['idle loop, cap reached', { ...onTime, achievedPerSec: 500, late: 10 }, idle, 'server'],
    ['idle loop, behind with lanes free', { ...onTime, achievedPerSec: 500 }, idle, 'client'],
    ['on schedule', onTime, idle, null],
  ] as const)('%s', (_what, rate, stats, bound) => {
    expect(rateBound(rate, stats)).toBe(bound);
  });
});

describe('merging client figures (shards on several machines)', () => {
  it('adds workers, cores and CPU, weights the mean, keeps the worst', () => {
    const a = summariseClient(seconds([0.2], [0.2]), { ...context, workers: 1, workersReason: '1 worker: 1 core, remote target' });
    const b = summariseClient(seconds([1, 1], [1, 1], [1, 1]), context);
    const merged = mergeClient([a, b])!;
    expect(merged.workers).toBe(3);
    expect(merged.cores).toBe(8);
    expect(merged.cpuSeconds).toBe(2.5);
    expect(merged.eventLoopUtilization.max).toBe(1);
    expect(merged.eventLoopUtilization.mean).toBeCloseTo((0.2 * 1 * 2 + 1 * 2 * 3) / (1 * 2 + 2 * 3), 3);
    expect(merged.saturated).toBe(true);
    expect(merged.workersReason).toBe('3 workers over 2 runs');
    // Runs that agree keep their one reason, after the merged totals (a fleet's identical tasks).
    expect(mergeClient([b, b])!.workersReason).toBe('4 workers over 2 runs (each 2 workers: --workers 2, 4 cores)');
    expect(mergeClient([])).toBeNull();
    expect(mergeClient([a])).toEqual(a);
  });
});

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
