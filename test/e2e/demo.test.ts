import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/stats/result.js';
import { runAbx } from '../cli/abx-process.js';
import { schemaErrors } from '../helpers/schema.js';

describe('abx demo (lab + load + observer, end to end)', () => {
  it('shows a scale-out in its JSON result, and abx report renders its timeline', async () => {
    // 1 s lab periods and 200 requests/s: 100 per target per period against a
    // target of 60, so the high alarm fires after three periods.
    const out = join(mkdtempSync(join(tmpdir(), 'abx-demo-')), 'demo.json');
    const { code, stdout, stderr } = await runAbx(
      ['demo', '--period', '1s', '-t', '7s', '--rate', '200', '--json', '--out', out, '--assert', 'scale-outs>=1'],
      {
        env: { CI: 'true' },
        timeoutMs: 50_000,
      },
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Result;
    expect(schemaErrors(result)).toEqual([]);
    // The load ran and its accounting adds up. How many requests a 7 s run at 200/s completes depends
    // on how fast this machine is; what must hold is the bookkeeping: sent = completed + failed + dropped.
    // The result counts requests that reached an outcome (totals.requests; a Length failure is also a
    // completed response, so it is counted once); those in flight at the time limit are dropped, as ab
    // drops them. The open loop never sends ahead of its schedule: at most 200/s × 7 s, plus the one due at 0.
    const { totals, failures } = result;
    expect(totals.completed).toBeGreaterThan(0);
    expect(totals.requests).toBe(totals.completed + totals.failed - failures.length);
    // Those still in flight at the deadline are counted apart, so sent = requests + dropped at the deadline.
    const sent = totals.requests + (totals.droppedAtDeadline ?? 0);
    expect(totals.droppedAtDeadline).toBeGreaterThanOrEqual(0);
    expect(sent).toBeLessThanOrEqual(200 * 7 + 1);
    expect(result.rate?.targetPerSec).toBe(200);
    expect(result.rate!.achievedPerSec).toBeGreaterThan(0);
    expect(result.rate!.achievedPerSec).toBeLessThanOrEqual(200 * 1.01);
    // The timeline accounts for every response and failure, second by second.
    expect(result.timeline.length).toBeGreaterThanOrEqual(5);
    expect(result.timeline.reduce((sum, b) => sum + b.completed, 0)).toBe(totals.completed);
    expect(result.timeline.reduce((sum, b) => sum + b.errors, 0)).toBe(totals.failed);
    const observation = result.observation!;
    expect(observation.asg).toBe('abx-lab-asg');
    expect(observation.policy?.targetValue).toBe(60);
    const scaleOuts = observation.events.filter((e) => e.kind === 'scaling-activity' && e.toCapacity! > e.fromCapacity!);
    expect(scaleOuts.length).toBeGreaterThan(0);
    expect(scaleOuts[0].fromCapacity).toBe(2);
    expect(Date.parse(scaleOuts[0].at)).toBeGreaterThanOrEqual(result.startedAtMs);
    const rcpt = observation.samples.filter((s) => s.metric === 'RequestCountPerTarget').map((s) => s.value);
    expect(Math.max(...rcpt)).toBeGreaterThan(60);
    expect(result.assertions).toEqual([{ expression: 'scale-outs>=1', actual: scaleOuts.length, unit: '', passed: true }]);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(result);

    const report = await runAbx(['report', out], { env: { CI: 'true' } });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`Complete requests:      ${totals.completed}\n`);
    expect(report.stdout).toMatch(/scale-out 2 → \d/);
    expect(report.stdout).toContain('Time to scale');
  }, 60_000);
});
