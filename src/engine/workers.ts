/**
 * Fans one run out over worker threads, each with its own undici clients and
 * recorder, and merges their Results exactly (mergeResults: histograms added,
 * counters summed, timelines aligned by second). A worker costs a thread
 * start-up (~30 ms) and memory, so the CLI only uses more than one when asked
 * or when the concurrency is high enough to need a second core.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { mergeResults } from '../stats/merge.js';
import type { RecordedOptions, Result } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import type { LiveCounts, RunLoadOptions, RunningLoad } from './run-load.js';
import { splitConfig } from './split.js';
import type { WorkerInput, WorkerMessage } from './worker-entry.js';

/** The compiled worker script (tests run the TypeScript sources, so they use the built copy in dist/). */
function workerScript(): URL {
  const here = new URL('./worker-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/engine/worker-entry.js', import.meta.url);
}

export function runInWorkers(config: LoadConfig, recorded: RecordedOptions, threads: number, options: RunLoadOptions): RunningLoad {
  const shares = splitConfig(config, threads);
  const startAtEpochMs = options.startAtEpochMs ?? Date.now();
  const live: LiveCounts[] = shares.map(() => ({ finished: 0, errors: 0, p99Ms: 0 }));
  const workers = shares.map((share) => {
    const input: WorkerInput = {
      config: { ...share.config, url: share.config.url.href, body: share.config.body ? new Uint8Array(share.config.body) : null },
      recorded: {
        ...recorded,
        requests: share.config.requests,
        concurrency: share.config.concurrency,
        ratePerSec: share.config.ratePerSec,
        workers: 1,
      },
      paceOffsetMs: share.paceOffsetMs,
      startAtEpochMs,
    };
    return new Worker(workerScript(), { workerData: input });
  });
  const stopAll = (): void => workers.forEach((w) => w.postMessage({ type: 'stop' }));
  options.signal?.addEventListener('abort', stopAll, { once: true });
  // Already aborted (Ctrl-C before the load started): the workers stop as soon as they start.
  if (options.signal?.aborted) stopAll();

  let ready = 0;
  const results = workers.map(
    (worker, index) =>
      new Promise<Result>((resolve, reject) => {
        worker.on('message', (message: WorkerMessage | { type: 'ready' }) => {
          if (message.type === 'ready') {
            // Start together so the shares' schedules share one origin.
            if (++ready === workers.length) workers.forEach((w) => w.postMessage({ type: 'go' }));
          } else if (message.type === 'progress') {
            live[index] = message;
          } else if (message.type === 'result') {
            resolve(message.result);
          } else {
            reject(new Error(`load worker ${index + 1} failed: ${message.message}`));
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`load worker ${index + 1} exited with code ${code}`)));
      }),
  );

  const done = Promise.all(results).then((parts) => {
    options.signal?.removeEventListener('abort', stopAll);
    const merged = mergeResults(parts);
    return { result: { ...merged, concurrency: config.concurrency, options: recorded } };
  });
  done.catch(stopAll);
  return {
    progress: () => ({
      finished: live.reduce((sum, c) => sum + c.finished, 0),
      errors: live.reduce((sum, c) => sum + c.errors, 0),
      p99Ms: Math.max(...live.map((c) => c.p99Ms)),
    }),
    done,
  };
}
