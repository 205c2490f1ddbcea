import { describe, expect, it } from 'vitest';
import { AbortWindow, type SecondCounts } from '../../src/stats/abort-window.js';
import { SecondsFold } from '../../src/engine/seconds-fold.js';
import { createCoarseHistogram, decodeHistogram, encodeHistogram } from '../../src/stats/histogram.js';
import { parseAssertion } from '../../src/stats/thresholds.js';

const when = (...expressions: string[]) => expressions.map((e) => parseAssertion(e, { observing: false, flag: '--abort-on' }));

function histogramOf(latenciesMs: number[]): string {
  const h = createCoarseHistogram();
  for (const ms of latenciesMs) h.recordValue(ms * 1000);
  return encodeHistogram(h);
}

const second = (n: number, completed: number, errors: number, non2xx = 0, latencyMs = 10): SecondCounts => ({
  second: n,
  completed,
  errors,
  non2xx,
  ...(completed > 0 ? { histogram: histogramOf(Array.from({ length: completed }, () => latencyMs)) } : {}),
});

describe('--abort-on over a sliding window', () => {
  it('is not armed during the grace time, then fires on the window, not on the run', () => {
    const window = new AbortWindow({ conditions: when('errors>20%'), windowSec: 2, graceSec: 3 });
    // Seconds 0 and 1 are all errors, but within the grace (second 1 ends 2 s in).
    expect(window.add(second(0, 0, 50))).toBeNull();
    expect(window.add(second(1, 0, 50))).toBeNull();
    // Second 2 ends 3 s in: armed; the window (seconds 1-2) is 50 errors of 150 = 33 %.
    expect(window.add(second(2, 100, 0))).toEqual({ condition: 'errors>20%', atSecond: 2, actual: (50 / 150) * 100 });
  });

  it('forgets seconds that left the window', () => {
    const window = new AbortWindow({ conditions: when('errors>20%'), windowSec: 2, graceSec: 0 });
    expect(window.add(second(0, 10, 0))).toBeNull();
    expect(window.add(second(1, 100, 0))).toBeNull();
    // 30 of 130 in seconds 1-2 = 23 %: fires. Over the run (30 of 140 = 21 %) it would too; check the next case.
    expect(window.add(second(2, 0, 30))?.atSecond).toBe(2);
    const calm = new AbortWindow({ conditions: when('errors>=50%'), windowSec: 1, graceSec: 0 });
    expect(calm.add(second(0, 0, 100))?.condition).toBe('errors>=50%');
    const later = new AbortWindow({ conditions: when('errors>=50%'), windowSec: 1, graceSec: 0 });
    expect(later.add(second(0, 100, 0))).toBeNull();
    // Only the last second counts: 0 errors in it.
    expect(later.add(second(1, 100, 0))).toBeNull();
  });

  it('measures latency percentiles, non-2xx shares and rps over the window; the first that holds is named', () => {
    const window = new AbortWindow({ conditions: when('rps<5', 'p99>500ms', 'non2xx>1'), windowSec: 2, graceSec: 0 });
    expect(window.add(second(0, 10, 0, 0, 100))).toBeNull();
    const fired = window.add(second(1, 10, 0, 0, 900));
    expect(fired?.condition).toBe('p99>500ms');
    expect(fired!.actual).toBeGreaterThan(850);
    const slow = new AbortWindow({ conditions: when('rps<5'), windowSec: 2, graceSec: 0 });
    expect(slow.add(second(0, 4, 0))?.actual).toBe(4);
  });

  it('a share of no requests measures nothing and never fires', () => {
    const window = new AbortWindow({ conditions: when('errors>1%', 'p99>1ms'), windowSec: 3, graceSec: 0 });
    expect(window.add(second(0, 0, 0))).toBeNull();
  });
});

describe('seconds from several workers', () => {
  it('hands on each second once every worker reported it, in order, with counts and histograms added', () => {
    const seen: SecondCounts[] = [];
    const fold = new SecondsFold(2, (s) => seen.push(s));
    fold.add(second(0, 3, 1, 0, 10));
    fold.add(second(1, 2, 0, 1, 20));
    expect(seen).toEqual([]);
    fold.add(second(0, 5, 0, 2, 30));
    expect(seen.map((s) => [s.second, s.completed, s.errors, s.non2xx])).toEqual([[0, 8, 1, 2]]);
    expect(decodeHistogram(seen[0].histogram!).totalCount).toBe(8);
    fold.add(second(1, 0, 4));
    expect(seen.map((s) => [s.second, s.completed, s.errors, s.non2xx])).toEqual([
      [0, 8, 1, 2],
      [1, 2, 4, 1],
    ]);
  });
});
