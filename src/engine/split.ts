/**
 * Splitting one run over worker threads, exactly: -n, -c and --rate are
 * divided so that the shares add up to the totals the user asked for.
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

export function splitConfig(config: LoadConfig, workers: number): WorkerShare[] {
  const concurrency = splitEvenly(config.concurrency, workers);
  const requests = config.requests === null ? null : splitEvenly(config.requests, workers);
  return concurrency.map((c, i) => ({
    config: {
      ...config,
      concurrency: c,
      requests: requests === null ? null : requests[i],
      ratePerSec: config.ratePerSec === null ? null : config.ratePerSec / workers,
    },
    paceOffsetMs: config.ratePerSec === null ? 0 : constantSchedule(config.ratePerSec).dueMs(i),
    slice: { part: i, parts: workers },
  }));
}
