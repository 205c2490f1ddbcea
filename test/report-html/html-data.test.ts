/**
 * The pure side of the HTML report: the numbers it plots, the time to scale,
 * and JSON that cannot break out of its <script> element.
 */
import { describe, expect, it } from 'vitest';
import { chartDataOf } from '../../src/report/html-data.js';
import { timeToScaleSec } from '../../src/stats/time-to-scale.js';
import { jsonForScript, renderHtml } from '../../src/report/html.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';
import { STARTED_AT_MS, observedResult, plainResult } from './results.js';

describe('jsonForScript', () => {
  it('round-trips through JSON.parse and contains no < > & or line separators', () => {
    const value = { text: '</script><!-- & \u2028\u2029 -->', n: [1, null, 2.5] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('timeToScaleSec', () => {
  it('is the first scaling activity at or after the start, in seconds from the start', () => {
    const result = observedResult();
    const activity = result.observation!.events.find((e) => e.kind === 'scaling-activity')!;
    expect(timeToScaleSec(result)).toBe((Date.parse(activity.at) - result.startedAtMs) / 1000);
  });

  it('ignores activities that began before the run and is null without any', () => {
    const base = observedResult();
    const observation = base.observation!;
    const before = {
      ...observation.events.find((e) => e.kind === 'scaling-activity')!,
      at: new Date(STARTED_AT_MS - 90_000).toISOString(),
    };
    expect(timeToScaleSec({ ...base, observation: { ...observation, events: [before] } })).toBeNull();
    expect(timeToScaleSec(plainResult())).toBeNull();
  });
});

describe('chartDataOf', () => {
  it('puts AWS samples and markers on the run’s clock and widens the shared x range to hold them', () => {
    const observation = makeObservation(STARTED_AT_MS - 10_000);
    const result = makeResult({ secondsMs: [[5], [6], [7]], startedAtMs: STARTED_AT_MS, observation });
    const data = chartDataOf(result);
    const firstSampleSec = (Date.parse(observation.samples[0].at) - STARTED_AT_MS) / 1000;
    expect(data.requestCount!.xSec[0]).toBe(firstSampleSec);
    expect(data.xRangeSec[0]).toBe(firstSampleSec);
    expect(data.xRangeSec[1]).toBeGreaterThanOrEqual(data.capacity!.xSec.at(-1)!);
    expect(data.markers.map((m) => m.atSec)).toEqual(
      observation.events.filter((e) => e.kind !== 'instance').map((e) => (Date.parse(e.at) - STARTED_AT_MS) / 1000),
    );
  });

  it('leaves seconds without responses as gaps in the latency lines, not zeros', () => {
    const result = makeResult({ secondsMs: [[10, 12], [], [30]], startedAtMs: STARTED_AT_MS });
    const latency = chartDataOf(result).latency!;
    expect(latency.p50Ms[1]).toBeNull();
    expect(latency.p90Ms[1]).toBeNull();
    expect(latency.p99Ms[0]).toBeCloseTo(result.timeline[0].p99Ms, 3);
  });

  it('renders a run with no response without charts that would be empty', () => {
    const html = renderHtml(makeResult({ secondsMs: [], startedAtMs: STARTED_AT_MS, errorsPerSecond: [] }));
    expect(html).not.toContain('id="chart-');
    expect(html).toContain('No requests completed.');
  });
});
