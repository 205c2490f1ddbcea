/**
 * The messages between the main thread and a load worker thread. Types only,
 * so neither side loads the other's code through this module.
 *
 * main → worker: workerData (WorkerInput), then "go" once every worker is
 * ready (so their schedules share one origin) and "stop" on Ctrl-C.
 * worker → main: "ready", "progress" (4 per second), then "result" or "failed".
 */
import type { RecordedOptions, Result } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import type { LiveCounts } from './outcome.js';

export interface WorkerInput {
  /** LoadConfig with the URL as a string (URL objects do not cross threads). */
  config: Omit<LoadConfig, 'url' | 'body'> & { url: string; body: Uint8Array | null };
  recorded: RecordedOptions;
  paceOffsetMs: number;
  startAtEpochMs: number;
}

export type ToWorker = { type: 'go' } | { type: 'stop' };

export type FromWorker =
  { type: 'ready' } | ({ type: 'progress' } & LiveCounts) | { type: 'result'; result: Result } | { type: 'failed'; message: string };

/** How often a worker posts its live counts. */
export const PROGRESS_INTERVAL_MS = 250;
