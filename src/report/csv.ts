/**
 * The timeline as CSV (or TSV with '\t'): one row per second of the run and a
 * header row, ready for a spreadsheet or gnuplot. When the run was observed,
 * each CloudWatch / Auto Scaling metric gets a column holding the sample whose
 * period covers that second (the latest sample at or before it), so load and
 * scaling line up on one row.
 */
import type { ObservationSample, Result } from '../stats/result.js';

/** Quotes a field only when it needs it (RFC 4180). */
function field(value: string | number, separator: string): string {
  const textValue = String(value);
  if (textValue.includes(separator) || /["\r\n]/.test(textValue)) return `"${textValue.replace(/"/g, '""')}"`;
  return textValue;
}

export function renderCsv(result: Result, separator: ',' | '\t' = ','): string {
  const samplesByMetric = new Map<string, { atMs: number; value: number }[]>();
  for (const sample of result.observation?.samples ?? []) addSample(samplesByMetric, sample);
  const metrics = [...samplesByMetric.keys()].sort();
  for (const series of samplesByMetric.values()) series.sort((a, b) => a.atMs - b.atMs);

  const header = ['second', 'time', 'completed', 'errors', 'non2xx', 'bytes', 'p50_ms', 'p99_ms', 'max_ms', ...metrics];
  const rows = [header.map((h) => field(h, separator)).join(separator)];
  for (const bucket of [...result.timeline].sort((a, b) => a.second - b.second)) {
    const atMs = result.startedAtMs + bucket.second * 1000;
    const observed = metrics.map((metric) => {
      const value = latestAtOrBefore(samplesByMetric.get(metric)!, atMs);
      return value === null ? '' : value;
    });
    const cells: (string | number)[] = [
      bucket.second,
      new Date(atMs).toISOString(),
      bucket.completed,
      bucket.errors,
      bucket.non2xx,
      bucket.bytes,
      bucket.p50Ms,
      bucket.p99Ms,
      bucket.maxMs,
      ...observed,
    ];
    rows.push(cells.map((c) => field(c, separator)).join(separator));
  }
  return `${rows.join('\n')}\n`;
}

function addSample(into: Map<string, { atMs: number; value: number }[]>, sample: ObservationSample): void {
  const atMs = Date.parse(sample.at);
  if (!Number.isFinite(atMs)) return;
  const series = into.get(sample.metric) ?? [];
  series.push({ atMs, value: sample.value });
  into.set(sample.metric, series);
}

function latestAtOrBefore(series: { atMs: number; value: number }[], atMs: number): number | null {
  let found: number | null = null;
  for (const point of series) {
    if (point.atMs > atMs) break;
    found = point.value;
  }
  return found;
}
