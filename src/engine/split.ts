/**
 * Splitting one run over worker threads, exactly: -n, -c and --rate are
 * divided so that the shares add up to the totals the user asked for.
 *
 * Shards (--shard I/N, one process per machine) use the same rule one level
 * up: shard I takes parts I, I + N, ... of the one schedule, and its worker k
 * of W takes every W-th of those, which is part I + kN of N·W. So every
 * worker of every shard sends one interleaved slice of the same schedule.
 */
import type { LoadConfig } from './config.js';
import { constantSchedule, type ScheduleSlice } from './schedule.js';

/** n split into `parts` whole shares that differ by at most one and sum to n. */
export function splitEvenly(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

export interface WorkerShare {
  config: LoadConfig;
  /**
   * Open loop: worker k of W sends at rate/W, shifted by k/rate, so that its
   * requests fall between the others' and the total is one even schedule.
   */
  paceOffsetMs: number;
  /**
   * Open loop with stages: this worker sends requests part, part + parts, ...
   * of the one schedule (schedule.ts holds that rule; for a constant rate it
   * is the same as rate/W shifted by k/rate).
   */
  slice: ScheduleSlice;
}

/** Never more workers than lanes: each worker needs at least one request in flight. */
export function workerCount(requested: number, config: Pick<LoadConfig, 'concurrency' | 'requests'>): number {
  const limit = Math.min(requested, config.concurrency, config.requests ?? Number.POSITIVE_INFINITY);
  return Math.max(1, limit);
}

/** Shard `shard.part` of `shard.parts`: its whole share of n (shares differ by at most one and sum to n). */
export function shardShare(n: number, shard: ScheduleSlice): number {
  return splitEvenly(n, shard.parts)[shard.part];
}

/** The part of the one schedule that worker `worker` of `workers` sends, inside its shard. */
export function workerSlice(shard: ScheduleSlice, worker: number, workers: number): ScheduleSlice {
  return { part: shard.part + worker * shard.parts, parts: shard.parts * workers };
}

/** `config` is this process's (a shard's requests and concurrency, when it is one); the schedule is the whole run's. */
export function splitConfig(config: LoadConfig, workers: number): WorkerShare[] {
  const shard = config.shard ?? { part: 0, parts: 1 };
  const concurrency = splitEvenly(config.concurrency, workers);
  const requests = config.requests === null ? null : splitEvenly(config.requests, workers);
  return concurrency.map((c, i) => {
    const slice = workerSlice(shard, i, workers);
    return {
      config: {
        ...config,
        concurrency: c,
        requests: requests === null ? null : requests[i],
        ratePerSec: config.ratePerSec === null ? null : config.ratePerSec / slice.parts,
      },
      paceOffsetMs: config.ratePerSec === null ? 0 : constantSchedule(config.ratePerSec).dueMs(slice.part),
      slice,
    };
  });
}
