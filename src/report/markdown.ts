/**
 * A markdown summary of a Result for CI pages (GITHUB_STEP_SUMMARY, merge
 * request notes): the headline numbers, the assertions and what the scaling
 * group did. GitHub renders HTML inside markdown, so every value taken from
 * the Result is escaped as well as made safe for table cells.
 */
import { byTime } from '../stats/by-time.js';
import { timeToScaleSec } from '../stats/time-to-scale.js';
import type { AssertionOutcome, Observation, Result } from '../stats/result.js';
import { formatActual } from './assertions.js';

export function renderMarkdown(result: Result): string {
  const out: string[] = [];
  out.push(`### abx: ${text(result.method)} ${text(result.url)}`, '');
  out.push(...headline(result), '');
  const notes = runNotes(result);
  if (notes.length > 0) out.push(notes.join(' · '), '');
  if (result.assertions && result.assertions.length > 0) out.push(...assertionSection(result.assertions), '');
  if (result.observation) out.push(...scalingSection(result, result.observation), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Escapes text for a markdown table cell that GitHub also parses as HTML. */
function text(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/[*_`[\]\\]/g, (c) => `\\${c}`)
    .replace(/\s*[\r\n]+\s*/g, ' ');
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);
const ms = (value: number): string => `${fixed(value, value >= 100 ? 0 : value >= 10 ? 1 : 2)} ms`;

/** "+2m41s" from the run's start, the way the live event lines read. */
function offset(atIso: string, startedAtMs: number): string {
  const seconds = Math.round((Date.parse(atIso) - startedAtMs) / 1000);
  if (!Number.isFinite(seconds)) return text(atIso);
  const sign = seconds < 0 ? '−' : '+';
  const abs = Math.abs(seconds);
  return abs >= 60 ? `${sign}${Math.floor(abs / 60)}m${String(abs % 60).padStart(2, '0')}s` : `${sign}${abs}s`;
}

function headline(result: Result): string[] {
  const t = result.totals;
  const l = result.latencyMs;
  const latencyLabel = result.serviceLatencyMs ? ' (corrected)' : '';
  return [
    `| Requests | Completed | Failed | Non-2xx | Requests/sec | Duration | p50${latencyLabel} | p90 | p99 | Max |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${t.requests} | ${t.completed} | ${t.failed} | ${t.non2xx} | ${fixed(t.rps, 1)} | ${fixed(result.durationMs / 1000, 2)} s | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} |`,
  ];
}

function runNotes(result: Result): string[] {
  const notes: string[] = [];
  const codes = Object.entries(result.statusCodes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, count]) => `${text(code)} × ${count}`);
  if (codes.length > 0) notes.push(`Status codes: ${codes.join(', ')}`);
  if (result.errors.length > 0) {
    notes.push(`Errors: ${result.errors.map((e) => `${text(e.code)} × ${e.count}`).join(', ')}`);
  }
  if (result.rate) {
    notes.push(`Rate: ${fixed(result.rate.achievedPerSec, 1)}/${fixed(result.rate.targetPerSec, 1)} req/s, ${result.rate.late} sent late`);
  }
  if (result.interrupted) notes.push('**Interrupted** before the planned end');
  return notes;
}

function assertionSection(outcomes: AssertionOutcome[]): string[] {
  const failed = outcomes.filter((o) => !o.passed).length;
  const verdict = failed === 0 ? `all ${outcomes.length} passed` : `${failed} of ${outcomes.length} failed`;
  return [
    `#### Assertions: ${verdict}`,
    '',
    '| Assertion | Measured | Result |',
    '|---|---:|---|',
    ...outcomes.map((o) => `| ${text(o.expression)} | ${text(formatActual(o.actual, o.unit))} | ${o.passed ? '✅ pass' : '❌ fail'} |`),
  ];
}

function scalingSection(result: Result, observation: Observation): string[] {
  const lines: string[] = [`#### Scaling: ${text(observation.asg ?? observation.targetGroup ?? 'observed target')}`, ''];
  const inService = observation.samples.filter((s) => s.metric === 'InServiceInstances').sort(byTime);
  const facts: string[] = [];
  if (inService.length > 0) facts.push(`InService instances: ${inService[0].value} → ${inService[inService.length - 1].value}`);
  const scaleOuts = observation.events.filter((e) => e.kind === 'scaling-activity' && (e.toCapacity ?? 0) > (e.fromCapacity ?? 0));
  facts.push(`Scale-outs: ${scaleOuts.length}`);
  const tts = timeToScaleSec(result);
  facts.push(`Time to scale: ${tts === null ? '—' : `${Math.round(tts)} s`}`);
  if (observation.policy)
    facts.push(`Policy: ${text(observation.policy.name)} (${text(observation.policy.metric)} target ${observation.policy.targetValue})`);
  lines.push(facts.join(' · '), '');
  const events = [...observation.events].sort(byTime);
  if (events.length > 0) {
    lines.push('| At | Kind | Event |', '|---:|---|---|');
    for (const event of events) {
      const capacity =
        event.fromCapacity !== undefined && event.toCapacity !== undefined ? ` (${event.fromCapacity} → ${event.toCapacity})` : '';
      const status = event.statusCode ? ` [${text(event.statusCode)}]` : '';
      lines.push(`| ${offset(event.at, result.startedAtMs)} | ${event.kind} | ${text(event.description)}${capacity}${status} |`);
    }
  } else {
    lines.push('No scaling activity, alarm or instance change during the run.');
  }
  if (observation.gaps.length > 0) {
    lines.push(
      '',
      `Observation gaps: ${observation.gaps.map((g) => `${offset(g.from, result.startedAtMs)}–${offset(g.to, result.startedAtMs)} ${text(g.reason)}`).join('; ')}`,
    );
  }
  if (observation.warnings.length > 0) {
    lines.push('', ...observation.warnings.map((w) => `> ⚠️ ${text(w)}`));
  }
  return lines;
}
