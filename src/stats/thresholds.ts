/**
 * Assertions for CI smoke checks: `--assert "p99<250ms"`, repeatable.
 *
 * Grammar (whitespace allowed between the parts, metric names are case-insensitive):
 *
 *     assertion := metric op number unit?
 *     op        := "<" | "<=" | ">" | ">=" | "=="
 *     number    := digits ("." digits)?
 *
 * Metrics and the units they accept (the first listed is the default when no unit is given):
 *
 *   p50 p66 p75 p80 p90 p95 p98 p99 p999 p9999 min mean max
 *                      total latency (corrected latency in --rate mode); ms | s
 *   rps                completed responses per second over the run; plain number
 *   errors             failed + non-2xx responses; a count, or with % a share of requests sent
 *   failed             failed requests (connect, receive, length, exceptions, timeouts); count | %
 *   non2xx             completed responses whose status was not 2xx; count | %
 *   timeouts           requests that got no response within -s; count | %
 *   client-saturated   1 when abx itself was the bottleneck (stats/client.ts), else 0; plain
 *
 * Only when observing an Auto Scaling group (the run has an observation):
 *
 *   instances          InService instances at the end (the last InServiceInstances sample); plain
 *   scale-outs         scaling activities that raised capacity (toCapacity > fromCapacity); plain
 *   time-to-scale      from the run's start to the start of the first scale-out; s | ms
 *
 * A metric that cannot be measured (no InServiceInstances sample, no scale-out,
 * a share of zero requests) has an actual value of null and fails: a smoke
 * check must not pass because the thing it asserts on never happened.
 *
 * An unknown metric, a unit the metric does not take or an observing-only
 * metric without observation is a ConfigError before any request is sent
 * (k6 silently passes unknown metrics; that is the mistake this avoids).
 */
import { ConfigError } from '../errors.js';
import type { AssertionOutcome, LatencySummaryMs, Result } from './result.js';
import { isScaleOut, timeToScaleSec } from './time-to-scale.js';

export type AssertionOp = '<' | '<=' | '>' | '>=' | '==';
export type AssertionUnit = 'ms' | 's' | '%' | '';

export interface Assertion {
  /** The expression as the user wrote it (trimmed), shown in tables and JUnit. */
  expression: string;
  /** The canonical metric name (lower case). */
  metric: string;
  op: AssertionOp;
  value: number;
  /** The unit of `value`; the actual value is reported in the same unit. */
  unit: AssertionUnit;
}

type MetricKind = 'latency' | 'rate' | 'count' | 'flag' | 'observed-count' | 'observed-duration';

const LATENCY_FIELDS = ['p50', 'p66', 'p75', 'p80', 'p90', 'p95', 'p98', 'p99', 'p999', 'p9999', 'min', 'mean', 'max'] as const;
type LatencyField = (typeof LATENCY_FIELDS)[number];

const METRICS: Record<string, MetricKind> = {
  ...Object.fromEntries(LATENCY_FIELDS.map((name) => [name, 'latency' as const])),
  rps: 'rate',
  errors: 'count',
  failed: 'count',
  non2xx: 'count',
  timeouts: 'count',
  'client-saturated': 'flag',
  instances: 'observed-count',
  'scale-outs': 'observed-count',
  'time-to-scale': 'observed-duration',
};

/** Units each kind accepts; the first is what a bare number means. */
const UNITS: Record<MetricKind, AssertionUnit[]> = {
  latency: ['ms', 's'],
  rate: [''],
  count: ['', '%'],
  flag: [''],
  'observed-count': [''],
  'observed-duration': ['s', 'ms'],
};

const OBSERVING_ONLY = new Set(['instances', 'scale-outs', 'time-to-scale']);

const EXPRESSION = /^([A-Za-z][A-Za-z0-9-]*)\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|%)?$/;

const metricList = (observing: boolean): string =>
  Object.keys(METRICS)
    .filter((name) => observing || !OBSERVING_ONLY.has(name))
    .join(', ');

/** Parses one `--assert` expression; throws a one-line ConfigError that says what to fix. */
export function parseAssertion(expression: string, opts: { observing: boolean; flag?: string }): Assertion {
  const text = String(expression).trim();
  const quoted = `${opts.flag ?? '--assert'} "${text}"`;
  const match = EXPRESSION.exec(text);
  if (!match) {
    throw new ConfigError(
      `${quoted} is not an assertion: write METRIC OP VALUE[UNIT] such as p99<250ms, errors<1%, rps>=500 (OP is <, <=, >, >= or ==)`,
    );
  }
  const metric = match[1].toLowerCase();
  const op = match[2] as AssertionOp;
  const value = Number(match[3]);
  const kind = METRICS[metric];
  if (kind === undefined) {
    throw new ConfigError(`${quoted}: unknown metric "${match[1]}"; use one of ${metricList(opts.observing)}`);
  }
  if (OBSERVING_ONLY.has(metric) && !opts.observing) {
    throw new ConfigError(
      `${quoted}: ${metric} needs an observed Auto Scaling group (--asg or --target-group, or an ALB URL); without one use ${metricList(false)}`,
    );
  }
  const accepted = UNITS[kind];
  const unit = (match[4] ?? accepted[0]) as AssertionUnit;
  if (!accepted.includes(unit)) {
    const shown = accepted.map((u) => (u === '' ? 'a plain number' : u)).join(' or ');
    throw new ConfigError(`${quoted}: ${metric} takes ${shown}, not "${unit}"`);
  }
  return { expression: text, metric, op, value, unit };
}

/** Why a latency or rate assertion failed unmeasured. */
export const NO_COMPLETED_REQUESTS = 'no completed requests';

/** Evaluates each assertion against a finished Result, in order. */
export function evaluateAssertions(assertions: Assertion[], result: Result): AssertionOutcome[] {
  return assertions.map((assertion) => {
    // Latency and rate of a run that completed nothing are not 0: they were never measured.
    const kind = METRICS[assertion.metric];
    if ((kind === 'latency' || kind === 'rate') && result.totals.completed === 0) {
      return { expression: assertion.expression, actual: null, unit: assertion.unit, passed: false, reason: NO_COMPLETED_REQUESTS };
    }
    const actual = measure(assertion, result);
    return {
      expression: assertion.expression,
      actual,
      unit: assertion.unit,
      passed: actual !== null && compare(actual, assertion.op, assertion.value),
    };
  });
}

export function compare(actual: number, op: AssertionOp, expected: number): boolean {
  switch (op) {
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '==':
      return actual === expected;
  }
}

/** The measured value of the assertion's metric in the assertion's unit, or null. */
function measure(assertion: Assertion, result: Result): number | null {
  const { metric, unit } = assertion;
  const kind = METRICS[metric];
  switch (kind) {
    case 'latency': {
      const ms = result.latencyMs[metric as LatencyField & keyof LatencySummaryMs];
      return unit === 's' ? ms / 1000 : ms;
    }
    case 'rate':
      return result.totals.rps;
    case 'count': {
      const count = countOf(metric, result);
      if (unit !== '%') return count;
      // A share of nothing is unmeasurable, not 0 %: a run that sent nothing must not pass.
      return result.totals.requests > 0 ? (count / result.totals.requests) * 100 : null;
    }
    case 'flag':
      // A Result from before abx measured itself has no verdict: unmeasured, so the assertion fails.
      return result.client ? Number(result.client.saturated) : null;
    case 'observed-count':
      return metric === 'instances' ? lastInService(result) : scaleOuts(result);
    case 'observed-duration': {
      const seconds = timeToScaleSec(result);
      if (seconds === null) return null;
      return unit === 'ms' ? seconds * 1000 : seconds;
    }
    default:
      // parseAssertion only yields known metrics; an Assertion built by hand may not.
      return null;
  }
}

function countOf(metric: string, result: Result): number {
  switch (metric) {
    case 'errors':
      return result.totals.failed + result.totals.non2xx;
    case 'failed':
      return result.totals.failed;
    case 'non2xx':
      return result.totals.non2xx;
    default:
      return result.failures.timeouts;
  }
}

function lastInService(result: Result): number | null {
  let latest: { atMs: number; value: number } | null = null;
  for (const sample of result.observation?.samples ?? []) {
    if (sample.metric !== 'InServiceInstances') continue;
    const atMs = Date.parse(sample.at);
    // ">=" so that of two samples for the same period the later one (the refreshed value) wins.
    if (latest === null || atMs >= latest.atMs) latest = { atMs, value: sample.value };
  }
  return latest?.value ?? null;
}

function scaleOuts(result: Result): number | null {
  if (!result.observation) return null;
  return result.observation.events.filter(isScaleOut).length;
}
