/**
 * The scaling timeline printed after the ab report: one row per CloudWatch
 * period with abx's own request count and p99 beside what AWS saw (requests
 * per target against the policy's target, healthy targets, desired and
 * InService, CPU), event lines between the rows, then "time to scale".
 * Pure: Result in, text out.
 */
import { decodeHistogram } from '../stats/histogram.js';
import type { ObservationEvent, ObservationSample, Result } from '../stats/result.js';
import { byTime } from '../stats/by-time.js';
import { policyMetric } from '../stats/policy-metric.js';
import { timeToScale } from '../stats/time-to-scale.js';
import { formatDuration, formatOffset, shortAlarmName, summarizeEvents, type EventLine } from './event-lines.js';
import { painter, type Paint } from './style.js';
import { fitLine, wrapLine } from './width.js';

const ms = (iso: string): number => Date.parse(iso);

export { formatOffset };

/** An event without its time: 'scale-out 2 → 4: Launching a new EC2 instance: i-0abc… (us-east-1a)'. */
export function describeEvent(event: ObservationEvent): string {
  switch (event.kind) {
    case 'scaling-activity': {
      const from = event.fromCapacity;
      const to = event.toCapacity;
      const verb = from !== undefined && to !== undefined ? (to > from ? 'scale-out' : to < from ? 'scale-in' : 'activity') : 'activity';
      const change = from !== undefined && to !== undefined ? ` ${from} → ${to}` : '';
      const az = event.availabilityZone ? ` (${event.availabilityZone})` : '';
      const status = event.statusCode ? ` [${event.statusCode}]` : '';
      return `${verb}${change}: ${event.description}${az}${status}`;
    }
    case 'alarm': {
      // An event whose description already tells the whole change (older writers) is shown as is.
      const name = event.alarmName ? shortAlarmName(event.alarmName) : '?';
      if (event.alarmName && event.description.includes(event.alarmName))
        return `alarm ${event.description.replace(event.alarmName, name)}`;
      const change = event.fromState ? `${event.fromState} → ${event.toState ?? '?'}` : `→ ${event.toState ?? '?'}`;
      return `alarm ${name} ${change} (${event.description})`;
    }
    case 'instance': {
      const az = event.availabilityZone ? ` (${event.availabilityZone})` : '';
      const change = event.fromState ? `${event.fromState} → ${event.toState ?? '?'}` : `new, ${event.toState ?? '?'}`;
      return `instance ${event.instanceId ?? '?'}${az} ${change}`;
    }
    default:
      return event.description;
  }
}

/** One event line: '+2m58s  scale-out 2 → 4: Launching a new EC2 instance: i-0abc… (us-east-1a)'. */
export function formatEvent(event: ObservationEvent, runStartedAtMs: number): string {
  return `${formatOffset(ms(event.at) - runStartedAtMs)}  ${describeEvent(event)}`;
}

/** An event line in its colour: the one mapping from what a line means to how it looks. */
export function paintEventLine(text: string, line: EventLine, p: Paint): string {
  switch (line.tone) {
    case 'bad':
      return p.bad(text);
    case 'good':
      return p.good(text);
    case 'warn':
      return p.warn(text);
    default:
      return text;
  }
}

/** At most one decimal, none when it would be ".0". */
function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return String(Math.round(value * 10) / 10);
}

/** Rows are capped so a day-long run does not print thousands of lines. */
const MAX_ROWS = 240;

function abxPerPeriod(result: Result, startMs: number, endMs: number): { requests: number; p99Ms: number | null } {
  let requests = 0;
  let merged: ReturnType<typeof decodeHistogram> | null = null;
  let worstP99: number | null = null;
  let exact = true;
  for (const bucket of result.timeline) {
    const at = result.startedAtMs + bucket.second * 1000;
    if (at < startMs || at >= endMs) continue;
    requests += bucket.completed;
    if (bucket.completed === 0) continue;
    worstP99 = Math.max(worstP99 ?? 0, bucket.p99Ms);
    if (bucket.histogram && exact) {
      const h = decodeHistogram(bucket.histogram);
      if (merged) merged.add(h);
      else merged = h;
    } else {
      exact = false;
    }
  }
  // Merging the per-second histograms gives the period's true p99; without
  // them the worst second's p99 is the honest upper bound.
  const p99Ms = exact && merged && merged.totalCount > 0 ? merged.getValueAtPercentile(99) / 1000 : worstP99;
  return { requests, p99Ms };
}

/** The schedule's mean target rate over a period's seconds; "-" when none of them ran. */
function targetPerSec(result: Result, startMs: number, endMs: number): string {
  let sum = 0;
  let seconds = 0;
  for (const bucket of result.timeline) {
    const at = result.startedAtMs + bucket.second * 1000;
    if (at < startMs || at >= endMs || bucket.targetRps === undefined) continue;
    sum += bucket.targetRps;
    seconds++;
  }
  return seconds === 0 ? '-' : String(Math.round(sum / seconds));
}

/** Short column heads for the policy's metric; the legend under the table spells them out. */
const METRIC_HEAD: Record<string, string> = {
  RequestCountPerTarget: 'req/tgt',
  CPUUtilization: 'cpu',
  NetworkIn: 'net in',
  NetworkOut: 'net out',
};

interface Column {
  head: string;
  /** Dropped first when the table does not fit: highest number goes first. */
  dropOrder: number;
  /** Left-aligned (the time) or right-aligned (numbers). */
  left?: boolean;
}

/** What an offset before the run's start means, said once wherever one is printed. */
export const BEFORE_START_NOTE = 'the CloudWatch minute that contains the start';

/**
 * The timeline as text of at most `width` columns: the table loses its
 * least useful columns (CPU, then healthy, then abx p99) rather than wrap,
 * and long lines wrap under their own indent.
 */
export function renderScalingTimeline(result: Result, style: { color: boolean; width?: number }): string {
  const observation = result.observation;
  if (!observation) return '';
  const width = style.width ?? 80;
  const p = painter(style);
  const start = result.startedAtMs;
  const periodMs = Math.max(1, observation.periodSec) * 1000;
  const target = observation.policy?.targetValue;
  const metric = policyMetric(observation);
  const lines: string[] = [];
  const wrapped = (text: string, indent: number): string[] => wrapLine(text, width, indent);

  const where = `${observation.asg ?? 'no group found'}${observation.region ? ` (${observation.region})` : ''}`;
  lines.push(
    ...wrapped(
      `Scaling timeline: ${where}, period ${observation.periodSec} s, ${observation.polls} polls, ${observation.apiCalls} API calls`,
      2,
    ).map((l) => p.bold(l)),
  );
  if (observation.policy) {
    lines.push(
      ...wrapped(`  policy ${observation.policy.name}: ${observation.policy.metric} target ${num(observation.policy.targetValue)}`, 4),
    );
  } else if (observation.samples.length === 0 && observation.gaps.length > 0) {
    // Nothing was read: "no policy" would be a claim about the group that AWS never answered.
    lines.push(...wrapped(`  nothing read from AWS (${observation.gaps[0].reason.split(':')[0]}): see the gaps below`, 4));
  } else {
    lines.push('  no target-tracking policy found');
  }
  for (const alarm of observation.alarms) {
    const op =
      { GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '≥', LessThanThreshold: '<', LessThanOrEqualToThreshold: '≤' }[
        alarm.comparison
      ] ?? alarm.comparison;
    const text = `  alarm ${shortAlarmName(alarm.name)}: ${alarm.metric} ${op} ${num(alarm.threshold)} for ${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} × ${alarm.periodSec} s (last ${alarm.state})`;
    lines.push(...wrapped(text, 4).map((l) => (alarm.state === 'ALARM' ? l.replace(/ALARM\)$/, `${p.bad('ALARM')})`) : l)));
  }
  lines.push('');

  const sampleAt = new Map<string, ObservationSample>();
  for (const s of observation.samples) sampleAt.set(`${s.metric}\u0000${ms(s.at)}`, s);
  const pollSamples = (name: string): ObservationSample[] => observation.samples.filter((s) => s.metric === name).sort(byTime);
  const desired = pollSamples('DesiredCapacity');
  const inService = pollSamples('InServiceInstances');
  const lastBefore = (list: ObservationSample[], endMs: number): number | undefined => {
    let value: number | undefined;
    for (const s of list) if (ms(s.at) < endMs) value = s.value;
    return value;
  };

  const endCandidates = [
    start + result.durationMs,
    ...observation.samples.map((s) => ms(s.at)),
    ...observation.events.map((e) => ms(e.at)),
  ];
  const firstPeriod = Math.floor(start / periodMs) * periodMs;
  const lastPeriod = Math.floor(Math.max(...endCandidates) / periodMs) * periodMs;
  const rowCount = Math.floor((lastPeriod - firstPeriod) / periodMs) + 1;
  const shown = Math.min(rowCount, MAX_ROWS);
  // Open loop: each period's target rate, so a reader sees which rate first crossed the policy's target.
  const shaped = result.timeline.some((b) => b.targetRps !== undefined);
  let provisionalSeen = false;

  const metricHead = METRIC_HEAD[metric] ?? metric;
  const columns: Column[] = [
    { head: 'time', dropOrder: 0, left: true },
    { head: 'abx req', dropOrder: 0 },
    ...(shaped ? [{ head: 'target/s', dropOrder: 0 }] : []),
    { head: 'abx p99', dropOrder: 3 },
    { head: metricHead, dropOrder: 0 },
    { head: 'vs tgt', dropOrder: 0 },
    { head: 'healthy', dropOrder: 2 },
    { head: 'des/InS', dropOrder: 0 },
    { head: 'CPU', dropOrder: 1 },
  ];
  // Cells as plain text; `over` marks a value above the target (painted after padding).
  const cells: Array<{ startMs: number; values: string[]; over: boolean; provisional: boolean }> = [];
  for (let i = 0; i < shown; i++) {
    const ps = firstPeriod + i * periodMs;
    const abx = abxPerPeriod(result, ps, ps + periodMs);
    const value = sampleAt.get(`${metric}\u0000${ps}`);
    const healthy = sampleAt.get(`HealthyHostCount\u0000${ps}`);
    const cpu = sampleAt.get(`CPUUtilization\u0000${ps}`);
    const d = lastBefore(desired, ps + periodMs);
    const s = lastBefore(inService, ps + periodMs);
    if (value?.provisional) provisionalSeen = true;
    const ratio = value && target && target > 0 ? `${Math.round((value.value / target) * 100)}%` : '-';
    cells.push({
      startMs: ps,
      over: Boolean(value && target && value.value > target),
      provisional: value?.provisional === true,
      values: [
        formatOffset(ps - start),
        String(abx.requests),
        ...(shaped ? [targetPerSec(result, ps, ps + periodMs)] : []),
        abx.p99Ms === null ? '-' : `${abx.p99Ms.toFixed(1)}ms`,
        value ? num(value.value) + (value.provisional ? '*' : '') : '-',
        ratio,
        healthy ? num(healthy.value) : '-',
        d === undefined ? '-' : `${d}/${s ?? '-'}`,
        cpu ? `${num(cpu.value)}%` : '-',
      ],
    });
  }
  const widths = columns.map((c, i) => Math.max(c.head.length, ...cells.map((r) => r.values[i].length)));
  const GAP = 2;
  const keep = columns.map(() => true);
  const tableWidth = (): number => 2 + widths.reduce((sum, w, i) => sum + (keep[i] ? w + GAP : 0), 0) - GAP;
  for (const order of [1, 2, 3]) {
    if (tableWidth() <= width) break;
    columns.forEach((c, i) => {
      if (c.dropOrder === order) keep[i] = false;
    });
  }
  const renderRow = (values: string[], paintCell: (i: number, padded: string) => string = (_, t) => t): string =>
    fitLine(
      `  ${columns
        .map((c, i) => (keep[i] ? paintCell(i, c.left ? values[i].padEnd(widths[i]) : values[i].padStart(widths[i])) : null))
        .filter((t) => t !== null)
        .join(' '.repeat(GAP))}`.trimEnd(),
      width,
    );
  const METRIC = 3;
  const VS_TARGET = 4;
  const rows = cells.map((r) => ({
    startMs: r.startMs,
    text: renderRow(r.values, (i, padded) =>
      i === VS_TARGET && r.over ? p.bad(padded) : (i === METRIC || i === VS_TARGET) && r.provisional ? p.dim(padded) : padded,
    ),
  }));

  // Events and gaps go after the row of the period they happened in.
  const eventIndent = 6;
  const noteLines = (atMs: number, text: string, paint: (t: string) => string): { atMs: number; lines: string[] } => {
    const offset = formatOffset(atMs - start);
    return {
      atMs,
      lines: wrapLine(`${' '.repeat(eventIndent)}${offset}  ${text}`, width, eventIndent + offset.length + 2).map(paint),
    };
  };
  const notes = [
    ...summarizeEvents(observation.events).map((e) => noteLines(e.atMs, e.text, (t) => paintEventLine(t, e, p))),
    ...observation.gaps.map((g) => noteLines(ms(g.from), `gap until ${formatOffset(ms(g.to) - start)}: ${g.reason}`, (t) => p.warn(t))),
  ].sort((a, b) => a.atMs - b.atMs);
  lines.push(p.dim(renderRow(columns.map((c) => c.head))));
  let n = 0;
  while (n < notes.length && notes[n].atMs < firstPeriod) lines.push(...notes[n++].lines);
  for (const row of rows) {
    lines.push(row.text);
    while (n < notes.length && notes[n].atMs < row.startMs + periodMs) lines.push(...notes[n++].lines);
  }
  if (shown < rowCount) lines.push(p.dim(`  … ${rowCount - shown} more periods not shown`));
  while (n < notes.length) lines.push(...notes[n++].lines);

  // The legend: the short heads spelled out, the provisional mark, and what an offset before the start means.
  const legend: string[] = [];
  if (metricHead !== metric) legend.push(`${metricHead}: ${metric} per period`);
  legend.push(`vs tgt: against the target${target !== undefined ? ` ${num(target)}` : ''}`);
  if (keep[5]) legend.push('healthy: healthy targets');
  legend.push('des/InS: desired/InService instances');
  if (provisionalSeen) legend.push('* provisional: CloudWatch may still add to this period');
  if (formatOffset(firstPeriod - start).startsWith('-')) legend.push(`${formatOffset(firstPeriod - start)}: ${BEFORE_START_NOTE}`);
  lines.push(...wrapped(`  ${legend.join('; ')}`, 2).map((l) => p.dim(l)));
  lines.push('');

  const tts = timeToScale(observation, start, result.timeline);
  lines.push(p.bold('Time to scale'));
  const aboveLabel = `load above target${tts.targetValue !== null ? ` ${num(tts.targetValue)}` : ''}`;
  const labelWidth = Math.max(20, aboveLabel.length + 1);
  // A step not seen because its call failed, or because there is nothing to read it from, says so: never "not seen" alone.
  const failed = new Set(observation.gaps.flatMap((g) => g.actions ?? []));
  const unseen = (calls: string[], nothing: string | null): string => {
    const call = calls.find((c) => failed.has(c));
    if (call) return `could not read (${call} failed; see the gaps)`;
    return nothing ?? 'not seen';
  };
  const step = (label: string, atMs: number | null, afterMs: number | null, extra = '', why = 'not seen'): string[] => {
    const offset = atMs === null ? why : formatOffset(atMs - start).padEnd(9);
    // Only an offset printed with a minus needs saying: one that rounds to +0s reads as the start.
    const before = atMs !== null && formatOffset(atMs - start).startsWith('-') ? ` (${BEFORE_START_NOTE})` : '';
    const text = `  ${label.padEnd(labelWidth)} ${offset}${afterMs !== null ? ` (${formatDuration(afterMs)} later)` : ''}${extra}${before}`;
    return wrapped(text.trimEnd(), labelWidth + 3);
  };
  const activityWhy = unseen(['DescribeScalingActivities', 'DescribeAutoScalingGroups'], null);
  lines.push(...step(aboveLabel, tts.loadAboveTargetAtMs, null, '', unseen(['GetMetricData'], null)));
  lines.push(
    ...step(
      'alarm',
      tts.alarmAtMs,
      tts.alarmAfterMs,
      '',
      unseen(['DescribeAlarms'], observation.alarms.length ? null : 'no alarm to follow'),
    ),
  );
  lines.push(
    ...step(
      // Without an activity from the API, say the time is the polls' first capacity increase.
      tts.activitySource === 'capacity' ? 'capacity increase' : 'scaling activity',
      tts.activityAtMs,
      tts.activityAfterMs,
      tts.fromCapacity !== null ? `  ${tts.fromCapacity} → ${tts.toCapacity}` : '',
      activityWhy,
    ),
  );
  // Without the step before it, InService has nothing to be timed from: the same reason holds.
  const inServiceWhy = tts.activityAtMs === null && activityWhy !== 'not seen' ? activityWhy : unseen(['DescribeAutoScalingGroups'], null);
  lines.push(...step('instance InService', tts.inServiceAtMs, tts.inServiceAfterMs, '', inServiceWhy));
  if (tts.totalMs !== null) lines.push(`  ${'total'.padEnd(labelWidth)} ${formatDuration(tts.totalMs)}`);
  if (tts.neededCapacity !== null) {
    const verdict = tts.capacityReached ? 'enough' : 'not enough';
    const text = `  capacity: the busiest period needed ${tts.neededCapacity} at target ${num(tts.targetValue ?? Number.NaN)}; peak desired ${tts.peakDesired ?? '-'}, InService ${tts.peakInService ?? '-'}: ${verdict}`;
    const capacity = wrapped(text, 4);
    const last = capacity.length - 1;
    capacity[last] = capacity[last].replace(new RegExp(`${verdict}$`), tts.capacityReached ? p.good(verdict) : p.bad(verdict));
    lines.push(...capacity);
  }
  for (const note of tts.notes) lines.push(...wrapped(`  note: ${note}`, 4).map((l) => p.dim(l)));
  if (observation.warnings.length) {
    lines.push('');
    lines.push(p.warn('Observer warnings'));
    for (const w of observation.warnings) lines.push(...wrapped(`  ${w}`, 4));
  }
  return `${lines.join('\n')}\n`;
}
