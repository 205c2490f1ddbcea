/** --abort-on, --abort-window, --abort-grace → AbortOnSettings (one-line ConfigErrors). */
import { ConfigError } from '../errors.js';
import { WINDOW_METRICS, type AbortOnSettings } from '../stats/abort-window.js';
import { parseAssertion } from '../stats/thresholds.js';
import { parseDurationMs } from './parse.js';

export interface AbortOnFlags {
  abortOn?: string[] | undefined;
  abortWindow?: string | undefined;
  abortGrace?: string | undefined;
}

const DEFAULT_WINDOW_SEC = 10;
const DEFAULT_GRACE_SEC = 5;

export function parseAbortOn(flags: AbortOnFlags): AbortOnSettings | null {
  const expressions = flags.abortOn ?? [];
  if (expressions.length === 0) {
    if (flags.abortWindow !== undefined || flags.abortGrace !== undefined) {
      throw new ConfigError('--abort-window and --abort-grace need an --abort-on condition, e.g. --abort-on "errors>20%"');
    }
    return null;
  }
  const conditions = expressions.map((expression) => {
    // Name the metrics a window measures, not every --assert metric, when the name is wrong.
    const name = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*[<>=]/.exec(expression)?.[1].toLowerCase();
    if (name !== undefined && !WINDOW_METRICS.has(name)) {
      throw new ConfigError(
        `--abort-on "${expression.trim()}": ${name} is not measured per second; use one of ${[...WINDOW_METRICS].join(', ')}`,
      );
    }
    const condition = parseAssertion(expression, { observing: false, flag: '--abort-on' });
    if (!WINDOW_METRICS.has(condition.metric)) {
      throw new ConfigError(
        `--abort-on "${condition.expression}": ${condition.metric} is not measured per second; use one of ${[...WINDOW_METRICS].join(', ')}`,
      );
    }
    return condition;
  });
  return {
    conditions,
    windowSec: wholeSeconds('--abort-window', flags.abortWindow, DEFAULT_WINDOW_SEC),
    graceSec: flags.abortGrace === undefined ? DEFAULT_GRACE_SEC : wholeSeconds('--abort-grace', flags.abortGrace, 0, true),
  };
}

/** The window is made of whole seconds: round up, at least one. */
function wholeSeconds(flag: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined) return fallback;
  const ms = parseDurationMs(flag, raw, { bareUnit: 's', allowZero });
  return Math.max(allowZero ? 0 : 1, Math.ceil(ms / 1000));
}
