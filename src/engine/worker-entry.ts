/**
 * Body of a load worker thread: runs its share of the load and posts its
 * Result back. Messages: in "go" / "stop"; out "progress" (4 per second) and
 * "result".
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedOptions } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import { startLoad } from './load.js';
import { outcomeToResult } from './run-load.js';

export interface WorkerInput {
  /** LoadConfig with the URL as a string (URL objects do not cross threads). */
  config: Omit<LoadConfig, 'url' | 'body'> & { url: string; body: Uint8Array | null };
  recorded: RecordedOptions;
  paceOffsetMs: number;
  startAtEpochMs: number;
}

export type WorkerMessage =
  | { type: 'progress'; finished: number; errors: number; p99Ms: number }
  | { type: 'result'; result: import('../stats/result.js').Result }
  | { type: 'failed'; message: string };

const PROGRESS_MS = 250;

function main(): void {
  const port = parentPort;
  if (!port) return;
  const input = workerData as WorkerInput;
  const config: LoadConfig = {
    ...input.config,
    url: new URL(input.config.url),
    body: input.config.body ? Buffer.from(input.config.body) : null,
  };
  const abort = new AbortController();
  port.on('message', (message: { type: string }) => {
    if (message.type === 'stop') abort.abort();
    if (message.type === 'go') go();
  });

  function go(): void {
    const run = startLoad(config, { signal: abort.signal, paceOffsetMs: input.paceOffsetMs, startAtEpochMs: input.startAtEpochMs });
    const recorder = run.recorder;
    const timer = setInterval(() => {
      port!.postMessage({
        type: 'progress',
        finished: recorder.finished,
        errors: recorder.failed,
        p99Ms: recorder.total.totalCount ? recorder.total.getValueAtPercentile(99) / 1000 : 0,
      } satisfies WorkerMessage);
    }, PROGRESS_MS);
    run.done.then(
      (outcome) => {
        clearInterval(timer);
        port!.postMessage({ type: 'result', result: outcomeToResult(config, input.recorded, outcome) } satisfies WorkerMessage);
        port!.close();
      },
      (error: unknown) => {
        clearInterval(timer);
        port!.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage);
        port!.close();
      },
    );
  }
  port.postMessage({ type: 'ready' });
}

main();
