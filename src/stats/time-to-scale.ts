/**
 * Time to scale: how long each step of a scale-out took, from an Observation
 * alone (load above target → alarm → scaling activity → InService). One
 * definition, used by the scaling timeline, the HTML and markdown reports and
 * the `time-to-scale` assertion.
 */
import { byTime } from './by-time.js';
import { policyMetric } from './policy-metric.js';
import type { Observation, ObservationEvent, ObservationSample, Result, TimelineBucket } from './result.js';

/** How long each step of a scale-out took, from the observation alone. Epoch ms; null when the step was not seen. */
export interface TimeToScale {
  /** The policy's target (e.g. requests per target per period); null without a policy. */
  targetValue: number | null;
  /**
   * When the load went above the target: from abx's own per-second counts
   * (its request rate, over the InService count of the time, past the target
   * per period) when they show it, else the start of the first CloudWatch
   * period above the target.
   */
  loadAboveTargetAtMs: number | null;
  /** Where loadAboveTargetAtMs came from. */
  loadSource: 'abx' | 'cloudwatch' | null;
  /** What limits these figures (CloudWatch's period, load abx did not send), one line each. */
  notes: string[];
  /** The scale-out alarm (AlarmHigh) went to ALARM. */
  alarmAtMs: number | null;
  /** The first scale-out scaling activity started; without one, the first capacity increase the polls saw. */
  activityAtMs: number | null;
  /** Where activityAtMs came from: the API's scaling activity, or (when the API reported none) the polls' capacity and instance events. */
  activitySource: 'activity' | 'capacity' | null;
  /** The first instance of that scale-out was InService: the instance event the timeline prints, else the activity's end. */
  inServiceAtMs: number | null;
  /** Step durations: load above target → alarm → activity → InService, and the whole chain. */
  alarmAfterMs: number | null;
  activityAfterMs: number | null;
  inServiceAfterMs: number | null;
  totalMs: number | null;
  /** Capacity change of the first scale-out activity. */
  fromCapacity: number | null;
  toCapacity: number | null;
  peakDesired: number | null;
  peakInService: number | null;
  /** Instances the busiest period needed to be at the target: ceil(requests in the period / target). */
  neededCapacity: number | null;
  /** True when InService reached neededCapacity at some poll; null when either is unknown. */
  capacityReached: boolean | null;
}

const ms = (iso: string): number => Date.parse(iso);

export function isScaleOut(event: ObservationEvent): boolean {
  return (
    event.kind === 'scaling-activity' &&
    event.fromCapacity !== undefined &&
    event.toCapacity !== undefined &&
    event.toCapacity > event.fromCapacity
  );
}

function isHighAlarm(event: ObservationEvent, observation: Observation): boolean {
  if (event.kind !== 'alarm' || event.toState !== 'ALARM' || !event.alarmName) return false;
  const info = observation.alarms.find((a) => a.name === event.alarmName);
  return info ? info.role === 'high' : /-AlarmHigh-/.test(event.alarmName);
}

function maxOf(samples: ObservationSample[], metric: string): number | null {
  const values = samples.filter((s) => s.metric === metric).map((s) => s.value);
  return values.length ? Math.max(...values) : null;
}

/**
 * Some APIs report no scaling activity for a scale-out (e.g. a manual
 * set-desired-capacity), yet the polls see it: the first rise of
 * DesiredCapacity or InServiceInstances between two polls, or the first
 * instance that appears, at or after the run's start.
 */
function capacityIncrease(
  observation: Observation,
  events: ObservationEvent[],
  runStartedAtMs: number,
): { atMs: number; fromCapacity: number | null; toCapacity: number | null } | null {
  let best: { atMs: number; fromCapacity: number | null; toCapacity: number | null } | null = null;
  for (const metric of ['DesiredCapacity', 'InServiceInstances']) {
    const series = observation.samples.filter((s) => s.metric === metric).sort(byTime);
    for (let i = 1; i < series.length; i++) {
      const atMs = ms(series[i].at);
      if (atMs < runStartedAtMs || series[i].value <= series[i - 1].value) continue;
      if (!best || atMs < best.atMs) best = { atMs, fromCapacity: series[i - 1].value, toCapacity: series[i].value };
      break;
    }
  }
  const appeared = events.find(
    (e) => e.kind === 'instance' && e.fromState === undefined && e.toState !== 'Terminated' && ms(e.at) >= runStartedAtMs,
  );
  if (appeared && (!best || ms(appeared.at) < best.atMs)) best = { atMs: ms(appeared.at), fromCapacity: null, toCapacity: null };
  return best;
}

/** Without an instance event: the first poll at or after `fromMs` whose InService count rose above the one before `fromMs`. */
function inServiceRise(observation: Observation, fromMs: number): number | null {
  const series = observation.samples.filter((s) => s.metric === 'InServiceInstances').sort(byTime);
  const before = series.filter((s) => ms(s.at) < fromMs).at(-1);
  if (!before) return null;
  const rose = series.find((s) => ms(s.at) >= fromMs && s.value > before.value);
  return rose ? ms(rose.at) : null;
}

function diff(later: number | null, earlier: number | null): number | null {
  return later !== null && earlier !== null ? Math.max(0, later - earlier) : null;
}

/** abx's own requests are averaged over this many seconds before they are compared with the target: one busy second is not a crossing. */
const OWN_RATE_WINDOW_SEC = 5;

/**
 * The first second at which abx's own request rate (ended requests, averaged
 * over the last few seconds), scaled to a period and divided by the InService
 * count of that time, was above the target: when the load crossed it, to the
 * second. Null without a per-target target, a timeline or an InService count.
 */
export function ownLoadCrossingMs(
  observation: Observation,
  runStartedAtMs: number,
  timeline: readonly TimelineBucket[],
  target: number,
): number | null {
  if (!observation.policy || policyMetric(observation) !== 'RequestCountPerTarget' || timeline.length === 0) return null;
  const inService = observation.samples.filter((s) => s.metric === 'InServiceInstances').sort(byTime);
  if (inService.length === 0) return null;
  const buckets = [...timeline].sort((a, b) => a.second - b.second);
  const bySecond = new Map(buckets.map((b) => [b.second, b.completed + b.errors]));
  for (const bucket of buckets) {
    const atMs = runStartedAtMs + bucket.second * 1000;
    let sum = 0;
    const from = Math.max(0, bucket.second - OWN_RATE_WINDOW_SEC + 1);
    for (let s = from; s <= bucket.second; s++) sum += bySecond.get(s) ?? 0;
    const ratePerSec = sum / (bucket.second - from + 1);
    let targets = inService[0].value;
    for (const sample of inService) if (ms(sample.at) <= atMs) targets = sample.value;
    if (targets > 0 && (ratePerSec * observation.periodSec) / targets > target) return atMs;
  }
  return null;
}

export function timeToScale(observation: Observation, runStartedAtMs: number, timeline: readonly TimelineBucket[] = []): TimeToScale {
  const target = observation.policy && Number.isFinite(observation.policy.targetValue) ? observation.policy.targetValue : null;
  const periodMs = observation.periodSec * 1000;
  const metric = policyMetric(observation);
  const above =
    target === null
      ? undefined
      : observation.samples.find((s) => s.metric === metric && ms(s.at) >= runStartedAtMs - periodMs && s.value > target);
  const cloudWatchMs = above ? ms(above.at) : null;
  const ownMs = target === null ? null : ownLoadCrossingMs(observation, runStartedAtMs, timeline, target);
  const notes: string[] = [];
  const period = `${observation.periodSec} s`;
  let loadAboveTargetAtMs: number | null = null;
  let loadSource: TimeToScale['loadSource'] = null;
  if (ownMs !== null && (cloudWatchMs === null || ownMs < cloudWatchMs + periodMs)) {
    // abx's own counts say it to the second; CloudWatch only knows the period it happened in.
    loadAboveTargetAtMs = ownMs;
    loadSource = 'abx';
    if (cloudWatchMs === null) notes.push(`CloudWatch has no ${period} period above the target yet: the crossing is from abx's own counts`);
  } else if (cloudWatchMs !== null) {
    loadAboveTargetAtMs = cloudWatchMs;
    loadSource = 'cloudwatch';
    notes.push(
      ownMs !== null
        ? `CloudWatch saw the target passed before abx's own requests could pass it: other clients load this target group too; the time is the start of that ${period} period`
        : `load above target is known only to CloudWatch's ${period} period: it went above somewhere in the period that starts then`,
    );
  }
  const events = [...observation.events].sort(byTime);
  const alarm = events.find((e) => isHighAlarm(e, observation) && ms(e.at) >= (loadAboveTargetAtMs ?? runStartedAtMs) - periodMs);
  const alarmAtMs = alarm ? ms(alarm.at) : null;
  // Activities that began before the run were not caused by it.
  const activity = events.find((e) => isScaleOut(e) && ms(e.at) >= runStartedAtMs);
  const increase = activity ? null : capacityIncrease(observation, events, runStartedAtMs);
  const activityAtMs = activity ? ms(activity.at) : (increase?.atMs ?? null);
  let inServiceAtMs: number | null = null;
  if (activityAtMs !== null) {
    const instance = events.find((e) => e.kind === 'instance' && e.toState === 'InService' && ms(e.at) >= activityAtMs);
    // The instance line the timeline prints wins, so "Time to scale" and the
    // events above it agree; the activity's end stands in when no poll saw the instance.
    const ended = activity?.statusCode === 'Successful' && activity.endedAt ? ms(activity.endedAt) : null;
    inServiceAtMs = instance ? ms(instance.at) : ended;
    if (inServiceAtMs === null && !activity) inServiceAtMs = inServiceRise(observation, activityAtMs);
  }
  const peakDesired = maxOf(observation.samples, 'DesiredCapacity');
  const peakInService = maxOf(observation.samples, 'InServiceInstances');
  let neededCapacity: number | null = null;
  if (target !== null && target > 0) {
    const requests = maxOf(observation.samples, 'RequestCount');
    if (requests !== null) {
      neededCapacity = Math.ceil(requests / target);
    } else {
      // Without RequestCount: per-target load × healthy targets in the same period.
      let peak: number | null = null;
      for (const s of observation.samples.filter((x) => x.metric === metric)) {
        const healthy = observation.samples.find((h) => h.metric === 'HealthyHostCount' && h.at === s.at);
        if (healthy) peak = Math.max(peak ?? 0, s.value * healthy.value);
      }
      neededCapacity = peak === null ? null : Math.ceil(peak / target);
    }
  }
  const high = observation.alarms.find((a) => a.role === 'high');
  if (alarmAtMs !== null && high && high.periodSec >= 60) {
    notes.push(
      `the alarm fires only after ${high.datapointsToAlarm} of ${high.evaluationPeriods} whole ${high.periodSec} s periods above its threshold, each published by CloudWatch after its period ends: most of the alarm step is that wait`,
    );
  }
  return {
    targetValue: target,
    loadAboveTargetAtMs,
    loadSource,
    notes,
    alarmAtMs,
    activityAtMs,
    activitySource: activity ? 'activity' : increase ? 'capacity' : null,
    inServiceAtMs,
    alarmAfterMs: diff(alarmAtMs, loadAboveTargetAtMs),
    activityAfterMs: diff(activityAtMs, alarmAtMs),
    inServiceAfterMs: diff(inServiceAtMs, activityAtMs),
    totalMs: diff(inServiceAtMs, loadAboveTargetAtMs),
    fromCapacity: activity?.fromCapacity ?? increase?.fromCapacity ?? null,
    toCapacity: activity?.toCapacity ?? increase?.toCapacity ?? null,
    peakDesired,
    peakInService,
    neededCapacity,
    capacityReached: neededCapacity !== null && peakInService !== null ? peakInService >= neededCapacity : null,
  };
}

/**
 * Seconds from the run's start to the start of the first scale-out activity
 * that began during or after the run; null when none did (or not observed).
 * Only an activity the API reported counts here: the `time-to-scale`
 * assertion and the HTML/markdown figure keep to what AWS said it did.
 */
export function timeToScaleSec(result: Result): number | null {
  if (!result.observation) return null;
  const { activityAtMs, activitySource } = timeToScale(result.observation, result.startedAtMs);
  return activityAtMs === null || activitySource !== 'activity' ? null : (activityAtMs - result.startedAtMs) / 1000;
}
