/**
 * One load run, ending in a Result without observation. The load runs in
 * worker threads (one or more; their Results are merged exactly, by the same
 * merge `abx merge` uses for shards from several machines), so that what the
 * load does to its own thread (no stack traces) never reaches the rest of the
 * process. A -g run stays in this thread: its rows are written from here.
 */
import type { RecordedOptions } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import { startLoad } from './load.js';
import { liveCounts, outcomeToResult, type RunLoadOptions, type RunningLoad } from './outcome.js';
import { workerCount } from './split.js';
import { runInWorkers } from './workers.js';

export function runLoad(config: LoadConfig, recorded: RecordedOptions, workers: number, options: RunLoadOptions = {}): RunningLoad {
  if (!options.onRow) return runInWorkers(config, recorded, workerCount(workers, config), options);
  const run = startLoad(config, options);
  return {
    progress: () => liveCounts(run.recorder),
    done: run.done.then((outcome) => ({ result: outcomeToResult(config, recorded, outcome) })),
  };
}
