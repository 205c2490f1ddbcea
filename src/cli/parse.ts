/**
 * Parsers for flag values. Each throws a ConfigError whose message names the
 * flag and says what a valid value looks like, so the CLI can print it as-is.
 */
import { ConfigError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "500ms", "30s", "2m", "1h"; a bare number means `bareUnit` (seconds for ab's -t and -s).
 * Zero is allowed only when `allowZero` (e.g. --linger 0 turns lingering off).
 */
export function parseDurationMs(flag: string, raw: string, opts: { bareUnit?: 'ms' | 's'; allowZero?: boolean } = {}): number {
  const match = DURATION.exec(String(raw).trim());
  if (!match) {
    throw new ConfigError(`${flag} must be a duration such as 30, 30s, 500ms, 2m or 1h (got "${raw}")`);
  }
  const unit = match[2] ?? opts.bareUnit ?? 's';
  const ms = Number(match[1]) * UNIT_MS[unit];
  if (ms === 0 && !opts.allowZero) {
    throw new ConfigError(`${flag} must be greater than zero (got "${raw}")`);
  }
  return ms;
}

/** A whole number >= min (default 1). */
export function parseInteger(flag: string, raw: string, opts: { min?: number; max?: number } = {}): number {
  const min = opts.min ?? 1;
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) {
    throw new ConfigError(`${flag} must be a whole number (got "${raw}")`);
  }
  const value = Number(text);
  if (value < min) {
    throw new ConfigError(`${flag} must be at least ${min} (got ${value})`);
  }
  if (opts.max !== undefined && value > opts.max) {
    throw new ConfigError(`${flag} must be at most ${opts.max} (got ${value})`);
  }
  return value;
}

/** A finite number > 0 (or >= 0 with allowZero). */
export function parsePositiveNumber(flag: string, raw: string, opts: { allowZero?: boolean } = {}): number {
  const text = String(raw).trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) {
    throw new ConfigError(`${flag} must be a number (got "${raw}")`);
  }
  if (value < 0 || (value === 0 && !opts.allowZero)) {
    throw new ConfigError(`${flag} must be ${opts.allowZero ? 'zero or more' : 'greater than zero'} (got ${value})`);
  }
  return value;
}

/** Collects a repeatable flag's values (commander's accumulator signature). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return previous ? [...previous, value] : [value];
}

/**
 * An argParser for a flag with a closed set of values (declared with
 * Option.choices): matches case-insensitively and refuses anything else
 * with abx's one-line error instead of commander's.
 */
export function oneOf<const T extends readonly string[]>(flag: string, values: T): (raw: string) => T[number] {
  return (raw) => {
    const value = String(raw).trim().toLowerCase();
    const match = values.find((candidate) => candidate === value);
    if (match === undefined) throw new ConfigError(`${flag} must be one of ${values.join(', ')} (got "${raw}")`);
    return match;
  };
}
