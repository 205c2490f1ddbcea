/**
 * Shards (--shard I/N) split a run by the workers' rule one level up: the
 * shares add up exactly, and every worker of every shard sends an interleaved
 * slice of the one schedule, so N machines together make one even schedule.
 */
import { describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import type { LoadConfig } from '../../src/engine/config.js';
import { constantSchedule, sliceIndex, stagesSchedule, type LoadStage } from '../../src/engine/schedule.js';
import { shardShare, splitConfig } from '../../src/engine/split.js';

const WORKERS = [1, 2, 3];

/** This process's config when it runs shard `index` of `count` of `flags`. */
function shardLoad(flags: Parameters<typeof buildRunSettings>[1], index: number, count: number): LoadConfig {
  return buildRunSettings('http://127.0.0.1:9/', { ...flags, shard: `${index}/${count}`, workers: '1' }).load;
}

describe('shards of -n and -c', () => {
  for (let count = 1; count <= 16; count++) {
    it(`${count} shard(s): -n and -c shares add up exactly, over every shard's workers too`, () => {
      for (const [n, c] of [
        [count, count],
        [1000, 50],
        [997, 31],
        [12_345, count + 7],
      ]) {
        const loads = Array.from({ length: count }, (_, i) => shardLoad({ requests: String(n), concurrency: String(c) }, i, count));
        expect(loads.reduce((sum, load) => sum + load.requests!, 0)).toBe(n);
        expect(loads.reduce((sum, load) => sum + load.concurrency, 0)).toBe(c);
        // Shares differ by at most one, so no machine carries more than its part.
        const requests = loads.map((load) => load.requests!);
        expect(Math.max(...requests) - Math.min(...requests)).toBeLessThanOrEqual(1);
        for (const workers of WORKERS) {
          const shares = loads.flatMap((load) => splitConfig(load, Math.min(workers, load.concurrency)));
          expect(shares.reduce((sum, share) => sum + share.config.requests!, 0)).toBe(n);
          expect(shares.reduce((sum, share) => sum + share.config.concurrency, 0)).toBe(c);
        }
      }
    });
  }

  it('a shard record holds its own share, so the merge adds up to the whole', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { requests: '10', concurrency: '4', shard: '0/3', workers: '1' });
    expect(settings.recorded.requests).toBe(4);
    expect(settings.recorded.concurrency).toBe(2);
    expect(settings.shard).toEqual({ index: 0, count: 3 });
    expect(shardShare(10, { part: 2, parts: 3 })).toBe(3);
  });
});

describe('shards of --rate and stages interleave into one even schedule', () => {
  for (let count = 1; count <= 16; count++) {
    it(`${count} shard(s) × 1-3 workers: a constant rate sends exactly the one schedule's requests, at its times`, () => {
      const rate = 250;
      const n = 600;
      const whole = constantSchedule(rate);
      for (const workers of WORKERS) {
        const sent: number[] = [];
        for (let index = 0; index < count; index++) {
          const load = shardLoad({ rate: String(rate), requests: String(n) }, index, count);
          for (const share of splitConfig(load, workers)) {
            const own = constantSchedule(share.config.ratePerSec!);
            for (let j = 0; j < share.config.requests!; j++) sent.push(share.paceOffsetMs + own.dueMs(j));
          }
        }
        sent.sort((a, b) => a - b);
        expect(sent).toHaveLength(n);
        // One even schedule: request i at i / rate, whoever sends it.
        sent.forEach((ms, i) => expect(ms).toBeCloseTo(whole.dueMs(i), 6));
      }
    });

    it(`${count} shard(s) × 1-3 workers: stages send exactly the one schedule's requests, at its times`, () => {
      const stages: LoadStage[] = [
        { durationMs: 2000, fromRps: 10, toRps: 200 },
        { durationMs: 1000, fromRps: 200, toRps: 200 },
        { durationMs: 1500, fromRps: 200, toRps: 30 },
      ];
      const schedule = stagesSchedule(stages);
      const whole: number[] = [];
      for (let i = 0; Number.isFinite(schedule.dueMs(i)); i++) whole.push(schedule.dueMs(i));
      for (const workers of WORKERS) {
        const sent: number[] = [];
        for (let index = 0; index < count; index++) {
          const load = shardLoad({ stage: ['2s:200', '1s:200', '1500ms:30'], rate: '10' }, index, count);
          expect(load.stages).toEqual(stages);
          for (const share of splitConfig(load, workers)) {
            for (let j = 0; ; j++) {
              const due = schedule.dueMs(sliceIndex(share.slice, j));
              if (!Number.isFinite(due)) break;
              sent.push(due);
            }
          }
        }
        expect(sent.sort((a, b) => a - b)).toEqual(whole);
      }
    });
  }
});
