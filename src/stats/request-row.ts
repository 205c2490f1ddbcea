/** One finished request's timings, for ab's -g rows (produced only when -g asks; off the hot path otherwise). */
export interface RequestRow {
  /** Wall-clock send time. */
  startedAtMs: number;
  connectMs: number;
  processingMs: number;
  totalMs: number;
  waitingMs: number;
}
