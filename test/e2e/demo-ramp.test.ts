import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/stats/result.js';
import { runAbx } from '../cli/abx-process.js';
import { schemaErrors } from '../helpers/schema.js';

describe('abx demo ramps by default', () => {
  it('sends up, hold, down, with the target rising then falling, and the group scales out on the climb', { timeout: 150_000 }, async () => {
    // 1 s periods: the hold at 150/s is 75 per target per period on two instances, above the target of 60.
    const { code, stdout, stderr } = await runAbx(['demo', '--period', '1s', '--json'], { env: { CI: 'true' }, timeoutMs: 140_000 });
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Result;
    expect(schemaErrors(result)).toEqual([]);
    expect(result.load?.model).toBe('stages');
    expect(result.load?.stages?.map((s) => [s.fromRps, s.toRps])).toEqual([
      [0, 150],
      [150, 150],
      [150, 0],
    ]);
    const targets = result.timeline.map((b) => b.targetRps ?? 0);
    expect(targets[1]).toBeGreaterThan(targets[0]);
    expect(Math.max(...targets)).toBe(150);
    expect(targets[29]).toBeLessThan(150);
    // 0.5 × 150 × 10 + 150 × 12 + 0.5 × 150 × 8 = 3,150 scheduled; allow 5 % for a busy machine.
    expect(result.totals.requests + (result.totals.droppedAtDeadline ?? 0)).toBeGreaterThanOrEqual(3150 * 0.95);
    const scaleOuts = result.observation!.events.filter(
      (e) => e.kind === 'scaling-activity' && (e.toCapacity ?? 0) > (e.fromCapacity ?? 0),
    );
    expect(scaleOuts.length).toBeGreaterThan(0);
  });
});
