/**
 * Body of a load worker thread: runs its share of the load and posts its
 * Result back (messages: worker-protocol.ts). Loads only the engine and the
 * recorder; the merge and the thread fan-out stay in the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadConfig } from './config.js';
import { startLoad } from './load.js';
import { liveCounts, outcomeToResult } from './outcome.js';
import { PROGRESS_INTERVAL_MS, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol.js';

/**
 * No stack traces in this thread. undici closes every connection that is not
 * kept alive by destroying its socket with an InformationalError, and a failing
 * server produces an error per request; capturing their stack traces was a
 * third of the client's CPU in a run without -k (6,200 → 9,100 requests/s
 * against nginx on one core). Request errors are counted by code and message,
 * never by stack. The limit belongs to this thread's own V8 isolate, so the
 * main thread (the progress line, the observer, the lab and the AWS SDK in
 * `abx demo`) keeps its stack traces. ABX_DEBUG keeps them here too.
 */
if (!process.env.ABX_DEBUG) Error.stackTraceLimit = 0;

function main(): void {
  const port = parentPort;
  if (!port) return;
  const post = (message: FromWorker): void => port.postMessage(message);
  const input = workerData as WorkerInput;
  const config: LoadConfig = {
    ...input.config,
    url: new URL(input.config.url),
    body: input.config.body ? Buffer.from(input.config.body) : null,
  };
  const abort = new AbortController();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stop') abort.abort();
    if (message.type === 'go') go();
  });

  function go(): void {
    const run = startLoad(config, { signal: abort.signal, paceOffsetMs: input.paceOffsetMs, startAtEpochMs: input.startAtEpochMs });
    const timer = setInterval(() => post({ type: 'progress', ...liveCounts(run.recorder) }), PROGRESS_INTERVAL_MS);
    run.done.then(
      (outcome) => {
        clearInterval(timer);
        post({ type: 'result', result: outcomeToResult(config, input.recorded, outcome) });
        port!.close();
      },
      (error: unknown) => {
        clearInterval(timer);
        post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        port!.close();
      },
    );
  }
  post({ type: 'ready' });
}

main();
