/**
 * Scaling events as a person reads them: one line per happening, not one per
 * poll that saw it. A scaling activity is said when it starts and when it
 * ends (with its status and how long it took); the activities and instance
 * transitions of one happening are grouped into one line ("3 instances
 * Pending → InService (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…,
 * i-03b5…"); lines come out in event-time order. Pure: events in, lines out.
 */
import type { ObservationEvent } from '../stats/result.js';

/** What a line means, for colour: red for failures and ALARM, green for OK and scale-in, yellow for scale-out. */
export type EventTone = 'bad' | 'good' | 'warn' | 'plain';

export interface EventLine {
  /** Epoch ms the line is about (an activity's start or end, a transition's poll). */
  atMs: number;
  /** The line without its time offset. */
  text: string;
  tone: EventTone;
}

/** "+2m41s", "+41s", "-5s", "+1h02m03s": time relative to the run's start. */
export function formatOffset(offsetMs: number): string {
  const total = Math.round(Math.abs(offsetMs) / 1000);
  // Whatever rounds to zero is "+0s", not "-0s".
  const sign = offsetMs < 0 && total > 0 ? '-' : '+';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (h > 0) return `${sign}${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${sign}${m}m${pad(s)}s`;
  return `${sign}${s}s`;
}

/** A duration without sign: "58s", "2m05s". */
export function formatDuration(durationMs: number): string {
  return formatOffset(durationMs).slice(1);
}

/**
 * An alarm name without the machine part: target tracking's
 * "TargetTracking-web-asg-AlarmHigh-b52ff8bc-…" is "AlarmHigh-…" (the group
 * is named elsewhere); any other name loses a trailing UUID or long hex id.
 */
export function shortAlarmName(name: string): string {
  const uuid = /-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const tracking = /^TargetTracking-.+-(AlarmHigh|AlarmLow)-[0-9a-f-]{36}$/i.exec(name);
  if (tracking) return `${tracking[1]}-…`;
  if (uuid.test(name)) return `${name.replace(uuid, '')}-…`;
  const hex = /-?[0-9a-f]{16,}$/i;
  if (hex.test(name)) return `${name.replace(hex, '')}-…`;
  return name;
}

/** "i-0bed…": enough of an instance id to tell a handful apart. */
export function shortInstanceId(id: string): string {
  return /^i-[0-9a-f]{8,}$/.test(id) ? `${id.slice(0, 6)}…` : id;
}

function terminal(statusCode: string | undefined): boolean {
  return statusCode === 'Successful' || statusCode === 'Failed' || statusCode === 'Cancelled';
}

function verbOf(event: ObservationEvent): string {
  const from = event.fromCapacity;
  const to = event.toCapacity;
  if (from === undefined || to === undefined) return 'activity';
  return to > from ? `scale-out ${from} → ${to}` : to < from ? `scale-in ${from} → ${to}` : `activity ${from} → ${to}`;
}

/** "us-east-1a ×2, us-east-1b". */
function zones(events: readonly ObservationEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) if (e.availabilityZone) counts.set(e.availabilityZone, (counts.get(e.availabilityZone) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([az, n]) => (n > 1 ? `${az} ×${n}` : az))
    .join(', ');
}

/** The activity's description without its instance id, so launches of one scale-out group together. */
function activityWhat(event: ObservationEvent): string {
  return event.description
    .replace(/:?\s*\bi-[0-9a-f]{8,17}\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "launching 3 instances" for Auto Scaling's per-instance descriptions; anything else as AWS wrote it (×n). */
function activitySummary(what: string, count: number): string {
  const noun = count === 1 ? 'instance' : `${count} instances`;
  if (/^Launching a new EC2 instance$/i.test(what)) return `launching ${count === 1 ? 'an instance' : noun}`;
  if (/^Terminating EC2 instance$/i.test(what)) return `terminating ${count === 1 ? 'an instance' : noun}`;
  return count > 1 ? `${what} ×${count}` : what;
}

function activityTone(event: ObservationEvent): EventTone {
  if (event.statusCode === 'Failed' || event.statusCode === 'Cancelled') return 'bad';
  const from = event.fromCapacity;
  const to = event.toCapacity;
  if (from === undefined || to === undefined) return 'plain';
  return to > from ? 'warn' : to < from ? 'good' : 'plain';
}

/** The event's instance: its own field, else the id in an activity's description ("Launching a new EC2 instance: i-0abc…"). */
function instanceOf(event: ObservationEvent): string | undefined {
  return event.instanceId ?? /\b(i-[0-9a-f]{8,17})\b/.exec(event.description)?.[1];
}

function instanceIds(events: readonly ObservationEvent[]): string {
  return events.map((e) => shortInstanceId(instanceOf(e) ?? '?')).join(', ');
}

/**
 * One line for activities of one kind in one phase: started (at their start)
 * or ended (at their end, with status and duration).
 */
function activityLine(group: readonly ObservationEvent[], phase: 'start' | 'end', atMs: number): EventLine {
  const first = group[0];
  const what = activitySummary(activityWhat(first), group.length);
  const ids = group.some((e) => instanceOf(e) !== undefined) ? `: ${instanceIds(group)}` : '';
  const az = zones(group);
  const where = az ? ` (${az})` : '';
  if (phase === 'start') {
    return { atMs, text: `${verbOf(first)} started: ${what}${where}${ids}`, tone: activityTone(first) };
  }
  const tookMs = Math.max(0, atMs - Date.parse(first.at));
  const status = first.statusCode ?? 'ended';
  return {
    atMs,
    text: `${verbOf(first)} ${status} in ${formatDuration(tookMs)}: ${what}${where}${ids}`,
    tone: status === 'Successful' ? activityTone(first) : 'bad',
  };
}

function instanceLine(group: readonly ObservationEvent[], atMs: number): EventLine {
  const first = group[0];
  const change = first.fromState ? `${first.fromState} → ${first.toState ?? '?'}` : `new, ${first.toState ?? '?'}`;
  const az = zones(group);
  const noun = group.length === 1 ? 'instance' : `${group.length} instances`;
  const tone: EventTone = first.toState === 'Terminated' || first.toState === 'Unhealthy' ? 'warn' : 'plain';
  return { atMs, text: `${noun} ${change}${az ? ` (${az})` : ''}: ${instanceIds(group)}`, tone };
}

function alarmLine(event: ObservationEvent): EventLine {
  const atMs = Date.parse(event.at);
  const name = event.alarmName ? shortAlarmName(event.alarmName) : '?';
  const tone: EventTone = event.toState === 'ALARM' ? 'bad' : event.toState === 'OK' ? 'good' : 'plain';
  // An event whose description already tells the whole change (older writers) is shown as is.
  if (event.alarmName && event.description.includes(event.alarmName)) {
    return { atMs, text: `alarm ${event.description.replace(event.alarmName, name)}`, tone };
  }
  const change = event.fromState ? `${event.fromState} → ${event.toState ?? '?'}` : `→ ${event.toState ?? '?'}`;
  return { atMs, text: `alarm ${name} ${change} (${event.description})`, tone };
}

/** Groups by key, keeping first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** Whole seconds: activities of one scale-out start within the same second or two. */
const SAME_MOMENT_MS = 2_000;

function activityKey(event: ObservationEvent, phase: string, atMs: number): string {
  return [phase, verbOf(event), activityWhat(event), event.statusCode ?? '', Math.floor(atMs / SAME_MOMENT_MS)].join('\u0000');
}

function instanceKey(event: ObservationEvent): string {
  return [event.at, event.fromState ?? '', event.toState ?? ''].join('\u0000');
}

function sorted(lines: EventLine[]): EventLine[] {
  return lines.sort((a, b) => a.atMs - b.atMs);
}

/** Activity lines plus a line per group of instance transitions and one per alarm transition, in time order. */
function withInstanceAndAlarmLines(lines: EventLine[], events: readonly ObservationEvent[]): EventLine[] {
  for (const group of groupBy(
    events.filter((e) => e.kind === 'instance'),
    instanceKey,
  )) {
    lines.push(instanceLine(group, Date.parse(group[0].at)));
  }
  for (const event of events) if (event.kind === 'alarm') lines.push(alarmLine(event));
  return sorted(lines);
}

/**
 * The events of a whole observation (the report's timeline): each activity
 * once, at its start, with its final status and duration; instance
 * transitions of one poll grouped; alarm transitions one each.
 */
export function summarizeEvents(events: readonly ObservationEvent[]): EventLine[] {
  const lines: EventLine[] = [];
  const activities = events.filter((e) => e.kind === 'scaling-activity');
  for (const group of groupBy(activities, (e) => activityKey(e, 'whole', Date.parse(e.at)))) {
    const first = group[0];
    const atMs = Date.parse(first.at);
    const start = activityLine(group, 'start', atMs);
    const ended = terminal(first.statusCode) && first.endedAt !== undefined;
    const took = ended ? ` in ${formatDuration(Math.max(0, Date.parse(first.endedAt!) - atMs))}` : '';
    const status = first.statusCode ? ` [${first.statusCode}${took}]` : '';
    lines.push({
      ...start,
      text: start.text.replace(' started:', ':') + status,
      tone: ended ? activityLine(group, 'end', atMs).tone : start.tone,
    });
  }
  return withInstanceAndAlarmLines(lines, events);
}

/**
 * Live events: fed as the observer reports them, flushed once per poll. An
 * activity prints when first seen in progress and again when it ends; a
 * status step in between (PreInService → InProgress) prints nothing.
 */
export class EventFeed {
  readonly #pending: ObservationEvent[] = [];
  readonly #said = new Map<string, { started: boolean; ended: boolean }>();

  add(event: ObservationEvent): void {
    this.#pending.push(event);
  }

  /** The lines for everything added since the last flush, oldest first. `nowMs` dates an end that AWS has not timed. */
  flush(nowMs: number): EventLine[] {
    const events = this.#pending.splice(0);
    const lines: EventLine[] = [];
    const starts: Array<{ event: ObservationEvent; atMs: number }> = [];
    const ends: Array<{ event: ObservationEvent; atMs: number }> = [];
    for (const event of events) {
      if (event.kind !== 'scaling-activity') continue;
      const key = event.activityId ?? `${event.at}\u0000${event.description}`;
      const said = this.#said.get(key) ?? { started: false, ended: false };
      this.#said.set(key, said);
      if (terminal(event.statusCode)) {
        if (said.ended) continue;
        said.ended = true;
        said.started = true;
        ends.push({ event, atMs: event.endedAt ? Date.parse(event.endedAt) : nowMs });
      } else if (!said.started) {
        said.started = true;
        starts.push({ event, atMs: Date.parse(event.at) });
      }
    }
    for (const group of groupBy(starts, (s) => activityKey(s.event, 'start', s.atMs))) {
      lines.push(
        activityLine(
          group.map((s) => s.event),
          'start',
          Math.min(...group.map((s) => s.atMs)),
        ),
      );
    }
    for (const group of groupBy(ends, (s) => activityKey(s.event, 'end', s.atMs))) {
      lines.push(
        activityLine(
          group.map((s) => s.event),
          'end',
          Math.max(...group.map((s) => s.atMs)),
        ),
      );
    }
    return withInstanceAndAlarmLines(lines, events);
  }
}
