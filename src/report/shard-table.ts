/**
 * The per-shard table of a fleet: what each shard sent, how fast, its p99,
 * how late it started and whether its own machine was the bottleneck, so a
 * lagging or saturated shard stands out next to the merged report. Shards
 * that failed or left no result get a row of dashes and a line saying why.
 * Pure: a function of the shards' results and what the engine said of them.
 */
import type { Result } from '../stats/result.js';
import type { Paint } from './style.js';

export interface ShardRow {
  index: number;
  /** The ECS task id (or pod name); null when the engine gave none (abx fleet collect). */
  task: string | null;
  /** The shard's result; null when there is none to merge. */
  result: Result | null;
  /** Why this shard failed or was left out; null when it did not. */
  problem: string | null;
}

/** ECS task ids are 32 hex digits: the first 12 tell them apart in a table (the console shows them whole). */
const TASK_ID_CHARS = 12;

export function renderShardTable(rows: ShardRow[], paint: Paint): string {
  const withTask = rows.some((r) => r.task !== null);
  const header = ['Shard', ...(withTask ? ['Task'] : []), 'Requests', 'rps', 'p99 ms', 'Late s', 'Saturated'];
  const cells = [...rows]
    .sort((a, b) => a.index - b.index)
    .map((row) => {
      const r = row.result;
      const task = withTask ? [row.task === null ? '-' : row.task.slice(0, TASK_ID_CHARS)] : [];
      if (r === null) return [String(row.index), ...task, '-', '-', '-', '-', '-'];
      const saturated = r.client === undefined ? '-' : r.client.saturated ? 'yes' : 'no';
      return [
        String(row.index),
        ...task,
        String(r.totals.requests),
        r.totals.rps.toFixed(1),
        r.latencyMs.p99.toFixed(1),
        ((r.shard?.lateMs ?? 0) / 1000).toFixed(1),
        saturated,
      ];
    });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  // The first two columns read as names (left), the figures as numbers (right).
  const nameColumns = withTask ? 2 : 1;
  const line = (c: string[]): string =>
    c
      .map((cell, i) => (i < nameColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [paint.bold(line(header))];
  const saturatedColumn = header.length - 1;
  for (const c of cells) lines.push(c[saturatedColumn] === 'yes' ? paint.warn(line(c)) : line(c));
  for (const row of [...rows].sort((a, b) => a.index - b.index)) {
    if (row.problem !== null) lines.push(paint.bad(`shard ${row.index}: ${row.problem}`));
  }
  return `${lines.join('\n')}\n`;
}
