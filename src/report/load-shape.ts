/**
 * The report lines about how the load was shaped and how it ended: the
 * stages with target against achieved, an --abort-on that fired, and the
 * requests dropped at the deadline. Pure, like every reporter.
 */
import type { Result } from '../stats/result.js';

const rps = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/** ab-report lines, each "Label:" padded as ab's fields are. */
export function loadShapeLines(result: Result): string[] {
  const lines: string[] = [];
  const stages = result.load?.stages;
  if (stages && stages.length > 0) {
    const totalMs = stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    const shown = stages
      .slice(0, 6)
      .map((s) =>
        s.fromRps === s.toRps
          ? `${rps(s.toRps)}/s for ${seconds(s.durationMs)}`
          : `${rps(s.fromRps)}→${rps(s.toRps)}/s over ${seconds(s.durationMs)}`,
      );
    if (stages.length > 6) shown.push(`… ${stages.length - 6} more`);
    lines.push(
      `Load shape:             ${stages.length} stage${stages.length === 1 ? '' : 's'} over ${seconds(totalMs)}: ${shown.join(', ')}`,
    );
    lines.push(...targetTimeline(result));
  }
  if (result.aborted) {
    lines.push(
      `Aborted:                "${result.aborted.condition}" held at second ${result.aborted.atSecond}; abx stopped sending (--abort-on)`,
    );
  }
  const dropped = result.totals.droppedAtDeadline ?? 0;
  if (dropped > 0) {
    const when = result.interrupted ? 'at the interrupt' : result.aborted ? 'at the abort' : 'at the deadline';
    lines.push(
      `Dropped:                ${dropped} request${dropped === 1 ? '' : 's'} in flight ${when}, not counted${result.interrupted || result.aborted ? '' : ' (--drain TIME waits for them)'}`,
    );
  }
  return lines;
}

/**
 * Target against achieved, per second: one compact row of "achieved/target"
 * (responses completed in that second / requests the schedule put in it),
 * at most 60 seconds shown, grouped when the run is longer.
 */
function targetTimeline(result: Result): string[] {
  const buckets = result.timeline.filter((b) => b.targetRps !== undefined);
  if (buckets.length === 0) return [];
  const group = Math.max(1, Math.ceil(buckets.length / 60));
  const cells: string[] = [];
  for (let i = 0; i < buckets.length; i += group) {
    const part = buckets.slice(i, i + group);
    const achieved = part.reduce((sum, b) => sum + b.completed + b.errors, 0) / part.length;
    const target = part.reduce((sum, b) => sum + (b.targetRps ?? 0), 0) / part.length;
    cells.push(`${Math.round(achieved)}/${Math.round(target)}`);
  }
  const unit = group === 1 ? 'each second' : `each ${group} s`;
  const lines = [`Achieved/target (req/s, ${unit}):`];
  for (let i = 0; i < cells.length; i += 12) lines.push(`  ${cells.slice(i, i + 12).join(' ')}`);
  return lines;
}
