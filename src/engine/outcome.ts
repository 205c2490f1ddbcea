/**
 * What a load run produces, however it ran: the finished outcome turned into
 * a Result, and the live counts the progress line reads while it runs. Shared
 * by the in-thread run and the worker threads, so each rule has one home.
 */
import type { Recorder } from '../stats/recorder.js';
import type { AbortOnSettings } from '../stats/abort-window.js';
import type { LoadShapeInfo, RecordedOptions, Result } from '../stats/result.js';
import { urlPort } from '../url-port.js';
import { abxVersion } from '../version.js';
import type { RequestRow } from '../stats/request-row.js';
import type { LoadConfig } from './config.js';
import type { SamplerClock } from './client-sampler.js';
import type { LoadOutcome } from './load.js';
import { constantSchedule, stagesSchedule, targetPerSecond, type Schedule } from './schedule.js';

export interface RunLoadOptions {
  signal?: AbortSignal;
  /** ab's -g: one row per finished request, called in this thread (in batches, from the workers). */
  onRow?: (row: RequestRow) => void;
  startAtEpochMs?: number;
  /** Stop early (not an interrupt) when one of these conditions holds over the sliding window. */
  abortOn?: AbortOnSettings;
  /** -v 3: the first response's status line and headers, once (from whichever worker got one first). */
  onResponseHead?: (lines: string[]) => void;
  /** Why this many workers, for the Result's client figures (default: "N workers"). */
  workersReason?: string;
  /** Seams for the client sampler (tests). */
  samplerClock?: SamplerClock;
}

export interface LiveCounts {
  finished: number;
  errors: number;
  p99Ms: number;
  /** Requests sent so far (sent − finished are in flight). */
  sent?: number;
  /** Open loop: requests sent after their due time because the in-flight cap was reached. */
  late?: number;
}

export interface RunningLoad {
  progress(): LiveCounts;
  /** The schedule's target rate now (requests per second, all workers); null in a closed loop or before the start. */
  targetRps(): number | null;
  done: Promise<{ result: Result }>;
}

export function liveCounts(recorder: Recorder, sending?: { sent: number; late: number }): LiveCounts {
  return {
    finished: recorder.finished,
    errors: recorder.failed,
    p99Ms: recorder.total.totalCount ? recorder.total.getValueAtPercentile(99) / 1000 : 0,
    ...(sending ?? {}),
  };
}

/** Several threads' live counts as one: counts add up; the p99 shown is the worst thread's (an estimate until the exact merge). */
export function sumLiveCounts(parts: readonly LiveCounts[]): LiveCounts {
  return {
    finished: parts.reduce((sum, c) => sum + c.finished, 0),
    errors: parts.reduce((sum, c) => sum + c.errors, 0),
    p99Ms: Math.max(0, ...parts.map((c) => c.p99Ms)),
    sent: parts.reduce((sum, c) => sum + (c.sent ?? c.finished), 0),
    late: parts.reduce((sum, c) => sum + (c.late ?? 0), 0),
  };
}

/** The open-loop schedule a config describes (the whole run's, not a worker's share); null for a closed loop. */
export function scheduleOf(config: LoadConfig): Schedule | null {
  if (config.stages !== null) return stagesSchedule(config.stages);
  return config.ratePerSec !== null ? constantSchedule(config.ratePerSec) : null;
}

/** Adds the load model to a whole run's Result and, in an open loop, each second's target rate. */
export function withLoadShape(result: Result, config: LoadConfig): Result {
  const load: LoadShapeInfo =
    config.stages !== null
      ? { model: 'stages', stages: config.stages.map((stage) => ({ ...stage })) }
      : { model: config.ratePerSec !== null ? 'rate' : 'closed' };
  const schedule = scheduleOf(config);
  if (schedule === null) return { ...result, load };
  const last = result.timeline.reduce((max, bucket) => Math.max(max, bucket.second), -1);
  const targets = targetPerSecond(schedule, last + 1, config.durationMs ?? Number.POSITIVE_INFINITY);
  // A shard's target is its share of the one schedule, so the shards' targets add up when merged.
  const share = 1 / (config.shard?.parts ?? 1);
  const target = (second: number): number => Math.round((targets[second] ?? 0) * share * 1000) / 1000;
  return { ...result, load, timeline: result.timeline.map((bucket) => ({ ...bucket, targetRps: target(bucket.second) })) };
}

export function outcomeToResult(config: LoadConfig, recorded: RecordedOptions, outcome: LoadOutcome): Result {
  const { url } = config;
  return outcome.recorder.toResult({
    version: abxVersion(),
    url: url.href,
    method: config.method,
    concurrency: config.concurrency,
    startedAtMs: outcome.startedAtMs,
    durationMs: outcome.durationMs,
    interrupted: outcome.interrupted,
    droppedAtDeadline: outcome.droppedAtDeadline,
    options: recorded,
    server: {
      hostname: url.hostname,
      port: urlPort(url),
      documentPath: url.pathname + url.search,
      ...(outcome.tls ? { tls: outcome.tls } : {}),
    },
    ...(outcome.rate ? { rate: outcome.rate } : {}),
  });
}
