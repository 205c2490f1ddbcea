/**
 * ab 2.4's report, field for field (support/ab.c output_results), so scripts
 * that parse ab keep working, followed by what abx adds. Pure: a Result in,
 * text out.
 *
 * Where ab is wrong abx is right, and the README says so: the median is the
 * true median (ab averages the wrong pair), percentiles come from an HDR
 * histogram of every request (ab sorts them all in memory).
 */
import { loadShapeLines } from './load-shape.js';
import type { PhaseSummaryMs, Result } from '../stats/result.js';
import { explainError } from './error-hint.js';
import { painter } from './style.js';
import { wrapBlock } from './width.js';
import { clientLines, rateCause } from './client-text.js';

export interface AbTextOptions {
  /** -d: no percentile table. */
  percentiles: boolean;
  /** -S: min/avg/max table, no sd, no warnings. */
  confidence: boolean;
  /** Columns abx's own lines after ab's block wrap to (ab's block keeps ab's layout). */
  width: number;
  /** Failed requests in red (a terminal only: ab's text stays plain in a pipe). */
  color: boolean;
  /** -v 1 or more: errors keep their raw text (OpenSSL's, say) beside the hint. */
  verbose: boolean;
}

const DEFAULTS: AbTextOptions = { percentiles: true, confidence: true, width: 80, color: false, verbose: false };

/** Where ab's field values start; abx's wrapped lines continue under it. */
const FIELD_COLUMN = 24;
const AB_PERCENTS = [50, 66, 75, 80, 90, 95, 98, 99] as const;
const PERCENT_KEY = { 50: 'p50', 66: 'p66', 75: 'p75', 80: 'p80', 90: 'p90', 95: 'p95', 98: 'p98', 99: 'p99' } as const;

export function renderAbReport(result: Result, options: Partial<AbTextOptions> = {}): string {
  const opts = { ...DEFAULTS, ...options };
  const { server, totals, failures } = result;
  const seconds = result.durationMs / 1000;
  const done = totals.completed;
  const lines: string[] = [];
  const field = (name: string, value: string): number => lines.push(`${(name + ':').padEnd(24)}${value}`);

  field('Server Software', server.software);
  field('Server Hostname', server.hostname);
  field('Server Port', String(server.port));
  if (server.tls) field('SSL/TLS Protocol', server.tls);
  lines.push('');
  field('Document Path', server.documentPath);
  // ab prints 0 bytes when no response arrived, and Variable under -l.
  const documentLength = server.documentLength ?? (done === 0 ? 0 : null);
  field('Document Length', documentLength === null ? 'Variable' : `${documentLength} bytes`);
  lines.push('');
  // In --rate mode there is no fixed concurrency: -c is the cap on requests in flight (open loop).
  field('Concurrency Level', result.rate ? `${result.concurrency} (open loop: in-flight cap)` : String(result.concurrency));
  field('Time taken for tests', `${seconds.toFixed(3)} seconds`);
  field('Complete requests', String(done));
  field('Failed requests', totals.failed > 0 ? painter({ color: opts.color }).bad(String(totals.failed)) : String(totals.failed));
  if (totals.failed > 0) {
    // ab has no timeout category (it aborts instead), so timeouts join Exceptions here; abx lists them below.
    lines.push(
      `   (Connect: ${failures.connect}, Receive: ${failures.receive}, Length: ${failures.length}, Exceptions: ${failures.exceptions + failures.timeouts})`,
    );
  }
  if (totals.non2xx > 0) field('Non-2xx responses', String(totals.non2xx));
  if (result.options.keepAlive) field('Keep-Alive requests', String(totals.keepAliveRequests));
  field('Total transferred', `${totals.bytes} bytes`);
  if (totals.bodySentBytes > 0) field('Total body sent', String(totals.bodySentBytes));
  field('HTML transferred', `${totals.bodyBytes} bytes`);
  if (seconds > 0 && done > 0) {
    field('Requests per second', `${(done / seconds).toFixed(2)} [#/sec] (mean)`);
    // ab's formula (concurrency × time / requests) assumes every lane was always busy; an open
    // loop's lanes are not, so --rate prints the measured mean, the Total mean of the table below.
    const perRequestMs = result.rate ? result.connectionTimesMs.total.mean : (result.concurrency * seconds * 1000) / done;
    field('Time per request', `${perRequestMs.toFixed(3)} [ms] (mean)`);
    field('Time per request', `${((seconds * 1000) / done).toFixed(3)} [ms] (mean, across all concurrent requests)`);
    field('Transfer rate', `${(totals.bytes / 1024 / seconds).toFixed(2)} [Kbytes/sec] received`);
    if (totals.bodySentBytes > 0) {
      lines.push(`${''.padEnd(24)}${(totals.bodySentBytes / 1024 / seconds).toFixed(2)} kb/s sent`);
      lines.push(`${''.padEnd(24)}${((totals.bytes + totals.bodySentBytes) / 1024 / seconds).toFixed(2)} kb/s total`);
    }
  }

  if (done > 0) {
    const t = result.connectionTimesMs;
    lines.push('', 'Connection Times (ms)');
    const rows: Array<[string, PhaseSummaryMs, string]> = [
      ['Connect:    ', t.connect, 'the initial connection time'],
      ['Processing: ', t.processing, 'the processing time'],
      ['Waiting:    ', t.waiting, 'the waiting time'],
      ['Total:      ', t.total, 'the total time'],
    ];
    if (opts.confidence) {
      lines.push('              min  mean[+/-sd] median   max');
      for (const [label, s] of rows) {
        lines.push(`${label}${int(s.min, 5)} ${int(s.mean, 4)} ${s.sd.toFixed(1).padStart(5)} ${int(s.median, 6)} ${int(s.max, 7)}`);
      }
      for (const [, s, what] of rows) lines.push(...saneWarning(what, s));
    } else {
      lines.push('              min   avg   max');
      for (const [label, s] of rows) lines.push(`${label}${int(s.min, 5)} ${int(s.mean, 5)} ${int(s.max, 5)}`);
    }
  }

  if (opts.percentiles && done > 1) {
    lines.push('', 'Percentage of the requests served within a certain time (ms)');
    for (const p of AB_PERCENTS) lines.push(`  ${p}%  ${int(result.latencyMs[PERCENT_KEY[p]], 5)}`);
    lines.push(` 100%  ${int(result.latencyMs.max, 5)} (longest request)`);
  }

  lines.push('', ...wrapBlock(renderAdditions(result, opts.verbose), opts.width, FIELD_COLUMN));
  return lines.join('\n') + '\n';
}

/** What abx measures beyond ab, after ab's block so ab parsers are not disturbed. */
function renderAdditions(result: Result, verbose: boolean): string[] {
  const lines: string[] = [...clientLines(result)];
  const l = result.latencyMs;
  // No sample, no value: "-" rather than a 0.00 that reads as a very fast server.
  const ms = result.totals.completed > 0 ? msText : (): string => '-';
  const label = result.rate ? 'Latency (ms, from intended send)' : 'Latency (ms)';
  lines.push(
    `${label}: p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  p99.99 ${ms(l.p9999)}  max ${ms(l.max)}`,
  );
  if (result.serviceLatencyMs) {
    const s = result.serviceLatencyMs;
    lines.push(
      `Service latency (ms, from actual send): p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  p99.9 ${ms(s.p999)}  max ${ms(s.max)}`,
    );
  }
  if (result.rate) {
    const r = result.rate;
    lines.push(
      `Rate:                   ${result.load?.model === 'stages' ? 'mean target' : 'target'} ${r.targetPerSec}/s, achieved ${r.achievedPerSec.toFixed(1)}/s, ${r.late} sent late (in-flight cap reached), worst lag ${msText(r.maxLagMs)} ms${rateCause(result)}`,
    );
  }
  const codes = Object.entries(result.statusCodes)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  lines.push(`Status codes:           ${codes || 'none'}`);
  const addresses = addressLine(result.addresses ?? []);
  if (addresses !== null) lines.push(addresses);
  if (result.failures.timeouts > 0)
    lines.push(`Timeouts:               ${result.failures.timeouts} (no response within ${result.options.timeoutMs / 1000} s)`);
  for (const e of result.errors.slice(0, 5)) {
    lines.push(
      `Errors (${e.category}):${''.padEnd(Math.max(1, 14 - e.category.length))}${e.count} × ${e.code}: ${explainError(e, verbose)}`,
    );
  }
  if (result.interrupted) lines.push('Interrupted:            yes (partial results: requests in flight were dropped)');
  lines.push(...loadShapeLines(result));
  return lines;
}

/**
 * How the requests spread over the target's addresses (load-balancer nodes),
 * as shares of the responses; only when more than one address was used.
 */
export function addressLine(addresses: NonNullable<Result['addresses']>): string | null {
  if (addresses.length < 2) return null;
  const responses = addresses.reduce((sum, a) => sum + a.requests, 0);
  const parts = addresses.map((a) => {
    const share = responses > 0 ? Math.round((100 * a.requests) / responses) : 0;
    return `${a.address} ${share} %${a.errors > 0 ? ` (${a.errors} errors)` : ''}`;
  });
  return `Addresses:              ${addresses.length} — ${parts.join(', ')}`;
}

function saneWarning(what: string, s: PhaseSummaryMs): string[] {
  const d = Math.abs(Math.round(s.mean) - Math.round(s.median));
  if (d > 2 * s.sd) {
    return [
      `ERROR: The median and mean for ${what} are more than twice the standard`,
      '       deviation apart. These results are NOT reliable.',
    ];
  }
  if (d > s.sd) {
    return [
      `WARNING: The median and mean for ${what} are not within a normal deviation`,
      '        These results are probably not that reliable.',
    ];
  }
  return [];
}

/** ab prints whole milliseconds rounded half up ((us + 500) / 1000). */
function int(valueMs: number, width: number): string {
  return String(Math.round(valueMs)).padStart(width);
}

function msText(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** ab's -e file: the percentage of requests served within each time, 0..100. */
export function renderPercentileCsv(valueAtPercentileMs: (percent: number) => number): string {
  const rows = ['Percentage served,Time in ms'];
  for (let p = 0; p <= 100; p++) rows.push(`${p},${valueAtPercentileMs(p).toFixed(3)}`);
  return rows.join('\n') + '\n';
}
