/**
 * The messages between the main thread and a load worker thread. Types only,
 * so neither side loads the other's code through this module.
 *
 * main → worker: workerData (WorkerInput), then "go" once every worker is
 * ready (so their schedules share one origin) and "stop" on Ctrl-C.
 * worker → main: "ready", "progress" (4 per second), "rows" (-g only), then
 * "result" or "failed".
 */
import type { SecondCounts } from '../stats/abort-window.js';
import type { RecordedOptions, Result } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import type { LiveCounts } from './outcome.js';
import type { ScheduleSlice } from './schedule.js';

export interface WorkerInput {
  /** LoadConfig with the URL as a string (URL objects do not cross threads). */
  config: Omit<LoadConfig, 'url' | 'body'> & { url: string; body: Uint8Array | null };
  recorded: RecordedOptions;
  paceOffsetMs: number;
  /** Which requests of the one schedule this worker sends (stages). */
  slice: ScheduleSlice;
  startAtEpochMs: number;
  /** --abort-on: post each whole second's counts ("seconds") as it closes. */
  seconds: boolean;
  /** -g: send each finished request's row back (in "rows" batches). */
  rows: boolean;
}

/** "stop" with reason "abort-on" ends the run as its deadline does, not as an interrupt. */
export type ToWorker = { type: 'go' } | { type: 'stop'; reason?: 'abort-on' };

export type FromWorker =
  | { type: 'ready' }
  | ({ type: 'progress' } & LiveCounts)
  /** --abort-on: the seconds that closed since the last message, in order. */
  | { type: 'seconds'; seconds: SecondCounts[] }
  /** ROW_FIELDS numbers per row, in RequestRow's field order; the buffer is transferred, not copied. */
  | { type: 'rows'; rows: Float64Array }
  /** The first response's status line and headers (for -v 3), once. */
  | { type: 'head'; lines: string[] }
  | { type: 'result'; result: Result }
  | { type: 'failed'; message: string };

/** Numbers per -g row: startedAtMs, connectMs, processingMs, totalMs, waitingMs. */
export const ROW_FIELDS = 5;

/** -g rows a worker batches before it posts them (it also posts what it has with every progress message). */
export const ROWS_PER_BATCH = 4096;

/** How often a worker posts its live counts. */
export const PROGRESS_INTERVAL_MS = 250;
