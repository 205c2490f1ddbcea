/**
 * --shard I/N and --start-at TIME: one run spread over N processes (machines,
 * Kubernetes pods, CI jobs) that start together. Parsing only; the split
 * itself has one home in the engine (split.ts, schedule.ts).
 */
import { ConfigError } from '../errors.js';

/** Environment variables --shard auto/N reads the index from, in order: Kubernetes Indexed Jobs set the first. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'ABX_SHARD_INDEX'] as const;

/** More shards than this is a typo, not a fleet. */
const MAX_SHARDS = 10_000;

/** A start time further in the past than this is a mistake (a stale manifest or a wrong clock), not a late shard. */
const MAX_LATE_MS = 24 * 3_600_000;

export interface ShardSpec {
  index: number;
  count: number;
}

/** "2/5", or "auto/5" with the index from JOB_COMPLETION_INDEX or ABX_SHARD_INDEX. */
export function parseShard(raw: string, env: NodeJS.ProcessEnv): ShardSpec {
  const text = String(raw).trim();
  const match = /^(auto|\d+)\/(\d+)$/i.exec(text);
  if (!match) throw new ConfigError(`--shard must be I/N with 0 <= I < N, e.g. --shard 0/4, or auto/N (got "${raw}")`);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ConfigError(`--shard ${text}: N must be 1 to ${MAX_SHARDS}`);
  let index: number;
  if (match[1].toLowerCase() === 'auto') {
    const variable = SHARD_INDEX_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
    if (variable === undefined) {
      throw new ConfigError(`--shard ${text}: set ${SHARD_INDEX_VARIABLES.join(' or ')} to this shard's index (0 to ${count - 1})`);
    }
    const value = String(env[variable]).trim();
    if (!/^\d+$/.test(value)) throw new ConfigError(`--shard ${text}: ${variable} must be a whole number (got "${value}")`);
    index = Number(value);
    if (index >= count) throw new ConfigError(`--shard ${text}: ${variable}=${index} is not below ${count}`);
  } else {
    index = Number(match[1]);
    if (index >= count) throw new ConfigError(`--shard ${text}: the index must be 0 to ${count - 1} (shards count from 0)`);
  }
  return { index, count };
}

/**
 * "2026-11-30T14:00:00Z" (ISO 8601 with a zone), "1796047200" (epoch seconds)
 * or "+30s" (from now) → epoch ms. A time more than a day ago is refused.
 */
export function parseStartAt(raw: string, nowMs: number): number {
  const text = String(raw).trim();
  let atMs: number;
  const relative = /^\+(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (relative) {
    const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    atMs = nowMs + Number(relative[1]) * unitMs[relative[2] ?? 's'];
  } else if (/^\d+(?:\.\d+)?$/.test(text)) {
    atMs = Number(text) * 1000;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text) && !Number.isNaN(Date.parse(text))) {
    atMs = Date.parse(text);
  } else {
    throw new ConfigError(
      `--start-at must be an ISO 8601 time with a zone (2026-01-31T12:00:00Z), epoch seconds, or +30s from now (got "${raw}")`,
    );
  }
  if (nowMs - atMs > MAX_LATE_MS) {
    throw new ConfigError(`--start-at ${text} is more than a day in the past (${new Date(atMs).toISOString()}): give a time to come`);
  }
  return Math.round(atMs);
}
