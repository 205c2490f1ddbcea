import { describe, expect, it } from 'vitest';
import { withLoadShape } from '../../src/engine/outcome.js';
import { buildRunSettings } from '../../src/cli/options.js';
import { mergeResults } from '../../src/stats/merge.js';
import { loadShapeLines } from '../../src/report/load-shape.js';
import { makeResult } from '../fixtures/make-result.js';
import { schemaErrors } from '../helpers/schema.js';

const ms = (n: number): number[] => Array.from({ length: n }, () => 5);

describe('the load shape in a Result', () => {
  it('a shaped run records its stages and each second its target; the schema accepts both', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { stage: ['2s:100', '1s:100', '2s:0'] });
    const result = withLoadShape(makeResult({ secondsMs: [ms(25), ms(75), ms(100), ms(75), ms(25)] }), settings.load);
    expect(result.load).toEqual({
      model: 'stages',
      stages: [
        { durationMs: 2000, fromRps: 0, toRps: 100 },
        { durationMs: 1000, fromRps: 100, toRps: 100 },
        { durationMs: 2000, fromRps: 100, toRps: 0 },
      ],
    });
    expect(result.timeline.map((b) => b.targetRps)).toEqual([25, 75, 100, 75, 25]);
    expect(schemaErrors(result)).toEqual([]);
  });

  it('a constant rate and a closed loop say their model', () => {
    const rate = buildRunSettings('http://127.0.0.1:9/', { rate: '40', duration: '2s' });
    const withRate = withLoadShape(makeResult({ secondsMs: [ms(40), ms(40)] }), rate.load);
    expect(withRate.load).toEqual({ model: 'rate' });
    expect(withRate.timeline.map((b) => b.targetRps)).toEqual([40, 40]);
    const closed = withLoadShape(makeResult({ secondsMs: [ms(3)] }), buildRunSettings('http://127.0.0.1:9/', { requests: '3' }).load);
    expect(closed.load).toEqual({ model: 'closed' });
    expect(closed.timeline[0].targetRps).toBeUndefined();
  });

  it('merging shards adds their targets, stage rates and dropped requests; the first abort is kept', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { stage: ['2s:100'] });
    const a = withLoadShape(makeResult({ secondsMs: [ms(25), ms(75)] }), settings.load);
    const b = {
      ...withLoadShape(makeResult({ secondsMs: [ms(25), ms(75)] }), settings.load),
      aborted: { condition: 'errors>1%', atSecond: 1 },
    };
    a.totals.droppedAtDeadline = 2;
    b.totals.droppedAtDeadline = 3;
    const merged = mergeResults([a, b]);
    expect(merged.timeline.map((x) => x.targetRps)).toEqual([50, 150]);
    expect(merged.load?.stages).toEqual([{ durationMs: 2000, fromRps: 0, toRps: 200 }]);
    expect(merged.totals.droppedAtDeadline).toBe(5);
    expect(merged.aborted).toEqual({ condition: 'errors>1%', atSecond: 1 });
    // An older result without the field merges as 0.
    const old = makeResult({ secondsMs: [ms(1)] });
    expect(mergeResults([old, a]).totals.droppedAtDeadline).toBe(2);
  });

  it('the report says the shape, achieved against target, the abort and the dropped requests', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { ramp: '0..100/2s' });
    const result = withLoadShape(makeResult({ secondsMs: [ms(24), ms(70)] }), settings.load);
    result.totals.droppedAtDeadline = 4;
    result.aborted = { condition: 'p99>1s', atSecond: 1 };
    expect(loadShapeLines(result)).toEqual([
      'Load shape:             1 stage over 2 s: 0→100/s over 2 s',
      'Achieved/target (req/s, each second):',
      '  24/25 70/75',
      'Aborted:                "p99>1s" held at second 1; abx stopped sending (--abort-on)',
      'Dropped:                4 requests in flight at the abort, not counted',
    ]);
    delete result.aborted;
    expect(loadShapeLines(result).at(-1)).toBe(
      'Dropped:                4 requests in flight at the deadline, not counted (--drain TIME waits for them)',
    );
  });
});

describe('target against achieved in the scaling timeline and the HTML charts', () => {
  it('each scaling-timeline period shows its mean target rate; a closed loop has no such column', async () => {
    const { renderScalingTimeline } = await import('../../src/report/scaling.js');
    const { makeObservation } = await import('../fixtures/make-result.js');
    const startedAtMs = Date.UTC(2026, 10, 26, 16, 0, 0);
    const settings = buildRunSettings('http://127.0.0.1:9/', { stage: ['5s:100', '5s:100'] });
    const base = makeResult({
      secondsMs: Array.from({ length: 10 }, (_, s) => ms(s * 10)),
      startedAtMs,
      observation: makeObservation(startedAtMs),
    });
    const text = renderScalingTimeline(withLoadShape(base, settings.load), { color: false });
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('abx req'))).toMatch(/abx req +target\/s/);
    // Period 0-5 s ramps 0 → 100 (mean 50); 5-10 s holds 100.
    expect(lines.find((l) => l.trimStart().startsWith('+0s'))).toMatch(/^\s+\+0s\s+\d+\s+50\s/);
    expect(lines.find((l) => l.trimStart().startsWith('+5s'))).toMatch(/^\s+\+5s\s+\d+\s+100\s/);
    expect(renderScalingTimeline(base, { color: false })).not.toContain('target/s');
  });

  it('the HTML throughput chart gets the target series in an open loop only', async () => {
    const { chartDataOf } = await import('../../src/report/html-data.js');
    const settings = buildRunSettings('http://127.0.0.1:9/', { ramp: '0..100/2s' });
    const shaped = withLoadShape(makeResult({ secondsMs: [ms(24), ms(70)] }), settings.load);
    expect(chartDataOf(shaped).throughput?.targetPerSec).toEqual([25, 75]);
    expect(chartDataOf(makeResult({ secondsMs: [ms(3)] })).throughput?.targetPerSec).toBeUndefined();
  });
});
