/**
 * One load run, in this thread or fanned out over worker threads, ending in a
 * Result without observation. Workers' Results are merged exactly (the same
 * merge `abx merge` uses for shards from several machines).
 */
import type { RecordedOptions, Result } from '../stats/result.js';
import { abxVersion } from '../version.js';
import type { LoadConfig, RequestRow } from './config.js';
import { startLoad, type LoadOutcome } from './load.js';
import { workerCount } from './split.js';
import { runInWorkers } from './workers.js';

export interface RunLoadOptions {
  signal?: AbortSignal;
  onRow?: (row: RequestRow) => void;
  startAtEpochMs?: number;
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

export function runLoad(config: LoadConfig, recorded: RecordedOptions, workers: number, options: RunLoadOptions = {}): RunningLoad {
  // -g rows are written by this thread, so a -g run stays in it.
  const threads = options.onRow ? 1 : workerCount(workers, config);
  if (threads > 1) return runInWorkers(config, recorded, threads, options);
  const run = startLoad(config, options);
  const recorder = run.recorder;
  return {
    progress: () => ({
      finished: recorder.finished,
      errors: recorder.failed,
      p99Ms: recorder.total.totalCount ? recorder.total.getValueAtPercentile(99) / 1000 : 0,
    }),
    done: run.done.then((outcome) => ({ result: outcomeToResult(config, recorded, outcome) })),
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
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      documentPath: url.pathname + url.search,
      ...(outcome.tls ? { tls: outcome.tls } : {}),
    },
    ...(outcome.rate ? { rate: outcome.rate } : {}),
  });
}
