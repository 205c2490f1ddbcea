/**
 * The self-contained HTML report: one file with uPlot, the styles and the
 * run's data inlined, that opens offline from file:// and makes no network
 * request (a Content-Security-Policy in the page forbids any).
 *
 * Everything taken from the Result is either HTML-escaped here or inlined as
 * JSON that the page inserts with textContent, so a URL or an alarm name can
 * never become markup or script.
 */
import { createHash } from 'node:crypto';
import { byTime } from '../stats/by-time.js';
import type { LatencySummaryMs, ObservationEvent, Result } from '../stats/result.js';
import { timeToScaleSec } from '../stats/time-to-scale.js';
import { uplotAssets } from './html-assets.js';
import { CLIENT_JS } from './html-client.js';
import { chartDataOf, type ChartData } from './html-data.js';
import { REPORT_CSS } from './html-style.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside a <script> element: `<`, `>` and `&` become \u
 * escapes (so no `</script>` or `<!--` can appear) and so do U+2028/U+2029.
 * JSON.parse reads them back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—';
  const [whole, fraction] = Math.abs(n).toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '−' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

function fmtMs(ms: number): string {
  return fmt(ms, ms < 10 ? 2 : ms < 100 ? 1 : 0);
}

function fmtDuration(ms: number): string {
  const sec = ms / 1000;
  if (sec < 60) return `${fmt(sec, sec < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(sec / 60);
  return `${minutes} min ${fmt(sec - minutes * 60, 0)} s`;
}

function fmtOffset(sec: number): string {
  const sign = sec < 0 ? '−' : '+';
  return `${sign}${fmt(Math.abs(sec), Number.isInteger(sec) ? 0 : 1)} s`;
}

function tile(label: string, value: string, unit: string, sub: string, bad = false): string {
  return (
    `<div class="tile${bad ? ' bad' : ''}"><div class="label">${escapeHtml(label)}</div>` +
    `<div class="value">${escapeHtml(value)}${unit ? `<small>${escapeHtml(unit)}</small>` : ''}</div>` +
    `<div class="sub">${escapeHtml(sub)}</div></div>`
  );
}

function tiles(result: Result): string {
  const { totals, latencyMs } = result;
  const rateSub = result.rate
    ? `target ${fmt(result.rate.targetPerSec, 1)}/s · ${fmt(result.rate.late)} sent late`
    : `${fmt(totals.completed)} responses in ${fmtDuration(result.durationMs)}`;
  const rateMode = result.rate !== undefined || result.serviceLatencyMs !== undefined;
  const p99Sub =
    rateMode && result.serviceLatencyMs
      ? `service p99 ${fmtMs(result.serviceLatencyMs.p99)} ms · p50 ${fmtMs(latencyMs.p50)} ms`
      : `p50 ${fmtMs(latencyMs.p50)} ms · max ${fmtMs(latencyMs.max)} ms`;
  const errorShare = totals.requests > 0 ? (100 * totals.failed) / totals.requests : 0;
  const errorSub = `${fmt(errorShare, errorShare > 0 && errorShare < 1 ? 2 : 1)} % of requests · ${fmt(totals.non2xx)} non-2xx`;
  let scaleValue = '—';
  let scaleUnit = '';
  let scaleSub = 'not observed (no --asg / --observe)';
  if (result.observation) {
    const seconds = timeToScaleSec(result);
    const first = result.observation.events.find((e) => e.kind === 'scaling-activity' && Date.parse(e.at) >= result.startedAtMs);
    if (seconds === null) {
      scaleSub = 'no scaling activity during the run';
    } else {
      scaleValue = fmt(seconds);
      scaleUnit = 's';
      const capacity =
        first?.fromCapacity !== undefined && first.toCapacity !== undefined
          ? `capacity ${first.fromCapacity} → ${first.toCapacity}`
          : 'first scaling activity';
      scaleSub = `${capacity}, from the start of the run`;
    }
  }
  return (
    `<section class="tiles" aria-label="summary">` +
    tile(
      result.rate ? 'requests / s (achieved)' : 'requests / s',
      fmt(result.rate ? result.rate.achievedPerSec : totals.rps, 1),
      '',
      rateSub,
    ) +
    tile(rateMode ? 'p99 corrected latency' : 'p99 latency', fmtMs(latencyMs.p99), 'ms', p99Sub) +
    tile('errors', fmt(totals.failed), '', errorSub, totals.failed > 0) +
    tile('time to scale', scaleValue, scaleUnit, scaleSub) +
    `</section>`
  );
}

function header(result: Result): string {
  const started = new Date(result.startedAtMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const mode =
    result.options.ratePerSec !== null ? `rate ${fmt(result.options.ratePerSec, 1)}/s` : `concurrency ${fmt(result.concurrency)}`;
  const meta = [
    `started ${started}`,
    `duration ${fmtDuration(result.durationMs)}`,
    mode,
    `${fmt(result.totals.requests)} requests`,
    result.options.workers > 1 ? `${result.options.workers} workers` : '',
    result.options.keepAlive ? 'keep-alive' : '',
    result.client ? clientMeta(result.client) : '',
  ].filter(Boolean);
  return (
    `<header><h1>abx load test report${result.interrupted ? '<span class="badge">interrupted</span>' : ''}</h1>` +
    `<p class="target">${escapeHtml(result.method)} <code>${escapeHtml(result.url)}</code></p>` +
    `<p class="meta">${meta.map((m) => `<span>${escapeHtml(m)}</span>`).join('')}</p></header>`
  );
}

/** abx's own headroom beside the figures it measured about the server. */
function clientMeta(client: NonNullable<Result['client']>): string {
  const busy = `event loop ${Math.round(client.eventLoopUtilization.max * 100)} % max`;
  return client.saturated ? `abx was the bottleneck (${busy})` : `client not saturated (${busy})`;
}

function card(id: string, title: string, note: string, has: boolean, emptyText: string): string {
  const body = has ? `<div class="chart" id="${id}"></div>` : `<p class="empty">${escapeHtml(emptyText)}</p>`;
  return `<section class="card"><h2>${escapeHtml(title)}</h2><p class="note">${note}</p>${body}</section>`;
}

const MARKER_KEY =
  '<span class="key alarm">alarm transition</span><span class="key scaling">scaling activity</span>(hover a line for its text)';

function charts(result: Result, data: ChartData): string {
  const rateMode = data.rateMode;
  const latencyWord = rateMode ? 'corrected latency' : 'latency';
  const markerNote = data.markers.length > 0 ? ` ${MARKER_KEY}` : '';
  const rateNote = rateMode
    ? ' Corrected latency is measured from each request’s intended send time, so it includes time spent waiting when the target fell behind; service latency is measured from the actual send.'
    : '';
  const parts = [
    card(
      'chart-throughput',
      'Throughput and errors',
      `Responses per second (left axis); failed requests and non-2xx responses per second (right axis).${markerNote}`,
      data.throughput !== null,
      'No requests completed.',
    ),
    card(
      'chart-latency',
      `Latency over time`,
      `Per-second p50, p90 and p99 ${escapeHtml(latencyWord)}; click “max” in the legend to show it.${rateNote}${markerNote}`,
      data.latency !== null,
      'No response arrived, so there is no latency to plot.',
    ),
    card(
      'chart-distribution',
      'Latency by percentile',
      `Run-wide ${escapeHtml(latencyWord)} at each percentile; the axis stretches the tail (90 %, 99 %, 99.9 %…), as HdrHistogram plots do.${rateMode && data.distribution?.serviceMs ? ' The dashed line is service latency.' : ''}`,
      data.distribution !== null,
      'No latency was recorded.',
    ),
  ];
  // The scaling charts sit right under the load timelines (same x axis, synced
  // cursor), so "did it scale in time, and what did latency do?" is one glance.
  const distribution = parts.pop()!;
  let html = parts.join('');
  const observation = result.observation;
  if (observation) {
    const policy = observation.policy;
    const targetNote = policy
      ? ` against the target-tracking policy’s target of ${escapeHtml(fmt(policy.targetValue, 1))} (${escapeHtml(policy.name)})`
      : ' (no target-tracking policy was found)';
    html +=
      `<div class="grid2">` +
      card(
        'chart-request-count',
        'Requests per target',
        `RequestCountPerTarget, summed per ${escapeHtml(fmt(observation.periodSec))} s period,${targetNote}. The dashed tail is provisional: CloudWatch may still fill it in.${markerNote}`,
        data.requestCount !== null,
        'No RequestCountPerTarget samples were observed.',
      ) +
      card(
        'chart-capacity',
        'Instances',
        `Desired capacity and InService instances of ${escapeHtml(observation.asg ?? 'the group')} as steps, with healthy targets seen by the load balancer.${data.gaps.length ? ' Shaded spans are gaps in the observation.' : ''}${markerNote}`,
        data.capacity !== null,
        'No capacity samples were observed.',
      ) +
      `</div>`;
  }
  return html + distribution;
}

function latencyTable(result: Result): string {
  const rows: [string, keyof LatencySummaryMs][] = [
    ['min', 'min'],
    ['mean', 'mean'],
    ['p50', 'p50'],
    ['p90', 'p90'],
    ['p95', 'p95'],
    ['p99', 'p99'],
    ['p99.9', 'p999'],
    ['p99.99', 'p9999'],
    ['max', 'max'],
  ];
  const service = result.serviceLatencyMs;
  const rateMode = result.rate !== undefined || service !== undefined;
  const head = `<tr><th></th><th class="num">${rateMode ? 'corrected (ms)' : 'latency (ms)'}</th>${service ? '<th class="num">service (ms)</th>' : ''}</tr>`;
  const body = rows
    .map(
      ([label, key]) =>
        `<tr><td>${label}</td><td class="num">${fmtMs(result.latencyMs[key])}</td>${service ? `<td class="num">${fmtMs(service[key])}</td>` : ''}</tr>`,
    )
    .join('');
  return `<table>${head}${body}</table>`;
}

function statusTable(result: Result): string {
  const codes = Object.entries(result.statusCodes).sort(([a], [b]) => a.localeCompare(b));
  if (codes.length === 0) return '<p class="empty">No responses.</p>';
  return `<table><tr><th>status</th><th class="num">responses</th></tr>${codes.map(([code, count]) => `<tr><td>${escapeHtml(code)}</td><td class="num">${fmt(count)}</td></tr>`).join('')}</table>`;
}

function errorsTable(result: Result): string {
  if (result.errors.length === 0) return '<p class="note">No failed requests.</p>';
  return `<table><tr><th>category</th><th>code</th><th>first message</th><th class="num">count</th></tr>${result.errors
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.category)}</td><td>${escapeHtml(e.code)}</td><td>${escapeHtml(e.message)}</td><td class="num">${fmt(e.count)}</td></tr>`,
    )
    .join('')}</table>`;
}

function assertionsTable(result: Result): string {
  if (!result.assertions || result.assertions.length === 0) return '';
  return `<section class="card"><h2>Thresholds</h2><table><tr><th>threshold</th><th class="num">measured</th><th>outcome</th></tr>${result.assertions
    .map(
      (a) =>
        `<tr><td><code>${escapeHtml(a.expression)}</code></td><td class="num">${a.actual === null ? '—' : `${escapeHtml(fmt(a.actual, 2))} ${escapeHtml(a.unit)}`}</td><td class="${a.passed ? 'pass">passed' : 'fail">failed'}</td></tr>`,
    )
    .join('')}</table></section>`;
}

function eventDetail(e: ObservationEvent): string {
  const parts: string[] = [];
  if (e.kind === 'scaling-activity') {
    if (e.fromCapacity !== undefined && e.toCapacity !== undefined) parts.push(`capacity ${e.fromCapacity} → ${e.toCapacity}`);
    if (e.statusCode) parts.push(e.statusCode);
    if (e.cause) parts.push(e.cause);
  }
  if (e.kind === 'instance' && e.availabilityZone) parts.push(e.availabilityZone);
  return parts.join(' · ');
}

function observationSection(result: Result): string {
  const observation = result.observation;
  if (!observation) return '';
  const events = [...observation.events].sort(byTime);
  const eventRows = events
    .map(
      (e) =>
        `<tr><td class="num">${escapeHtml(fmtOffset((Date.parse(e.at) - result.startedAtMs) / 1000))}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.description)}</td><td class="cause">${escapeHtml(eventDetail(e))}</td></tr>`,
    )
    .join('');
  const alarms = observation.alarms
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.metric)} ${escapeHtml(a.comparison)} ${escapeHtml(fmt(a.threshold, 1))}</td><td class="num">${a.datapointsToAlarm} of ${a.evaluationPeriods} × ${a.periodSec} s</td><td>${escapeHtml(a.state)}</td></tr>`,
    )
    .join('');
  const gaps = observation.gaps
    .map(
      (g) =>
        `<li>${escapeHtml(fmtOffset((Date.parse(g.from) - result.startedAtMs) / 1000))} to ${escapeHtml(fmtOffset((Date.parse(g.to) - result.startedAtMs) / 1000))}: ${escapeHtml(g.reason)}</li>`,
    )
    .join('');
  const meta = [
    observation.asg ? `group ${observation.asg}` : '',
    `region ${observation.region}`,
    observation.loadBalancer ? `load balancer ${observation.loadBalancer.split('/').slice(-2, -1)[0] ?? observation.loadBalancer}` : '',
    `${fmt(observation.polls)} polls, ${fmt(observation.apiCalls)} API calls`,
  ].filter(Boolean);
  return (
    `<section class="card"><h2>Scaling events</h2><p class="note">${meta.map((m) => escapeHtml(m)).join(' · ')}</p>` +
    (observation.warnings.length
      ? `<ul class="warnings">${observation.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
      : '') +
    (gaps ? `<p class="note">Gaps in the observation:</p><ul class="warnings">${gaps}</ul>` : '') +
    (eventRows
      ? `<table><tr><th class="num">at</th><th>kind</th><th>what</th><th>details</th></tr>${eventRows}</table>`
      : '<p class="note">No scaling events were seen.</p>') +
    (alarms ? `<table><tr><th>alarm</th><th>condition</th><th class="num">datapoints</th><th>last state</th></tr>${alarms}</table>` : '') +
    `</section>`
  );
}

function details(result: Result): string {
  return (
    `<div class="grid2">` +
    `<section class="card"><h2>Latency summary</h2>${latencyTable(result)}</section>` +
    `<section class="card"><h2>Responses</h2>${statusTable(result)}${errorsTable(result)}</section>` +
    `</div>`
  );
}

/** One self-contained HTML document for a Result; the same Result always gives the same bytes. */
export function renderHtml(result: Result): string {
  const assets = uplotAssets();
  const data = chartDataOf(result);
  const styles = [assets.css, REPORT_CSS];
  const scripts = [assets.js, CLIENT_JS];
  // Hashes, not 'unsafe-inline': only these exact scripts may run, and nothing may be fetched.
  const csp = `default-src 'none'; script-src ${scripts.map(sha256).join(' ')}; style-src ${styles.map(sha256).join(' ')}`;
  const title = `abx: ${result.method} ${result.url}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="generator" content="${escapeHtml(`${result.tool.name} ${result.tool.version}`)}">
<title>${escapeHtml(title)}</title>
${styles.map((s) => `<style>${s}</style>`).join('\n')}
</head>
<body>
<main>
${header(result)}
${tiles(result)}
${charts(result, data)}
${observationSection(result)}
${assertionsTable(result)}
${details(result)}
<footer>${escapeHtml(`${result.tool.name} ${result.tool.version}`)} · ${escapeHtml(result.schema)} · charts drawn with uPlot</footer>
</main>
<div id="abx-tip" role="tooltip" hidden></div>
<script type="application/json" id="abx-data">${jsonForScript(data)}</script>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
