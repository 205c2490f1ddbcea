/**
 * Body of a load worker thread: runs its share of the load and posts its
 * Result back (messages: worker-protocol.ts). Loads only the engine and the
 * recorder; the merge and the thread fan-out stay in the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RequestRow } from '../stats/request-row.js';
import type { LoadConfig } from './config.js';
import { ABORT_ON_REASON, startLoad } from './load.js';
import { liveCounts, outcomeToResult } from './outcome.js';
import { PROGRESS_INTERVAL_MS, ROW_FIELDS, ROWS_PER_BATCH, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol.js';

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
    if (message.type === 'stop') abort.abort(message.reason === 'abort-on' ? ABORT_ON_REASON : undefined);
    if (message.type === 'go') go();
  });

  // -g: rows are packed into a Float64Array and its buffer handed over in batches.
  let rows = new Float64Array(ROWS_PER_BATCH * ROW_FIELDS);
  let rowCount = 0;
  function postRows(): void {
    if (rowCount === 0) return;
    const batch = rows.subarray(0, rowCount * ROW_FIELDS);
    port!.postMessage({ type: 'rows', rows: batch } satisfies FromWorker, [batch.buffer]);
    rows = new Float64Array(ROWS_PER_BATCH * ROW_FIELDS);
    rowCount = 0;
  }
  function onRow(row: RequestRow): void {
    const at = rowCount * ROW_FIELDS;
    rows[at] = row.startedAtMs;
    rows[at + 1] = row.connectMs;
    rows[at + 2] = row.processingMs;
    rows[at + 3] = row.totalMs;
    rows[at + 4] = row.waitingMs;
    if (++rowCount === ROWS_PER_BATCH) postRows();
  }

  function go(): void {
    const run = startLoad(config, {
      signal: abort.signal,
      paceOffsetMs: input.paceOffsetMs,
      slice: input.slice,
      startAtEpochMs: input.startAtEpochMs,
      ...(input.rows ? { onRow } : {}),
    });
    let secondsPosted = 0;
    let headPosted = false;
    const postHead = (): void => {
      if (headPosted || run.recorder.firstResponseHead === null) return;
      headPosted = true;
      post({ type: 'head', lines: run.recorder.firstResponseHead });
    };
    const timer = setInterval(() => {
      postHead();
      postRows();
      post({ type: 'progress', ...liveCounts(run.recorder, run.sending()) });
      if (input.seconds) {
        const timeline = run.recorder.timeline;
        timeline.closeUpTo(performance.now());
        const closed = timeline.closedSince(secondsPosted);
        secondsPosted += closed.length;
        if (closed.length > 0) {
          post({
            type: 'seconds',
            seconds: closed.map(({ second, completed, errors, non2xx, histogram }) => ({
              second,
              completed,
              errors,
              non2xx,
              ...(histogram ? { histogram } : {}),
            })),
          });
        }
      }
    }, PROGRESS_INTERVAL_MS);
    run.done.then(
      (outcome) => {
        clearInterval(timer);
        // Rows first: one worker's messages arrive in order, so every row is handed over before the result.
        postHead();
        postRows();
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
