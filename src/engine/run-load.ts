/**
 * One load run, ending in a Result without observation. The load always runs
 * in worker threads (one or more; their Results are merged exactly, by the
 * same merge `abx merge` uses for shards from several machines), so what the
 * load does to its own thread (no stack traces) never reaches the rest of the
 * process: the progress line, the observer, the lab in `abx demo`. -g rows
 * come back from the workers in batches and are written by this thread.
 */
import type { RecordedOptions } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import type { RunLoadOptions, RunningLoad } from './outcome.js';
import { workerCount } from './split.js';
import { runInWorkers } from './workers.js';

export function runLoad(config: LoadConfig, recorded: RecordedOptions, workers: number, options: RunLoadOptions = {}): RunningLoad {
  return runInWorkers(config, recorded, workerCount(workers, config), options);
}
