/**
 * --abort-on: conditions in the --assert grammar, evaluated once a second over
 * a sliding window of the last seconds (latency percentiles over the window,
 * errors as a share of the window's requests), armed only after a grace time
 * so a cold start does not trip them. Pure: it is fed whole seconds in order
 * and keeps only the window's seconds, so its memory does not grow with the run.
 */
import { createCoarseHistogram, decodeHistogram, summarise } from './histogram.js';
import type { LatencySummaryMs } from './result.js';
import { compare, type Assertion } from './thresholds.js';

export interface AbortOnSettings {
  conditions: Assertion[];
  /** The sliding window, whole seconds. */
  windowSec: number;
  /** No condition is evaluated before this many seconds of the run have passed. */
  graceSec: number;
}

/** The metrics a window can measure: latency, rps and the counts it has per second. */
export const WINDOW_METRICS = new Set([
  'p50',
  'p66',
  'p75',
  'p80',
  'p90',
  'p95',
  'p98',
  'p99',
  'p999',
  'p9999',
  'min',
  'mean',
  'max',
  'rps',
  'errors',
  'failed',
  'non2xx',
]);

/** One whole second of the run, all workers' counts added. */
export interface SecondCounts {
  /** The run's second, from 0. */
  second: number;
  completed: number;
  /** Failed requests (no response). */
  errors: number;
  non2xx: number;
  /** The second's latency histogram (µs, compressed base64); absent when nothing completed. */
  histogram?: string;
}

export interface AbortFired {
  /** The condition as the user wrote it. */
  condition: string;
  /** The run's second (from 0) whose end it was evaluated at. */
  atSecond: number;
  /** The measured value, in the condition's unit. */
  actual: number;
}

export class AbortWindow {
  private readonly seconds: SecondCounts[] = [];

  constructor(private readonly settings: AbortOnSettings) {}

  /** Adds the next whole second; returns the first condition that holds over the window, or null. */
  add(second: SecondCounts): AbortFired | null {
    this.seconds.push(second);
    while (this.seconds.length > this.settings.windowSec) this.seconds.shift();
    // Second s ends s + 1 seconds into the run.
    if (second.second + 1 < this.settings.graceSec) return null;
    let latency: LatencySummaryMs | null = null;
    for (const condition of this.settings.conditions) {
      if (isLatency(condition.metric) && latency === null) latency = this.latency();
      const actual = this.measure(condition, latency);
      if (actual !== null && compare(actual, condition.op, condition.value)) {
        return { condition: condition.expression, atSecond: second.second, actual };
      }
    }
    return null;
  }

  private measure(condition: Assertion, latency: LatencySummaryMs | null): number | null {
    const { metric, unit } = condition;
    const completed = this.sum('completed');
    const failed = this.sum('errors');
    const non2xx = this.sum('non2xx');
    if (isLatency(metric)) {
      // No response in the window: nothing to measure a latency of (errors catch a dead server).
      if (latency === null || completed === 0) return null;
      const ms = latency[metric as keyof LatencySummaryMs];
      return unit === 's' ? ms / 1000 : ms;
    }
    if (metric === 'rps') return completed / this.seconds.length;
    const count = metric === 'errors' ? failed + non2xx : metric === 'failed' ? failed : non2xx;
    if (unit !== '%') return count;
    const requests = completed + failed;
    return requests > 0 ? (count / requests) * 100 : null;
  }

  private latency(): LatencySummaryMs {
    const into = createCoarseHistogram();
    for (const second of this.seconds) if (second.histogram) into.add(decodeHistogram(second.histogram));
    return summarise(into);
  }

  private sum(field: 'completed' | 'errors' | 'non2xx'): number {
    let total = 0;
    for (const second of this.seconds) total += second[field];
    return total;
  }
}

const isLatency = (metric: string): boolean => metric !== 'rps' && metric !== 'errors' && metric !== 'failed' && metric !== 'non2xx';
