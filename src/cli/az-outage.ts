/**
 * `--az-outage ZONE@+START[/DURATION]` (repeatable), shared by `abx lab` and
 * `abx demo`: e.g. `us-east-1a@+60s/120s` takes us-east-1a down 60 s after
 * the lab starts, for 120 s; without a duration it stays down. Times are
 * wall-clock, like -t.
 */
import type { AzOutage } from '../lab/simulation.js';
import { ConfigError } from '../errors.js';
import { parseDurationMs } from './parse.js';

export function parseAzOutage(raw: string): AzOutage {
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d+[a-z])@\+?([^/]+)(?:\/(.+))?$/.exec(raw.trim());
  if (!m) throw new ConfigError(`--az-outage must look like us-east-1a@+60s or us-east-1a@+60s/120s (got "${raw}")`);
  const atMs = parseDurationMs('--az-outage start', m[2], { bareUnit: 's', allowZero: true });
  return m[3] === undefined
    ? { zone: m[1], atMs }
    : { zone: m[1], atMs, durationMs: parseDurationMs('--az-outage duration', m[3], { bareUnit: 's' }) };
}
