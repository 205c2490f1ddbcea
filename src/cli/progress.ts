/**
 * Progress on stderr. On a terminal: one live line, cut to the terminal's
 * width (a wrapped line would leave a stale copy on every redraw) and
 * redrawn at most 4 times a second. Elsewhere: ab's "Completed N requests"
 * lines, so logs read like ab's.
 */

import type { LiveCounts } from '../engine/outcome.js';
import { painter, type Paint } from '../report/style.js';
import { fitLine } from '../report/width.js';

/** What the progress line shows: requests finished, errors and p99 so far (sent and late when the engine says). */
export type ProgressCounts = LiveCounts;

export interface ProgressSink {
  /** Prints a line above the live line (observer events), or as a plain line. */
  log(line: string): void;
  /** The load is over: the live line goes; without a terminal, ab's "Finished N requests". */
  stop(finalCount: number): void;
  /**
   * After the load, while the observer lingers: a countdown that says
   * Ctrl-C ends it (once, as a plain line, without a terminal). Ends with `end()`.
   */
  linger(lingerMs: number): { end(): void };
}

/** What the run was asked to do, so the line can say how far along it is. */
export interface ProgressPlan {
  /** -n */
  total: number | null;
  /** -t */
  durationMs: number | null;
  /** --rate */
  ratePerSec: number | null;
}

/** At most 4 redraws a second. */
export const REDRAW_MS = 250;

/** Rates are taken over the last second, so they show the rate now, not the mean since the start. */
const RATE_WINDOW_MS = 1_000;

function seconds(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The live line's text, from counts read at `nowMs` (an injected clock: tests
 * drive it). Remembers the last second of samples for its rates.
 */
export class ProgressMeter {
  readonly #plan: ProgressPlan;
  readonly #startedMs: number;
  readonly #paint: Paint;
  readonly #samples: Array<{ atMs: number; finished: number; sent: number }> = [];

  constructor(plan: ProgressPlan, startedMs: number, paint: Paint = painter({ color: false })) {
    this.#plan = plan;
    this.#startedMs = startedMs;
    this.#paint = paint;
    this.#samples.push({ atMs: startedMs, finished: 0, sent: 0 });
  }

  /** Finished and sent per second over the last second (or since the start, in the first second). */
  rates(counts: ProgressCounts, nowMs: number): { finishedPerSec: number; sentPerSec: number } {
    const sent = counts.sent ?? counts.finished;
    // Keep the newest sample at least a window old, and everything after it.
    while (this.#samples.length > 1 && this.#samples[1].atMs <= nowMs - RATE_WINDOW_MS) this.#samples.shift();
    const base = this.#samples[0];
    this.#samples.push({ atMs: nowMs, finished: counts.finished, sent });
    const spanMs = nowMs - base.atMs;
    if (spanMs <= 0) return { finishedPerSec: 0, sentPerSec: 0 };
    return {
      finishedPerSec: ((counts.finished - base.finished) * 1000) / spanMs,
      sentPerSec: ((sent - base.sent) * 1000) / spanMs,
    };
  }

  line(counts: ProgressCounts, nowMs: number, width: number): string {
    const p = this.#paint;
    const { total, durationMs, ratePerSec } = this.#plan;
    const { finishedPerSec, sentPerSec } = this.rates(counts, nowMs);
    const elapsedMs = nowMs - this.#startedMs;
    const parts: string[] = [];
    if (total !== null) {
      const pct = total > 0 ? Math.floor((100 * counts.finished) / total) : 100;
      parts.push(`${counts.finished}/${total} (${pct}%)`);
    } else {
      parts.push(`${counts.finished} done`);
    }
    // What is left comes second, so a narrow pane keeps it: the sooner of -t's deadline and -n's ETA at the current rate.
    const leftMs: number[] = [];
    if (durationMs !== null) leftMs.push(durationMs - elapsedMs);
    if (total !== null && finishedPerSec > 0) leftMs.push(((total - counts.finished) / finishedPerSec) * 1000);
    if (leftMs.length) {
      const soonest = Math.min(...leftMs);
      parts.push(durationMs !== null && soonest === leftMs[0] ? `${seconds(soonest)} left` : `ETA ${seconds(soonest)}`);
    } else if (total !== null) {
      parts.push('ETA ?');
    }
    if (ratePerSec !== null) {
      parts.push(`target ${round(ratePerSec)}/s achieved ${round(sentPerSec)}/s`);
      if (counts.sent !== undefined) parts.push(`in flight ${Math.max(0, counts.sent - counts.finished)}`);
      const late = counts.late ?? 0;
      parts.push(late > 0 ? p.warn(`late ${late}`) : `late ${late}`);
    } else {
      parts.push(`${round(finishedPerSec)} rps`);
    }
    parts.push(counts.errors > 0 ? p.bad(`${counts.errors} errors`) : `${counts.errors} errors`);
    parts.push(`p99 ${round(counts.p99Ms)} ms`);
    return fitLine(`  ${parts.join('  ')}`, width);
  }

  /** The linger's countdown line. */
  lingerLine(untilMs: number, nowMs: number, width: number): string {
    // Ctrl-C first: in a narrow pane the end of the line is what gets cut.
    return fitLine(`  observing ${seconds(untilMs - nowMs)} more, Ctrl-C ends it (load done; late CloudWatch datapoints)`, width);
  }
}

function round(value: number): string {
  return value >= 100 ? value.toFixed(0) : String(Math.round(value * 10) / 10);
}

export function startProgress(opts: {
  stream: NodeJS.WriteStream;
  live: boolean;
  quiet: boolean;
  total: number | null;
  durationMs?: number | null;
  ratePerSec?: number | null;
  read: () => ProgressCounts;
  /** The width lines are cut to (read on every redraw: the terminal may be resized). */
  width?: () => number;
  paint?: Paint;
  /** Monotonic ms; tests inject their own. */
  now?: () => number;
}): ProgressSink {
  const { stream, total } = opts;
  const now = opts.now ?? (() => performance.now());
  const width = opts.width ?? (() => 80);

  if (opts.live && !opts.quiet) {
    const meter = new ProgressMeter(
      { total, durationMs: opts.durationMs ?? null, ratePerSec: opts.ratePerSec ?? null },
      now(),
      opts.paint ?? painter({ color: false }),
    );
    let line = '';
    let lingerUntilMs: number | null = null;
    let finished = false;
    const draw = (): void => {
      line = lingerUntilMs !== null ? meter.lingerLine(lingerUntilMs, now(), width()) : meter.line(opts.read(), now(), width());
      stream.write(`\r\x1b[2K${line}`);
    };
    let timer: NodeJS.Timeout | null = setInterval(draw, REDRAW_MS);
    timer.unref();
    const clear = (): void => {
      if (timer) clearInterval(timer);
      timer = null;
      stream.write('\r\x1b[2K');
      line = '';
    };
    return {
      log(text) {
        stream.write(`\r\x1b[2K${fitLine(text, width())}\n${line}`);
      },
      stop() {
        if (finished) return;
        finished = true;
        clear();
      },
      linger(lingerMs) {
        lingerUntilMs = now() + lingerMs;
        draw();
        timer = setInterval(draw, REDRAW_MS);
        timer.unref();
        return { end: clear };
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
      stream.write(`${fitLine(text, width())}\n`);
    },
    stop(finalCount) {
      if (timer) clearInterval(timer);
      if (!print) return;
      printMarks(finalCount);
      stream.write(`Finished ${finalCount} requests\n`);
    },
    linger(lingerMs) {
      stream.write(
        `${fitLine(`Observing ${Math.round(lingerMs / 1000)} s more for late CloudWatch datapoints and scaling (Ctrl-C ends it)`, width())}\n`,
      );
      return { end: () => {} };
    },
  };
}
