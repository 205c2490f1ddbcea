/**
 * Progress on stderr. On a terminal: one live line, redrawn at most 4 times a
 * second. Elsewhere: ab's "Completed N requests" lines, so logs read like ab's.
 */

import type { LiveCounts } from '../engine/outcome.js';

/** What the progress line shows: requests finished, errors and p99 so far. */
export type ProgressCounts = LiveCounts;

export interface ProgressSink {
  /** Prints a line above the live line (observer events), or as a plain line. */
  log(line: string): void;
  stop(finalCount: number): void;
}

const REDRAW_MS = 250;

export function startProgress(opts: {
  stream: NodeJS.WriteStream;
  live: boolean;
  quiet: boolean;
  total: number | null;
  read: () => ProgressCounts;
}): ProgressSink {
  const { stream, total } = opts;
  const startedMs = performance.now();
  let line = '';

  if (opts.live && !opts.quiet) {
    const draw = (): void => {
      const c = opts.read();
      const elapsedS = (performance.now() - startedMs) / 1000;
      const rps = elapsedS > 0 ? c.finished / elapsedS : 0;
      const done = total !== null ? `${c.finished}/${total}` : `${c.finished}`;
      line = `  ${done} requests  ${rps.toFixed(0)} rps  p99 ${c.p99Ms.toFixed(1)} ms  ${c.errors} errors  ${elapsedS.toFixed(1)}s`;
      stream.write(`\r\x1b[2K${line}`);
    };
    const timer = setInterval(draw, REDRAW_MS);
    timer.unref();
    return {
      log(text) {
        stream.write(`\r\x1b[2K${text}\n${line}`);
      },
      stop() {
        clearInterval(timer);
        stream.write('\r\x1b[2K');
      },
    };
  }

  // ab prints progress only past 150 requests, every max(n/10, 100); with -t and
  // no -n ab behaves as if n were 50000, so abx steps by 5000 then. The last mark
  // is printed too (ab 2.4 prints "Completed 1000 requests" before "Finished 1000 requests").
  const step = total !== null ? Math.max(Math.floor(total / 10), 100) : 5000;
  const print = !opts.quiet && (total === null || total > 150);
  let nextMark = step;
  const printMarks = (finished: number): void => {
    while (finished >= nextMark && (total === null || nextMark <= total)) {
      stream.write(`Completed ${nextMark} requests\n`);
      nextMark += step;
    }
  };
  const timer = print ? setInterval(() => printMarks(opts.read().finished), 100) : null;
  timer?.unref();
  return {
    log(text) {
      stream.write(`${text}\n`);
    },
    stop(finalCount) {
      if (timer) clearInterval(timer);
      if (!print) return;
      printMarks(finalCount);
      stream.write(`Finished ${finalCount} requests\n`);
    },
  };
}
