/**
 * The text lines about abx's own load (Result.client): how many workers and
 * why, how busy they were, the --rate cause, and the "abx was the bottleneck"
 * line after the report. Short enough for 80 columns. Pure.
 */
import { eventLoopSaturated, rateBound } from '../stats/client.js';
import type { Result } from '../stats/result.js';

const LABEL_WIDTH = 24;
/** Start-up shorter than this is not worth a word. */
const SHOW_STARTUP_MS = 1000;

/** "Workers: 4 workers: 4 cores, remote target" (+ the start-up time when it was slow), and the client's CPU and loop. */
export function clientLines(result: Result): string[] {
  const client = result.client;
  if (!client) return [];
  const startup = client.startupMs > SHOW_STARTUP_MS ? `, started in ${(client.startupMs / 1000).toFixed(1)} s` : '';
  const elu = client.eventLoopUtilization;
  return [
    `${'Workers:'.padEnd(LABEL_WIDTH)}${client.workersReason}${startup}`,
    `${'Client:'.padEnd(LABEL_WIDTH)}CPU ${client.cpuSeconds.toFixed(2)} s, event loop ${pct(elu.mean)} mean, ${pct(elu.max)} max`,
  ];
}

/** What held a --rate run back, appended to its rate line; '' when it kept its schedule. */
export function rateCause(result: Result): string {
  if (!result.rate) return '';
  const bound = rateBound(result.rate, result.client);
  if (bound === 'server') return '; server-bound (in-flight cap reached)';
  if (bound === 'client') {
    return result.client && eventLoopSaturated(result.client) ? '; client-bound (event loop busy)' : '; client-bound (lanes free)';
  }
  return '';
}

/**
 * The verdict after the report, when abx itself was the limit: the figure and
 * the way out (more workers while cores are left, else more machines).
 */
export function bottleneckLine(result: Result): string | null {
  const client = result.client;
  if (!client?.saturated) return null;
  const way = client.workers < client.cores ? `try --workers ${client.cores}` : 'use more machines';
  if (eventLoopSaturated(client)) {
    const busy = `${fmtSeconds(client.busySeconds)} of ${fmtSeconds(client.seconds)} s`;
    return `abx was the bottleneck: event loop ${pct(client.eventLoopUtilization.max)} busy, ${busy}; ${way}`;
  }
  const rate = result.rate;
  const sent = rate ? `sent ${Math.round(rate.achievedPerSec)}/s of ${rate.targetPerSec}/s` : 'behind schedule';
  return `abx was the bottleneck: ${sent}, lanes free; ${way}`;
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

function fmtSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(0) : String(Math.round(seconds * 10) / 10);
}
