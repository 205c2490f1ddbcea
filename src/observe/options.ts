/**
 * The rules about observer options that the run, `abx watch` and the observer
 * itself all apply: what asks for an observation, and how often polling may go.
 */
import { ConfigError } from '../errors.js';
import { parseAlbHost } from './arn.js';

/** 15 s: a few polls per CloudWatch minute, well inside the APIs' rate limits. */
export const DEFAULT_POLL_INTERVAL_MS = 15_000;

/** Polling faster than once a second only spends API quota: no AWS metric or state changes that often. */
export const MIN_POLL_INTERVAL_MS = 1000;

/** True when there is something to observe: a group, a target group, or an ALB URL (*.elb.amazonaws.com) to find one from. */
export function wantsObservation(target: {
  asg?: string | undefined;
  targetGroupArn?: string | undefined;
  url?: URL | undefined;
}): boolean {
  return Boolean(target.asg || target.targetGroupArn || (target.url && parseAlbHost(target.url.hostname)));
}

/** Throws the one-line ConfigError for an interval below the floor; `given` is the value as the user wrote it. */
export function checkPollIntervalMs(pollIntervalMs: number, given = `${pollIntervalMs}ms`): number {
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs < MIN_POLL_INTERVAL_MS) {
    throw new ConfigError(`--poll-interval must be at least ${MIN_POLL_INTERVAL_MS / 1000}s (got "${given}")`);
  }
  return pollIntervalMs;
}
