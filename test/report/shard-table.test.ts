/**
 * The fleet's per-shard table: a row per shard in index order, figures from
 * each shard's own result, and a line per failed shard that says why.
 */
import { describe, expect, it } from 'vitest';
import { renderShardTable } from '../../src/report/shard-table.js';
import { painter } from '../../src/report/style.js';
import type { Result } from '../../src/stats/result.js';

/** Only the fields the table reads. */
function result(index: number, requests: number, rps: number, p99: number, lateMs: number, saturated?: boolean): Result {
  return {
    totals: { requests, rps },
    latencyMs: { p99 },
    shard: { index, count: 3, startAt: '2026-11-30T12:00:00.000Z', lateMs },
    ...(saturated === undefined ? {} : { client: { saturated } }),
  } as unknown as Result;
}

const plain = painter({ color: false });

describe('renderShardTable', () => {
  it('lists shards in index order with their requests, rate, p99, lateness and saturation', () => {
    const text = renderShardTable(
      [
        { index: 1, task: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', result: result(1, 1000, 250.44, 12.34, 0, true), problem: null },
        { index: 0, task: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', result: result(0, 1000, 249.5, 11, 1500, false), problem: null },
      ],
      plain,
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Shard +Task +Requests +rps +p99 ms +Late s +Saturated$/);
    expect(lines[1]).toMatch(/^0 +aaaaaaaaaaaa +1000 +249\.5 +11\.0 +1\.5 +no$/);
    expect(lines[2]).toMatch(/^1 +bbbbbbbbbbbb +1000 +250\.4 +12\.3 +0\.0 +yes$/);
    expect(lines).toHaveLength(3);
  });

  it('a failed shard has a row of dashes and a line saying why; without task ids the column goes', () => {
    const text = renderShardTable(
      [
        { index: 0, task: null, result: result(0, 10, 5, 1, 0), problem: null },
        { index: 1, task: null, result: null, problem: 'exit 2 (EssentialContainerExited: Essential container in task exited)' },
      ],
      plain,
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).not.toMatch(/Task/);
    expect(lines[2]).toMatch(/^1 +- +- +- +- +-$/);
    expect(lines[3]).toBe('shard 1: exit 2 (EssentialContainerExited: Essential container in task exited)');
  });
});
