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
import { isScaleOut, timeToScale } from '../stats/time-to-scale.js';
import { painter, type Paint } from './style.js';

const ms = (iso: string): number => Date.parse(iso);

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
function formatDuration(durationMs: number): string {
  return formatOffset(durationMs).slice(1);
}

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
      if (event.alarmName && event.description.includes(event.alarmName)) return `alarm ${event.description}`;
      const change = event.fromState ? `${event.fromState} → ${event.toState ?? '?'}` : `→ ${event.toState ?? '?'}`;
      return `alarm ${event.alarmName ?? '?'} ${change} (${event.description})`;
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

function paintEvent(line: string, event: ObservationEvent, p: Paint): string {
  if (event.kind === 'alarm') return event.toState === 'ALARM' ? p.bad(line) : event.toState === 'OK' ? p.good(line) : line;
  if (event.kind === 'scaling-activity') return isScaleOut(event) ? p.info(line) : p.warn(line);
  return p.dim(line);
}

/** At most one decimal, none when it would be ".0". */
function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return String(Math.round(value * 10) / 10);
}

/** Rows are capped so a day-long run does not print thousands of lines. */
const MAX_ROWS = 240;

interface Row {
  startMs: number;
  text: string;
}

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

export function renderScalingTimeline(result: Result, style: { color: boolean }): string {
  const observation = result.observation;
  if (!observation) return '';
  const p = painter(style);
  const start = result.startedAtMs;
  const periodMs = Math.max(1, observation.periodSec) * 1000;
  const target = observation.policy?.targetValue;
  const metric = policyMetric(observation);
  const lines: string[] = [];

  const where = [observation.asg ? `Auto Scaling group ${observation.asg}` : null, observation.region || null].filter(Boolean).join(', ');
  lines.push(
    p.bold(
      `Scaling timeline (${where || 'no group found'}; period ${observation.periodSec} s, ${observation.polls} polls, ${observation.apiCalls} API calls)`,
    ),
  );
  if (observation.policy) {
    lines.push(`  policy ${observation.policy.name}: ${observation.policy.metric} target ${num(observation.policy.targetValue)}`);
  } else if (observation.samples.length === 0 && observation.gaps.length > 0) {
    // Nothing was read: "no policy" would be a claim about the group that AWS never answered.
    lines.push(`  nothing read from AWS (${observation.gaps[0].reason.split(':')[0]}): see the gaps below`);
  } else {
    lines.push('  no target-tracking policy found');
  }
  for (const alarm of observation.alarms) {
    const op =
      { GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '≥', LessThanThreshold: '<', LessThanOrEqualToThreshold: '≤' }[
        alarm.comparison
      ] ?? alarm.comparison;
    const state = alarm.state === 'ALARM' ? p.bad(alarm.state) : alarm.state;
    lines.push(
      `  alarm ${alarm.name}: ${alarm.metric} ${op} ${num(alarm.threshold)} for ${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} × ${alarm.periodSec} s (last ${state})`,
    );
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
  const targetHeader = shaped ? ` ${'target/s'.padStart(8)}` : '';
  const rows: Row[] = [];
  let provisionalSeen = false;
  const header = `  ${'time'.padEnd(9)} ${'abx req'.padStart(8)}${targetHeader} ${'abx p99'.padStart(9)} ${`${metric === 'RequestCountPerTarget' ? 'req/target' : metric}`.padStart(12)} ${'vs target'.padStart(9)} ${'healthy'.padStart(7)} ${'desired/InSvc'.padStart(13)} ${'CPU'.padStart(6)}`;
  for (let i = 0; i < shown; i++) {
    const ps = firstPeriod + i * periodMs;
    const abx = abxPerPeriod(result, ps, ps + periodMs);
    const value = sampleAt.get(`${metric}\u0000${ps}`);
    const healthy = sampleAt.get(`HealthyHostCount\u0000${ps}`);
    const cpu = sampleAt.get(`CPUUtilization\u0000${ps}`);
    const d = lastBefore(desired, ps + periodMs);
    const s = lastBefore(inService, ps + periodMs);
    const valueText = value ? num(value.value) + (value.provisional ? '*' : '') : '-';
    if (value?.provisional) provisionalSeen = true;
    let ratio = '-';
    if (value && target && target > 0) {
      const pct = Math.round((value.value / target) * 100);
      ratio = `${pct}%`;
      if (value.value > target) {
        ratio = p.bad(ratio.padStart(9));
      }
    }
    const targetText = shaped ? ` ${targetPerSec(result, ps, ps + periodMs).padStart(8)}` : '';
    const text = `  ${formatOffset(ps - start).padEnd(9)} ${String(abx.requests).padStart(8)}${targetText} ${(abx.p99Ms === null ? '-' : `${abx.p99Ms.toFixed(1)}ms`).padStart(9)} ${valueText.padStart(12)} ${ratio.padStart(9)} ${(healthy ? num(healthy.value) : '-').padStart(7)} ${(d === undefined ? '-' : `${d}/${s ?? '-'}`).padStart(13)} ${(cpu ? `${num(cpu.value)}%` : '-').padStart(6)}`;
    rows.push({ startMs: ps, text });
  }

  // Events and gaps go after the row of the period they happened in.
  const notes: { atMs: number; text: string }[] = [
    ...observation.events.map((e) => ({ atMs: ms(e.at), text: `      ${paintEvent(formatEvent(e, start), e, p)}` })),
    ...observation.gaps.map((g) => ({
      atMs: ms(g.from),
      text: `      ${p.warn(`${formatOffset(ms(g.from) - start)}  gap until ${formatOffset(ms(g.to) - start)}: ${g.reason}`)}`,
    })),
  ].sort((a, b) => a.atMs - b.atMs);
  lines.push(p.dim(header));
  let n = 0;
  while (n < notes.length && notes[n].atMs < firstPeriod) lines.push(notes[n++].text);
  for (const row of rows) {
    lines.push(row.text);
    while (n < notes.length && notes[n].atMs < row.startMs + periodMs) lines.push(notes[n++].text);
  }
  if (shown < rowCount) lines.push(p.dim(`  … ${rowCount - shown} more periods not shown`));
  while (n < notes.length) lines.push(notes[n++].text);
  if (provisionalSeen) lines.push(p.dim('  * provisional: CloudWatch may still add to this period'));
  lines.push('');

  const tts = timeToScale(observation, start);
  lines.push(p.bold('Time to scale'));
  const step = (label: string, atMs: number | null, afterMs: number | null, extra = ''): string =>
    `  ${label.padEnd(20)} ${atMs === null ? 'not seen' : formatOffset(atMs - start).padEnd(9)}${afterMs !== null ? ` (${formatDuration(afterMs)} later)` : ''}${extra}`.trimEnd();
  lines.push(step(`load above target${tts.targetValue !== null ? ` ${num(tts.targetValue)}` : ''}`, tts.loadAboveTargetAtMs, null));
  lines.push(step('alarm', tts.alarmAtMs, tts.alarmAfterMs));
  lines.push(
    step(
      'scaling activity',
      tts.activityAtMs,
      tts.activityAfterMs,
      tts.fromCapacity !== null ? `  ${tts.fromCapacity} → ${tts.toCapacity}` : '',
    ),
  );
  lines.push(step('instance InService', tts.inServiceAtMs, tts.inServiceAfterMs));
  if (tts.totalMs !== null) lines.push(`  ${'total'.padEnd(20)} ${formatDuration(tts.totalMs)}`);
  if (tts.neededCapacity !== null) {
    const verdict = tts.capacityReached ? p.good('enough') : p.bad('not enough');
    lines.push(
      `  capacity: the busiest period needed ${tts.neededCapacity} at target ${num(tts.targetValue ?? Number.NaN)}; peak desired ${tts.peakDesired ?? '-'}, InService ${tts.peakInService ?? '-'}: ${verdict}`,
    );
  }
  if (observation.warnings.length) {
    lines.push('');
    lines.push(p.warn('Observer warnings'));
    for (const w of observation.warnings) lines.push(`  ${w}`);
  }
  return `${lines.join('\n')}\n`;
}
