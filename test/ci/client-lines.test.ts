import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderTextReport } from '../../src/report/text.js';
import type { ClientStats, RateInfo, Result } from '../../src/stats/result.js';
import { makeResult } from '../fixtures/make-result.js';

const calm: ClientStats = {
  workers: 4,
  cores: 4,
  workersReason: '4 workers: 4 cores, remote target',
  startupMs: 120,
  cpuSeconds: 3.2,
  eventLoopUtilization: { mean: 0.41, max: 0.62 },
  busySeconds: 0,
  seconds: 10,
  saturated: false,
};
const busy: ClientStats = {
  ...calm,
  workers: 1,
  workersReason: '1 worker: --workers 1, 4 cores',
  startupMs: 1450,
  eventLoopUtilization: { mean: 0.93, max: 1 },
  busySeconds: 8,
  saturated: true,
};

function withClient(client: ClientStats, rate?: RateInfo): Result {
  const result = makeResult({ secondsMs: [[1, 2, 3]] });
  return { ...result, client, ...(rate ? { rate } : {}) };
}

const report = (result: Result): string => renderTextReport(result, { color: false, width: 1000 });

describe('client lines in the text report', () => {
  it('print the workers and their reason, and no bottleneck line when abx kept up', () => {
    const text = report(withClient(calm));
    expect(text).toMatch(/^Workers: {16}4 workers: 4 cores, remote target$/m);
    expect(text).toMatch(/^Client: {17}CPU 3\.20 s, event loop 41 % mean, 62 % max$/m);
    expect(text).not.toContain('abx was the bottleneck');
  });

  it('show a slow worker start-up and the bottleneck line with its figure and the way out, within 80 columns', () => {
    const text = report(withClient(busy));
    expect(text).toMatch(/^Workers: +1 worker: --workers 1, 4 cores, started in 1\.4 s$/m);
    const last = text.trimEnd().split('\n').at(-1)!;
    expect(last).toBe('abx was the bottleneck: event loop 100 % busy, 8 of 10 s; try --workers 4');
    for (const line of [last, ...text.split('\n').filter((l) => /^(Workers|Client):/.test(l))]) expect(line.length).toBeLessThanOrEqual(80);
    expect(report(withClient({ ...busy, workers: 4 }))).toMatch(/abx was the bottleneck: .*; use more machines$/m);
  });

  it('tell the two --rate causes apart on the rate line', () => {
    const behind: RateInfo = { targetPerSec: 5000, achievedPerSec: 2100, late: 0, maxLagMs: 900 };
    expect(report(withClient(busy, { ...behind, late: 300 }))).toMatch(/^Rate: .*; client-bound \(event loop busy\)$/m);
    expect(report(withClient(calm, { ...behind, late: 300 }))).toMatch(/^Rate: .*; server-bound \(in-flight cap reached\)$/m);
    const lanesFree = report(withClient({ ...calm, saturated: true }, behind));
    expect(lanesFree).toMatch(/^Rate: .*; client-bound \(lanes free\)$/m);
    expect(lanesFree).toMatch(/^abx was the bottleneck: sent 2100\/s of 5000\/s, lanes free; use more machines$/m);
    expect(report(withClient(calm, { ...behind, achievedPerSec: 4990 }))).not.toMatch(/-bound/);
  });

  it('put the verdict in the HTML report', () => {
    expect(renderHtml(withClient(busy))).toContain('abx was the bottleneck (event loop 100 % max)');
    expect(renderHtml(withClient(calm))).toContain('client not saturated (event loop 62 % max)');
  });
});
