/**
 * Auto Scaling and alarm state → Observation events: scaling activities
 * (with from/to capacity parsed from their Cause), instance lifecycle changes
 * seen between polls, and alarm state transitions. Pure: each function takes
 * what the last poll remembered and returns what is new.
 */
import type { Activity, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { AlarmHistoryItem, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { byTime } from '../stats/by-time.js';
import type { AlarmInfo, ObservationEvent } from '../stats/result.js';
import { availabilityZoneFromDetails, instanceIdFromDescription, isTerminalStatus, parseCause } from './cause.js';

export interface GroupState {
  desired: number;
  min: number;
  max: number;
  inService: number;
  pending: number;
  /** instanceId → lifecycle state and AZ. */
  instances: Map<string, { state: string; az?: string }>;
}

export function groupState(group: AutoScalingGroup): GroupState {
  const instances = new Map<string, { state: string; az?: string }>();
  let inService = 0;
  let pending = 0;
  for (const instance of group.Instances ?? []) {
    if (!instance.InstanceId) continue;
    const state = instance.LifecycleState ?? 'Unknown';
    instances.set(instance.InstanceId, { state, ...(instance.AvailabilityZone ? { az: instance.AvailabilityZone } : {}) });
    if (state === 'InService') inService++;
    else if (state.startsWith('Pending')) pending++;
  }
  return { desired: group.DesiredCapacity ?? 0, min: group.MinSize ?? 0, max: group.MaxSize ?? 0, inService, pending, instances };
}

/**
 * Instance lifecycle changes between two polls. A new instance is reported
 * with its first seen state; one that vanished is reported as Terminated.
 */
export function instanceEvents(previous: GroupState | null, next: GroupState, atIso: string): ObservationEvent[] {
  if (!previous) return [];
  const events: ObservationEvent[] = [];
  for (const [id, now] of next.instances) {
    const before = previous.instances.get(id);
    if (before?.state === now.state) continue;
    events.push({
      at: atIso,
      kind: 'instance',
      description: before ? `${before.state} → ${now.state}` : `new, ${now.state}`,
      instanceId: id,
      ...(now.az ? { availabilityZone: now.az } : {}),
      ...(before ? { fromState: before.state } : {}),
      toState: now.state,
    });
  }
  for (const [id, before] of previous.instances) {
    if (next.instances.has(id)) continue;
    events.push({
      at: atIso,
      kind: 'instance',
      description: `${before.state} → gone`,
      instanceId: id,
      ...(before.az ? { availabilityZone: before.az } : {}),
      fromState: before.state,
      toState: 'Terminated',
    });
  }
  return events;
}

function activityEvent(activity: Activity): ObservationEvent {
  const cause = parseCause(activity.Cause);
  const startMs = activity.StartTime ? new Date(activity.StartTime).getTime() : Date.now();
  const az = availabilityZoneFromDetails(activity.Details);
  const instanceId = instanceIdFromDescription(activity.Description);
  return {
    at: new Date(startMs).toISOString(),
    kind: 'scaling-activity',
    description: (activity.Description ?? 'scaling activity').replace(/\s+/g, ' ').trim(),
    ...(activity.ActivityId ? { activityId: activity.ActivityId } : {}),
    ...(activity.StatusCode ? { statusCode: activity.StatusCode } : {}),
    ...(cause.fromCapacity !== undefined ? { fromCapacity: cause.fromCapacity } : {}),
    ...(cause.toCapacity !== undefined ? { toCapacity: cause.toCapacity } : {}),
    ...(activity.Cause ? { cause: activity.Cause } : {}),
    ...(cause.alarmName ? { alarmName: cause.alarmName } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(az ? { availabilityZone: az } : {}),
    ...(activity.EndTime ? { endedAt: new Date(activity.EndTime).toISOString() } : {}),
  };
}

/**
 * Which activities count: those that started at or after `sinceMs`, plus any
 * still in progress (a scale-out that began just before the run still
 * matters). Returns the events that are new or whose status changed.
 */
export function activityUpdates(known: Map<string, ObservationEvent>, activities: Activity[], sinceMs: number): ObservationEvent[] {
  const updates: ObservationEvent[] = [];
  for (const activity of activities) {
    if (!activity.ActivityId) continue;
    const startMs = activity.StartTime ? new Date(activity.StartTime).getTime() : Number.NaN;
    const old = known.get(activity.ActivityId);
    if (!old && !(startMs >= sinceMs) && isTerminalStatus(activity.StatusCode)) continue;
    const event = activityEvent(activity);
    if (old && old.statusCode === event.statusCode && old.endedAt === event.endedAt) continue;
    known.set(activity.ActivityId, event);
    updates.push(event);
  }
  // Oldest first, so printed lines read in order.
  return updates.sort(byTime);
}

/** "RequestCountPerTarget 137.5 > 60 for 3 of 3 periods", from the alarm's own numbers. */
export function alarmReason(alarm: MetricAlarm): string {
  const symbol: Record<string, string> = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '≥',
    LessThanThreshold: '<',
    LessThanOrEqualToThreshold: '≤',
  };
  const op = symbol[alarm.ComparisonOperator ?? ''] ?? alarm.ComparisonOperator ?? '?';
  let latest: number | undefined;
  try {
    const data = JSON.parse(alarm.StateReasonData ?? '{}') as { recentDatapoints?: unknown };
    if (Array.isArray(data.recentDatapoints) && data.recentDatapoints.length) {
      const last: unknown = data.recentDatapoints[data.recentDatapoints.length - 1];
      if (typeof last === 'number') latest = last;
    }
  } catch {
    // StateReasonData is optional text; the reason line just omits the value.
  }
  const evaluation = alarm.EvaluationPeriods ?? 1;
  const datapoints = alarm.DatapointsToAlarm ?? evaluation;
  const metric = alarm.MetricName ?? 'metric';
  const rule = `${op} ${round(alarm.Threshold ?? Number.NaN)} for ${datapoints} of ${evaluation} periods`;
  if (alarm.StateValue === 'ALARM') return `${metric} ${latest !== undefined ? `${round(latest)} ` : ''}${rule}`;
  // Out of ALARM the comparison no longer holds: say where it stands and what would fire it.
  return latest !== undefined ? `${metric} ${round(latest)}; fires at ${rule}` : `fires at ${metric} ${rule}`;
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '?';
}

/**
 * Alarm transitions since the last poll. On the first poll (no previous
 * state) only a transition at or after `sinceMs` counts, with its old state
 * unknown.
 */
export function alarmEvents(previous: Map<string, string> | null, alarms: MetricAlarm[], sinceMs: number): ObservationEvent[] {
  const events: ObservationEvent[] = [];
  for (const alarm of alarms) {
    const name = alarm.AlarmName;
    const state = alarm.StateValue;
    if (!name || !state) continue;
    const before = previous?.get(name);
    const transitionedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
    const atMs = transitionedAt ? new Date(transitionedAt).getTime() : Date.now();
    if (previous && before === state) continue;
    if (!previous || before === undefined) {
      if (!(atMs >= sinceMs)) continue;
    }
    events.push({
      at: new Date(atMs).toISOString(),
      kind: 'alarm',
      description: alarmReason(alarm),
      alarmName: name,
      ...(before ? { fromState: before } : {}),
      toState: state,
    });
  }
  return events;
}

interface HistoryState {
  stateValue?: string;
  stateReasonData?: { recentDatapoints?: unknown };
}

/**
 * Alarm state changes from DescribeAlarmHistory (StateUpdate items), for
 * history before the first poll: DescribeAlarms only tells the latest one.
 */
export function alarmHistoryEvents(items: AlarmHistoryItem[], alarms: AlarmInfo[]): ObservationEvent[] {
  const events: ObservationEvent[] = [];
  for (const item of items) {
    if (item.HistoryItemType !== 'StateUpdate' || !item.AlarmName || !item.Timestamp || !item.HistoryData) continue;
    let data: { oldState?: HistoryState; newState?: HistoryState };
    try {
      data = JSON.parse(item.HistoryData) as typeof data;
    } catch {
      continue;
    }
    const toState = data.newState?.stateValue;
    if (!toState) continue;
    const info = alarms.find((a) => a.name === item.AlarmName);
    const recent = data.newState?.stateReasonData?.recentDatapoints;
    const latest =
      Array.isArray(recent) && typeof recent[recent.length - 1] === 'number' ? (recent[recent.length - 1] as number) : undefined;
    const description = info
      ? alarmReason({
          MetricName: info.metric,
          ComparisonOperator: info.comparison as MetricAlarm['ComparisonOperator'],
          Threshold: info.threshold,
          EvaluationPeriods: info.evaluationPeriods,
          DatapointsToAlarm: info.datapointsToAlarm,
          StateValue: toState as MetricAlarm['StateValue'],
          ...(latest !== undefined ? { StateReasonData: JSON.stringify({ recentDatapoints: [latest] }) } : {}),
        })
      : (item.HistorySummary ?? `${data.oldState?.stateValue ?? '?'} → ${toState}`);
    events.push({
      at: new Date(item.Timestamp).toISOString(),
      kind: 'alarm',
      description,
      alarmName: item.AlarmName,
      ...(data.oldState?.stateValue ? { fromState: data.oldState.stateValue } : {}),
      toState,
    });
  }
  return events.sort(byTime);
}
