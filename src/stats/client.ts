/**
 * The load generator's own health: how busy abx's event loops and CPU were,
 * and the verdict on whether abx itself was the bottleneck. A figure about the
 * server is only as good as the client's headroom, so the report says which
 * side was the limit. Pure: the engine samples, this file folds and judges.
 *
 * Saturated, when either holds:
 *   - the busiest worker's event loop was at least 90 % busy for at least a
 *     fifth of the run's seconds (a loop that busy delays sends and the
 *     reading of responses, so latency and rate are abx's, not the server's);
 *   - --rate fell behind its schedule (under 90 % of the target sent) while
 *     the in-flight cap was never reached: nothing on the server's side held
 *     the requests back, so the client could not send them in time.
 */
import type { ClientStats, RateInfo } from './result.js';

export type { ClientStats };

/** A one-second event-loop sample at or above this utilisation counts as a busy second. */
export const BUSY_UTILIZATION = 0.9;
/** Saturated when busy seconds are at least this share of the run's seconds. */
export const BUSY_SHARE = 0.2;
/** --rate is behind when it sent under this share of its target rate. */
export const RATE_BEHIND_SHARE = 0.9;
/**
 * Samples shorter than this (the tail after the last whole second, or the whole
 * of a very short run) do not count towards the verdict: a loop that is busy
 * for a few milliseconds while it opens its first connections says nothing.
 */
export const MIN_JUDGED_SAMPLE_MS = 500;

/** One sampling interval (normally one second) of the run. */
export interface ClientSample {
  elapsedMs: number;
  /** Each worker's event-loop utilisation over the interval, 0–1; NaN once a worker has finished. */
  utilization: readonly number[];
  /** CPU time the whole process used over the interval (user + system), µs. */
  cpuUs: number;
}

export interface ClientContext {
  workers: number;
  cores: number;
  workersReason: string;
  startupMs: number;
  rate?: RateInfo | undefined;
}

/** Folds the samples of one run into its ClientStats and verdict. */
export function summariseClient(samples: readonly ClientSample[], context: ClientContext): ClientStats {
  const workers = Math.max(1, context.workers);
  const busyMs = new Array<number>(workers).fill(0);
  let judgedMs = 0;
  let activeMs = 0;
  let elapsedMs = 0;
  let maxUtilization = 0;
  let cpuUs = 0;
  for (const sample of samples) {
    cpuUs += sample.cpuUs;
    const judged = sample.elapsedMs >= MIN_JUDGED_SAMPLE_MS;
    if (judged) judgedMs += sample.elapsedMs;
    for (let w = 0; w < workers; w++) {
      const raw = sample.utilization[w] ?? Number.NaN;
      // A finished worker no longer has a loop to judge.
      if (Number.isNaN(raw)) continue;
      const u = clamp01(raw);
      activeMs += u * sample.elapsedMs;
      elapsedMs += sample.elapsedMs;
      if (!judged) continue;
      if (u > maxUtilization) maxUtilization = u;
      if (u >= BUSY_UTILIZATION) busyMs[w] += sample.elapsedMs;
    }
  }
  // A run too short to judge still has a utilisation; its maximum is then the mean.
  const mean = elapsedMs > 0 ? activeMs / elapsedMs : 0;
  const busySeconds = Math.max(...busyMs) / 1000;
  const seconds = judgedMs / 1000;
  return {
    workers,
    cores: context.cores,
    workersReason: context.workersReason,
    startupMs: Math.round(context.startupMs),
    cpuSeconds: round3(cpuUs / 1e6),
    eventLoopUtilization: { mean: round3(mean), max: round3(judgedMs > 0 ? maxUtilization : mean) },
    busySeconds: round3(busySeconds),
    seconds: round3(seconds),
    saturated: isSaturated({ busySeconds, seconds }, context.rate),
  };
}

/** The verdict, from the busiest worker's busy seconds and the open-loop bookkeeping. */
export function isSaturated(loop: { busySeconds: number; seconds: number }, rate?: RateInfo): boolean {
  return eventLoopSaturated(loop) || (rate !== undefined && rateBehind(rate) && !capReached(rate));
}

export function eventLoopSaturated({ busySeconds, seconds }: { busySeconds: number; seconds: number }): boolean {
  return seconds > 0 && busySeconds >= seconds * BUSY_SHARE;
}

/** --rate sent under 90 % of its target. */
export function rateBehind(rate: RateInfo): boolean {
  return rate.achievedPerSec < rate.targetPerSec * RATE_BEHIND_SHARE;
}

/** Requests waited for a free lane: every lane was in flight. */
export function capReached(rate: RateInfo): boolean {
  return rate.late > 0;
}

/**
 * What held a --rate run back, for its rate line: the client (its event loop
 * busy, or the schedule missed with lanes free) or the server (answers slow
 * enough that the in-flight cap was reached); null when it kept its schedule.
 */
export function rateBound(rate: RateInfo, client: ClientStats | undefined): 'client' | 'server' | null {
  if (client && eventLoopSaturated(client)) return 'client';
  if (capReached(rate)) return 'server';
  if (rateBehind(rate)) return 'client';
  return null;
}

/**
 * Several runs' client figures as one (shards on several machines, each with
 * its own workers): counts and CPU add up, the mean is weighted by worker
 * seconds, the maxima and the verdict are the worst of any part.
 */
export function mergeClient(all: readonly ClientStats[]): ClientStats | null {
  if (all.length === 0) return null;
  if (all.length === 1) return { ...all[0], eventLoopUtilization: { ...all[0].eventLoopUtilization } };
  const sum = (pick: (c: ClientStats) => number): number => all.reduce((total, c) => total + pick(c), 0);
  const weights = all.map((c) => c.workers * Math.max(c.seconds, 0.001));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const mean = all.reduce((total, c, i) => total + c.eventLoopUtilization.mean * weights[i], 0) / weightSum;
  const busiest = all.reduce((worst, c) =>
    c.busySeconds / Math.max(c.seconds, 0.001) > worst.busySeconds / Math.max(worst.seconds, 0.001) ? c : worst,
  );
  const workers = sum((c) => c.workers);
  const reasons = new Set(all.map((c) => c.workersReason));
  return {
    workers,
    cores: sum((c) => c.cores),
    // One run's reason ("1 worker: 2 cores, local target") would misstate a merge's totals: each run's is kept only when they agree.
    workersReason: `${workers} workers over ${all.length} runs${reasons.size === 1 ? ` (each ${all[0].workersReason})` : ''}`,
    startupMs: Math.max(...all.map((c) => c.startupMs)),
    cpuSeconds: round3(sum((c) => c.cpuSeconds)),
    eventLoopUtilization: { mean: round3(mean), max: Math.max(...all.map((c) => c.eventLoopUtilization.max)) },
    busySeconds: busiest.busySeconds,
    seconds: busiest.seconds,
    saturated: all.some((c) => c.saturated),
  };
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
