/**
 * Scaling-activity Cause and Details text → structured fields. Cause is the
 * only place Auto Scaling says which alarm moved the desired capacity, and
 * from what to what; its sentences are separated by two spaces.
 */

export interface ParsedCause {
  /** The alarm that triggered the policy, when a monitor alarm did. */
  alarmName?: string;
  alarmState?: string;
  policyName?: string;
  fromCapacity?: number;
  toCapacity?: number;
  /** When the desired capacity changed (the first "At <time>" of the Cause), epoch ms. */
  changedAtMs?: number;
}

const POLICY = /a monitor alarm (\S+) in state (\w+) triggered policy (.+?) changing the desired capacity from (\d+) to (\d+)/;
const DESIRED = /changing the desired capacity from (\d+) to (\d+)/;
const ACTUAL = /(?:increasing|shrinking) the capacity from (\d+) to (\d+)/;
const AT = /^At (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/;

export function parseCause(cause: string | undefined): ParsedCause {
  if (!cause) return {};
  const parsed: ParsedCause = {};
  const at = AT.exec(cause.trim());
  if (at) {
    const ms = Date.parse(at[1]);
    if (Number.isFinite(ms)) parsed.changedAtMs = ms;
  }
  const policy = POLICY.exec(cause);
  if (policy) {
    parsed.alarmName = policy[1]!;
    parsed.alarmState = policy[2]!;
    parsed.policyName = policy[3]!;
    parsed.fromCapacity = Number(policy[4]);
    parsed.toCapacity = Number(policy[5]);
    return parsed;
  }
  // Not every activity comes from a policy (a user request, a health-check
  // replacement); the desired-capacity or actual-capacity sentence still says
  // how the group moved.
  const change = DESIRED.exec(cause) ?? ACTUAL.exec(cause);
  if (change) {
    parsed.fromCapacity = Number(change[1]);
    parsed.toCapacity = Number(change[2]);
  }
  return parsed;
}

/** The Availability Zone in an activity's Details JSON text, if any. */
export function availabilityZoneFromDetails(details: string | undefined): string | undefined {
  if (!details) return undefined;
  try {
    const value: unknown = JSON.parse(details);
    if (value && typeof value === 'object') {
      const az = (value as Record<string, unknown>)['Availability Zone'];
      if (typeof az === 'string') return az;
    }
  } catch {
    // Details is free text in some documentation examples ("…" elisions); fall through to a regex.
  }
  const match = /"Availability Zone"\s*:\s*"([^"]+)"/.exec(details);
  return match?.[1];
}

/** The instance id in "Launching a new EC2 instance: i-0abc…" / "Terminating EC2 instance: i-…". */
export function instanceIdFromDescription(description: string | undefined): string | undefined {
  return description ? /\b(i-[0-9a-f]{8,17})\b/.exec(description)?.[1] : undefined;
}

/** Auto Scaling's terminal activity status codes; everything else is still in progress. */
export function isTerminalStatus(statusCode: string | undefined): boolean {
  return statusCode === 'Successful' || statusCode === 'Failed' || statusCode === 'Cancelled';
}
