import { describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import {
  constantSchedule,
  sliceCount,
  sliceIndex,
  stagesRequests,
  stagesSchedule,
  targetPerSecond,
  type LoadStage,
  type Schedule,
} from '../../src/engine/schedule.js';
import { splitConfig } from '../../src/engine/split.js';

const s = (durationSec: number, fromRps: number, toRps: number): LoadStage => ({ durationMs: durationSec * 1000, fromRps, toRps });

/** Every request's due time, in order, until the schedule has none. */
function allDue(schedule: Schedule, cap = 1_000_000): number[] {
  const out: number[] = [];
  for (let i = 0; i < cap; i++) {
    const due = schedule.dueMs(i);
    if (!Number.isFinite(due)) break;
    out.push(due);
  }
  return out;
}

/** The rate's exact integral over each whole second, by Simpson's rule on the piecewise-linear rate (exact). */
function integralPerSecond(stages: LoadStage[]): number[] {
  const totalMs = stages.reduce((t, x) => t + x.durationMs, 0);
  const rate = (ms: number): number => {
    let at = 0;
    for (const stage of stages) {
      if (ms < at + stage.durationMs) return stage.fromRps + ((stage.toRps - stage.fromRps) * (ms - at)) / stage.durationMs;
      at += stage.durationMs;
    }
    return 0;
  };
  const out: number[] = [];
  for (let sec = 0; sec * 1000 < totalMs; sec++) {
    // 1 ms slices, midpoint rule: exact for a linear rate inside each slice (stage edges fall on whole ms).
    let sum = 0;
    for (let ms = sec * 1000; ms < Math.min(totalMs, (sec + 1) * 1000); ms++) sum += rate(ms + 0.5) / 1000;
    out.push(sum);
  }
  return out;
}

const SHAPES: Array<[name: string, stages: LoadStage[], first: number, second: number, count: number]> = [
  // name, stages, due ms of request 0, of request 1, requests in all
  ['a hold', [s(5, 100, 100)], 0, 10, 500],
  ['a ramp up from 0', [s(10, 0, 100)], 0, Math.sqrt(2 / 10) * 1000, 500],
  ['a ramp down to 0', [s(4, 200, 0)], 0, 1000 * ((200 - Math.sqrt(200 * 200 - 2 * 50)) / 50), 400],
  ['steps', [s(2, 50, 50), s(2, 100, 100), s(2, 150, 150)], 0, 20, 600],
  ['a mix: up, hold, down', [s(3, 0, 100), s(3, 100, 300), s(2, 300, 0)], 0, Math.sqrt(2 / (100 / 3)) * 1000, 1050],
  ['a mix with a pause at 0', [s(2, 0, 100), s(2, 0, 0), s(2, 100, 100)], 0, Math.sqrt(2 / 50) * 1000, 300],
];

describe('stages schedule', () => {
  it.each(SHAPES)('%s: requests 0, 1 and the last, and the count', (_name, stages, first, second, count) => {
    const schedule = stagesSchedule(stages);
    const due = allDue(schedule);
    expect(due.length).toBe(count);
    expect(stagesRequests(stages)).toBe(count);
    expect(due[0]).toBeCloseTo(first, 6);
    expect(due[1]).toBeCloseTo(second, 6);
    const endMs = stages.reduce((t, x) => t + x.durationMs, 0);
    expect(due[count - 1]).toBeLessThan(endMs);
    // The last request is where the integral reaches count − 1: within one request's gap of the end at the end rate.
    expect(schedule.scheduledBefore(due[count - 1])).toBeCloseTo(count - 1, 6);
    for (let i = 1; i < due.length; i++) expect(due[i]).toBeGreaterThanOrEqual(due[i - 1]);
  });

  it.each(SHAPES)('%s: the count in each second is the rate’s integral within 1', (_name, stages) => {
    const due = allDue(stagesSchedule(stages));
    const expected = integralPerSecond(stages);
    const counted = expected.map(() => 0);
    for (const ms of due) counted[Math.floor(ms / 1000)]++;
    counted.forEach((count, sec) => expect(Math.abs(count - expected[sec])).toBeLessThanOrEqual(1));
  });

  it('reads the target rate at a time, 0 after the end', () => {
    const schedule = stagesSchedule([s(2, 0, 100), s(2, 100, 100), s(2, 100, 0)]);
    expect(schedule.rateAtMs(0)).toBe(0);
    expect(schedule.rateAtMs(1000)).toBeCloseTo(50, 9);
    expect(schedule.rateAtMs(3000)).toBe(100);
    expect(schedule.rateAtMs(5000)).toBeCloseTo(50, 9);
    expect(schedule.rateAtMs(6000)).toBe(0);
  });

  it('gives each second its target: rising, then falling', () => {
    const schedule = stagesSchedule([s(3, 0, 100), s(3, 100, 300), s(2, 300, 0)]);
    const targets = targetPerSecond(schedule, 8, Number.POSITIVE_INFINITY);
    expect(targets.reduce((a, b) => a + b, 0)).toBeCloseTo(1050, 6);
    expect(targets.slice(0, 6)).toEqual([...targets.slice(0, 6)].sort((a, b) => a - b));
    expect(targets[7]).toBeLessThan(targets[6]);
    expect(targets[0]).toBeCloseTo(100 / 6, 3);
  });

  it('a constant rate is i / rate, cut by the duration in its targets', () => {
    const schedule = constantSchedule(4);
    expect(schedule.dueMs(3)).toBe(750);
    expect(targetPerSecond(schedule, 3, 2500)).toEqual([4, 4, 2]);
  });
});

describe('the split over workers', () => {
  const shapes = SHAPES.map(([, stages]) => stages);
  for (let parts = 1; parts <= 8; parts++) {
    it(`${parts} part(s) send exactly the one schedule's requests, at its times`, () => {
      for (const stages of shapes) {
        const schedule = stagesSchedule(stages);
        const whole = allDue(schedule);
        const fromParts: number[] = [];
        for (let part = 0; part < parts; part++) {
          const slice = { part, parts };
          let n = 0;
          for (; ; n++) {
            const due = schedule.dueMs(sliceIndex(slice, n));
            if (!Number.isFinite(due)) break;
            fromParts.push(due);
          }
          expect(n).toBe(sliceCount(slice, whole.length));
        }
        expect(fromParts.sort((a, b) => a - b)).toEqual(whole);
      }
    });
  }

  it('a constant rate splits as rate / W shifted by k / rate: the same requests as the slices', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { rate: '300', duration: '2s' });
    const shares = splitConfig(settings.load, 3);
    const whole = constantSchedule(300);
    shares.forEach((share, k) => {
      for (let n = 0; n < 10; n++) {
        const shareMs = share.paceOffsetMs + constantSchedule(share.config.ratePerSec!).dueMs(n);
        expect(shareMs).toBeCloseTo(whole.dueMs(sliceIndex(share.slice, n)), 9);
      }
      expect(share.slice).toEqual({ part: k, parts: 3 });
    });
  });

  it('a shaped run keeps the whole stages in every share and -n splits into the first n of the schedule', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { stage: ['2s:100'], requests: '7' });
    const shares = splitConfig(settings.load, 3);
    expect(shares.map((x) => x.config.requests)).toEqual([3, 2, 2]);
    expect(shares.map((x) => sliceCount(x.slice, 7))).toEqual([3, 2, 2]);
    for (const share of shares) expect(share.config.stages).toEqual(settings.load.stages);
  });
});
