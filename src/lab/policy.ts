/**
 * Target tracking on ALBRequestCountPerTarget, as pure logic: one call per
 * completed lab period, no clock and no sockets.
 *
 * Two alarms watch the per-period metric, as the managed alarms of an EC2
 * target-tracking policy do:
 * - AlarmHigh: metric > targetValue for `highEvaluationPeriods` consecutive
 *   periods (GreaterThanThreshold, DatapointsToAlarm = EvaluationPeriods).
 * - AlarmLow: metric < LOW_THRESHOLD_RATIO × targetValue for
 *   `lowEvaluationPeriods` consecutive periods (LessThanThreshold). The ratio
 *   is 0.9: Application Auto Scaling documents scale-in "usually more than 10%
 *   lower"; EC2 groups have been observed at 0.7 for CPU targets. AWS does
 *   not document the ratio for EC2 Auto Scaling.
 *
 * While an alarm stays in ALARM its action runs again every period, as
 * Auto Scaling re-runs alarm actions every minute. Each run computes the
 * capacity that would bring the metric to the target:
 *   needed = ceil(capacity × metric / targetValue)
 * where `capacity` is the (time-averaged) number of targets the metric was
 * divided by, so capacity × metric is the period's request count.
 * - Scale-out sets desired = min(max, needed) only when needed > desired.
 *   Desired already counts the instances still launching or warming up, so
 *   they "cover" the breach they were launched for and the same breach does
 *   not launch them again.
 * - Scale-in is conservative: never while any instance is launching or
 *   warming up (as warm-up blocks scale-in on AWS), by at most one instance
 *   per period, never below `needed` nor below min.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Below this fraction of the target value the low alarm counts a breach. */
export const LOW_THRESHOLD_RATIO = 0.9;

export interface PolicyConfig {
  /** Requests per target per period the policy aims for. */
  targetValue: number;
  highEvaluationPeriods: number;
  lowEvaluationPeriods: number;
  min: number;
  max: number;
}

export interface PeriodInput {
  /** RequestCountPerTarget for the period just completed. */
  metric: number;
  /** The number of targets the metric was divided by (may be fractional: a time average). */
  capacity: number;
  /** The group's desired capacity now (includes launching and warming instances). */
  desired: number;
  /** Instances launched but not yet InService. */
  warming: number;
}

export interface PolicyDecision {
  high: AlarmState;
  low: AlarmState;
  /** Set when an alarm's action changes the desired capacity. */
  change?: { alarm: 'high' | 'low'; from: number; to: number };
}

export function lowThreshold(targetValue: number): number {
  return targetValue * LOW_THRESHOLD_RATIO;
}

/** ceil() that ignores floating-point dust (2 × 90 / 60 must be 3, not 4). */
function ceilClean(value: number): number {
  return Math.ceil(value - 1e-9);
}

export class TargetTrackingPolicy {
  private readonly recent: number[] = [];

  constructor(readonly config: PolicyConfig) {}

  /** The metric values the alarms currently look at, oldest first. */
  history(): readonly number[] {
    return this.recent;
  }

  evaluate(input: PeriodInput): PolicyDecision {
    const { targetValue, highEvaluationPeriods, lowEvaluationPeriods, min, max } = this.config;
    this.recent.push(input.metric);
    const keep = Math.max(highEvaluationPeriods, lowEvaluationPeriods);
    if (this.recent.length > keep) this.recent.splice(0, this.recent.length - keep);

    const high = this.state(highEvaluationPeriods, (v) => v > targetValue);
    const low = this.state(lowEvaluationPeriods, (v) => v < lowThreshold(targetValue));
    const needed = ceilClean((input.capacity * input.metric) / targetValue);

    if (high === 'ALARM') {
      const to = Math.min(max, Math.max(min, needed));
      if (to > input.desired) return { high, low, change: { alarm: 'high', from: input.desired, to } };
    } else if (low === 'ALARM' && input.warming === 0) {
      const to = Math.max(min, needed, input.desired - 1);
      if (to < input.desired) return { high, low, change: { alarm: 'low', from: input.desired, to } };
    }
    return { high, low };
  }

  private state(periods: number, breaching: (value: number) => boolean): AlarmState {
    if (this.recent.length < periods) return 'INSUFFICIENT_DATA';
    const window = this.recent.slice(this.recent.length - periods);
    return window.every(breaching) ? 'ALARM' : 'OK';
  }
}
