/**
 * What a load run produces, however it ran: the finished outcome turned into
 * a Result, and the live counts the progress line reads while it runs. Shared
 * by the in-thread run and the worker threads, so each rule has one home.
 */
import type { Recorder } from '../stats/recorder.js';
import type { RecordedOptions, Result } from '../stats/result.js';
import { urlPort } from '../url-port.js';
import { abxVersion } from '../version.js';
import type { RequestRow } from '../stats/request-row.js';
import type { LoadConfig } from './config.js';
import type { SamplerClock } from './client-sampler.js';
import type { LoadOutcome } from './load.js';

export interface RunLoadOptions {
  signal?: AbortSignal;
  /** ab's -g: one row per finished request, called in this thread (in batches, from the workers). */
  onRow?: (row: RequestRow) => void;
  startAtEpochMs?: number;
  /** Why this many workers, for the Result's client figures (default: "N workers"). */
  workersReason?: string;
  /** Seams for the client sampler (tests). */
  samplerClock?: SamplerClock;
}

export interface LiveCounts {
  finished: number;
  errors: number;
  p99Ms: number;
}

export interface RunningLoad {
  progress(): LiveCounts;
  done: Promise<{ result: Result }>;
}

export function liveCounts(recorder: Recorder): LiveCounts {
  return {
    finished: recorder.finished,
    errors: recorder.failed,
    p99Ms: recorder.total.totalCount ? recorder.total.getValueAtPercentile(99) / 1000 : 0,
  };
}

/** Several threads' live counts as one: counts add up; the p99 shown is the worst thread's (an estimate until the exact merge). */
export function sumLiveCounts(parts: readonly LiveCounts[]): LiveCounts {
  return {
    finished: parts.reduce((sum, c) => sum + c.finished, 0),
    errors: parts.reduce((sum, c) => sum + c.errors, 0),
    p99Ms: Math.max(0, ...parts.map((c) => c.p99Ms)),
  };
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
