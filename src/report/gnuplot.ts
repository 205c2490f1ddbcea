/**
 * ab's -g format: a TSV header, then one row per request with its start time
 * (ab's apr_ctime, local time), its start second, and its connect, processing,
 * total and waiting times in whole milliseconds.
 */
import type { RequestRow } from '../stats/request-row.js';

export const GNUPLOT_HEADER = 'starttime\tseconds\tctime\tdtime\tttime\twait\n';

export function formatGnuplotRow(row: RequestRow): string {
  const seconds = Math.floor(row.startedAtMs / 1000);
  return `${ctime(row.startedAtMs)}\t${seconds}\t${Math.round(row.connectMs)}\t${Math.round(row.processingMs)}\t${Math.round(row.totalMs)}\t${Math.round(row.waitingMs)}\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ab's starttime column: apr_ctime, local time, e.g. "Thu Nov 26 17:10:09 2026". */
function ctime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}
