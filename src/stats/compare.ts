/**
 * `abx compare BASE NEW`: the change in throughput and latency percentiles
 * between two results, and whether any moved the wrong way by more than the
 * allowed regression. Lower rps is worse; higher latency is worse.
 *
 * The maximum is shown but never decides the verdict: it is one request,
 * and one slow request is noise, not a regression.
 */
import type { Result } from './result.js';

export interface ComparisonRow {
  metric: string;
  base: number;
  next: number;
  /** (next − base) / base × 100; 0 when both are 0, ±Infinity when only base is 0. */
  deltaPct: number;
  /** Moved the wrong way by more than the allowed regression (always false for rows that do not decide). */
  worse: boolean;
}

export interface Comparison {
  rows: ComparisonRow[];
  /** True when any row is worse. */
  regressed: boolean;
}

interface RowSpec {
  metric: string;
  value: (r: Result) => number;
  higherIsBetter: boolean;
  decides: boolean;
}

const ROWS: RowSpec[] = [
  { metric: 'rps', value: (r) => r.totals.rps, higherIsBetter: true, decides: true },
  { metric: 'mean ms', value: (r) => r.latencyMs.mean, higherIsBetter: false, decides: true },
  { metric: 'p50 ms', value: (r) => r.latencyMs.p50, higherIsBetter: false, decides: true },
  { metric: 'p90 ms', value: (r) => r.latencyMs.p90, higherIsBetter: false, decides: true },
  { metric: 'p99 ms', value: (r) => r.latencyMs.p99, higherIsBetter: false, decides: true },
  { metric: 'p999 ms', value: (r) => r.latencyMs.p999, higherIsBetter: false, decides: true },
  { metric: 'max ms', value: (r) => r.latencyMs.max, higherIsBetter: false, decides: false },
];

export function compareResults(base: Result, next: Result, maxRegressionPct: number): Comparison {
  const rows = ROWS.map((spec) => {
    const b = spec.value(base);
    const n = spec.value(next);
    const deltaPct = b === 0 ? (n === 0 ? 0 : n > 0 ? Infinity : -Infinity) : ((n - b) / b) * 100;
    const badwardsPct = spec.higherIsBetter ? -deltaPct : deltaPct;
    return { metric: spec.metric, base: b, next: n, deltaPct, worse: spec.decides && badwardsPct > maxRegressionPct };
  });
  return { rows, regressed: rows.some((row) => row.worse) };
}
