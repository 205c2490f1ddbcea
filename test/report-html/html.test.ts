/**
 * The HTML report in a real browser: Debian's Chromium opens the file from
 * file:// and we check that every chart drew the Result's data, that nothing
 * logged an error, that nothing was fetched, and that text from the Result
 * stays text.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { decodeHistogram } from '../../src/stats/histogram.js';
import type { Result } from '../../src/stats/result.js';
import { launchChromium, openReport, screenshot } from './browser.js';
import { observedResult, plainResult, rateResult } from './results.js';

interface ChartState {
  xLength: number;
  /** Non-null values per series (x excluded). */
  drawn: number[];
  labels: string[];
  /** Axis titles, drawn on the canvas by uPlot (so not findable as page text). */
  axisLabels: string[];
  series: (number | null)[][];
  /** Pixels of the first data series' colour found on the chart's canvas. */
  firstSeriesPixels: number;
}

/** What each uPlot instance on the page holds, read through window.__abxCharts. */
async function chartStates(page: Page): Promise<Record<string, ChartState>> {
  return page.evaluate(() => {
    // The page's globals are untyped from the test's side; this is the shape html-client.ts exposes.
    interface U {
      data: (number | null)[][];
      series: { label?: string; _stroke?: string }[];
      axes: { label?: string }[];
      ctx: {
        canvas: { width: number; height: number };
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    }
    const all = (globalThis as unknown as { __abxCharts?: Record<string, U> }).__abxCharts ?? {};
    const out: Record<string, unknown> = {};
    for (const [id, u] of Object.entries(all)) {
      const hex = String(u.series[1]?._stroke ?? '');
      const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const { width, height } = u.ctx.canvas;
      const pixels = u.ctx.getImageData(0, 0, width, height).data;
      let firstSeriesPixels = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (
          Math.abs(pixels[i] - rgb[0]) < 8 &&
          Math.abs(pixels[i + 1] - rgb[1]) < 8 &&
          Math.abs(pixels[i + 2] - rgb[2]) < 8 &&
          pixels[i + 3] > 200
        )
          firstSeriesPixels++;
      }
      out[id] = {
        xLength: u.data[0].length,
        drawn: u.data.slice(1).map((s) => s.filter((v) => v !== null && v !== undefined).length),
        labels: u.series.map((s) => String(s.label ?? '')),
        axisLabels: u.axes.map((a) => String(a.label ?? '')),
        series: u.data,
        firstSeriesPixels,
      };
    }
    return out as Record<string, ChartState>;
  });
}

/** The report's millisecond format: three significant figures or so, as the tiles show them. */
const msText = (ms: number): string => ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0);

const textsOf = (page: Page, selector: string): Promise<string[]> => page.locator(selector).allTextContents();

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('renderHtml in Chromium, with an observed scale-out', () => {
  const result = observedResult();
  const observation = result.observation!;
  const markerEvents = observation.events.filter((e) => e.kind === 'alarm' || e.kind === 'scaling-activity');

  it('draws every chart with the Result’s data, logs no error and fetches nothing', async () => {
    const report = await openReport(browser, renderHtml(result), 'report-observed');
    try {
      const { page } = report;
      const charts = await chartStates(page);
      expect(Object.keys(charts).sort()).toEqual([
        'chart-capacity',
        'chart-distribution',
        'chart-latency',
        'chart-request-count',
        'chart-throughput',
      ]);
      for (const [id, chart] of Object.entries(charts)) {
        expect(chart.xLength, id).toBeGreaterThan(0);
        for (const drawn of chart.drawn) expect(drawn, id).toBeGreaterThan(0);
        expect(chart.firstSeriesPixels, `${id} has no pixel of its first series' colour`).toBeGreaterThan(20);
      }

      // Throughput and errors are the timeline's, second by second.
      const throughput = charts['chart-throughput'];
      expect(throughput.series[0]).toEqual(result.timeline.map((b) => b.second));
      expect(throughput.series[1]).toEqual(result.timeline.map((b) => b.completed));
      expect(throughput.series[2]).toEqual(result.timeline.map((b) => b.errors));
      expect(throughput.series[3]).toEqual(result.timeline.map((b) => b.non2xx));

      // p90 is decoded from each second's histogram; p50/p99 are the buckets' own.
      const latency = charts['chart-latency'];
      expect(latency.labels.slice(1, 4)).toEqual(['p50', 'p90', 'p99']);
      const p90 = result.timeline.map((b) => decodeHistogram(b.histogram!).getValueAtPercentile(90) / 1000);
      latency.series[2].forEach((v, i) => expect(v).toBeCloseTo(p90[i], 3));
      latency.series[3].forEach((v, i) => expect(v).toBeCloseTo(result.timeline[i].p99Ms, 3));
      expect(Math.max(...p90)).toBeGreaterThan(Math.min(...p90) * 2);

      // The percentile curve starts at the minimum, passes p99 at x = 100 and ends at the max.
      const distribution = charts['chart-distribution'];
      const x = distribution.series[0] as number[];
      const totalMs = distribution.series[1] as number[];
      expect(x[0]).toBe(1);
      expect(totalMs[0]).toBeCloseTo(result.latencyMs.min, 3);
      expect(totalMs[x.indexOf(100)]).toBeCloseTo(result.latencyMs.p99, 3);
      expect(totalMs[totalMs.length - 1]).toBeCloseTo(result.latencyMs.max, 3);

      // RequestCountPerTarget against the policy's target; capacity as the observed steps.
      const requestCount = charts['chart-request-count'];
      const rcpt = observation.samples.filter((s) => s.metric === 'RequestCountPerTarget');
      expect(requestCount.xLength).toBe(rcpt.length);
      expect(requestCount.drawn[0] + rcpt.filter((s) => s.provisional).length).toBe(rcpt.length);
      expect(new Set(requestCount.series[3])).toEqual(new Set([observation.policy!.targetValue]));
      const capacity = charts['chart-capacity'];
      expect(capacity.series[1]).toEqual(observation.samples.filter((s) => s.metric === 'DesiredCapacity').map((s) => s.value));
      expect(capacity.series[2]).toEqual(observation.samples.filter((s) => s.metric === 'InServiceInstances').map((s) => s.value));

      // Alarm and scaling markers on each of the four time charts, with their text on hover.
      for (const id of ['chart-throughput', 'chart-latency', 'chart-request-count', 'chart-capacity']) {
        await expect.poll(() => page.locator(`#${id} .abx-marker`).count()).toBe(markerEvents.length);
      }
      expect(await page.locator('#chart-distribution .abx-marker').count()).toBe(0);
      // The clean page is the artifact (and docs/images/report.png is a copy of it), before any hover.
      const shot = await screenshot(page, 'report-observed');
      expect(shot).toMatch(/report-observed\.png$/);
      const activity = observation.events.find((e) => e.kind === 'scaling-activity')!;
      await page.locator('#chart-capacity .abx-marker-scaling-activity').hover();
      await expect.poll(() => page.locator('#abx-tip').isVisible()).toBe(true);
      const tip = await page.locator('#abx-tip').textContent();
      expect(tip).toContain(activity.cause);
      expect(tip).toContain(`${activity.fromCapacity} → ${activity.toCapacity}`);

      // Summary tiles: rps, p99, errors, time to scale, from the Result.
      const values = await textsOf(page, '.tile .value');
      const timeToScaleSec = (Date.parse(activity.at) - result.startedAtMs) / 1000;
      expect(values).toEqual([
        result.totals.rps.toFixed(1),
        `${msText(result.latencyMs.p99)}ms`,
        String(result.totals.failed),
        `${timeToScaleSec}s`,
      ]);
      expect(result.totals.failed).toBeGreaterThan(0);
      expect(await page.locator('.tile.bad .label').textContent()).toBe('errors');

      // The events table lists every observed event, instances included.
      expect(await page.locator('table td:nth-child(3)').allTextContents()).toEqual(
        expect.arrayContaining(observation.events.map((e) => e.description)),
      );

      await screenshot(page, 'report-observed-hover');
      expect(report.errors).toEqual([]);
      expect(report.requests).toEqual([report.fileUrl]);
    } finally {
      await report.close();
    }
  });
});

describe('renderHtml in Chromium, with a degraded observation', () => {
  it('shades and lists observation gaps, shows warnings and works without a policy', async () => {
    const base = observedResult();
    const observation = base.observation!;
    const gap = {
      from: new Date(base.startedAtMs + 40_000).toISOString(),
      to: new Date(base.startedAtMs + 50_000).toISOString(),
      reason: 'ThrottlingException: Rate exceeded',
    };
    const result: Result = {
      ...base,
      interrupted: true,
      observation: {
        ...observation,
        policy: null,
        gaps: [gap],
        warnings: ['CloudWatch throttled the observer; samples 40 s to 50 s are missing'],
      },
    };
    const report = await openReport(browser, renderHtml(result), 'report-degraded');
    try {
      const { page } = report;
      const charts = await chartStates(page);
      expect(Object.keys(charts)).toHaveLength(5);
      // Without a policy there is no target line: value, provisional only.
      expect(charts['chart-request-count'].labels.slice(1)).toEqual(['RequestCountPerTarget', 'provisional']);
      expect(await page.getByText(gap.reason).count()).toBe(1);
      expect(await page.getByText(result.observation!.warnings[0]).count()).toBe(1);
      expect(await page.locator('header .badge').textContent()).toBe('interrupted');
      // The gap is painted under the capacity chart's series, between its two x positions.
      const shaded = await page.evaluate(() => {
        interface U {
          ctx: CanvasRenderingContext2D;
          bbox: { top: number; height: number };
          valToPos(v: number, k: string, c: boolean): number;
        }
        const u = (globalThis as unknown as { __abxCharts: Record<string, U> }).__abxCharts['chart-capacity'];
        const y = Math.round(u.bbox.top + u.bbox.height * 0.1);
        const pixel = (sec: number): number[] => Array.from(u.ctx.getImageData(Math.round(u.valToPos(sec, 'x', true)), y, 1, 1).data);
        return { inside: pixel(44), outside: pixel(33) };
      });
      expect(shaded.inside).not.toEqual(shaded.outside);
      expect(report.errors).toEqual([]);
      expect(report.requests).toEqual([report.fileUrl]);
    } finally {
      await report.close();
    }
  });
});

describe('renderHtml in Chromium, without an observation', () => {
  it('draws the three load charts and no scaling chart, marker or error', async () => {
    const result = plainResult();
    expect(result.observation).toBeUndefined();
    const report = await openReport(browser, renderHtml(result), 'report-plain');
    try {
      const { page } = report;
      const charts = await chartStates(page);
      expect(Object.keys(charts).sort()).toEqual(['chart-distribution', 'chart-latency', 'chart-throughput']);
      for (const [id, chart] of Object.entries(charts)) {
        expect(chart.xLength, id).toBeGreaterThan(0);
        expect(chart.drawn[0], id).toBeGreaterThan(0);
        expect(chart.firstSeriesPixels, id).toBeGreaterThan(20);
      }
      expect(charts['chart-throughput'].xLength).toBe(result.timeline.length);
      expect(await page.locator('#chart-request-count, #chart-capacity, .abx-marker').count()).toBe(0);
      expect(await page.getByText('Scaling events').count()).toBe(0);
      const values = await textsOf(page, '.tile .value');
      expect(values[3]).toBe('—');
      expect(await page.locator('.tile.bad').count()).toBe(0);
      await screenshot(page, 'report-plain');
      expect(report.errors).toEqual([]);
      expect(report.requests).toEqual([report.fileUrl]);
    } finally {
      await report.close();
    }
  });
});

describe('renderHtml in Chromium, in --rate mode', () => {
  it('labels corrected and service latency and draws both percentile curves', async () => {
    const result = rateResult();
    const report = await openReport(browser, renderHtml(result), 'report-rate');
    try {
      const { page } = report;
      const charts = await chartStates(page);
      const distribution = charts['chart-distribution'];
      expect(distribution.labels.slice(1)).toEqual(['corrected', 'service']);
      const x = distribution.series[0] as number[];
      expect(distribution.series[2][x.indexOf(100)]).toBeCloseTo(result.serviceLatencyMs!.p99, 3);
      expect(await page.locator('.tile .label').nth(1).textContent()).toBe('p99 corrected latency');
      expect(await page.locator('.tile .sub').nth(1).textContent()).toContain(`service p99 ${msText(result.serviceLatencyMs!.p99)} ms`);
      expect(charts['chart-latency'].axisLabels[1]).toBe('corrected latency (ms)');
      expect(distribution.axisLabels[1]).toBe('corrected latency (ms)');
      expect(report.errors).toEqual([]);
      expect(report.requests).toEqual([report.fileUrl]);
    } finally {
      await report.close();
    }
  });
});

describe('renderHtml escaping', () => {
  const hostile =
    '</script><b id="injected">bold</b><img id="injected-img" src="http://127.0.0.1:9/x.png"><script>globalThis.__pwned = 1</script>';

  function hostileResult(): Result {
    const base = observedResult();
    const observation = base.observation!;
    return {
      ...base,
      url: `http://127.0.0.1:8080/${hostile}`,
      observation: {
        ...observation,
        events: observation.events.map((e) =>
          e.kind === 'alarm'
            ? { ...e, alarmName: `alarm ${hostile}`, description: `described ${hostile}` }
            : e.kind === 'scaling-activity'
              ? { ...e, cause: `because ${hostile}` }
              : e,
        ),
        warnings: [`warned ${hostile}`],
      },
    };
  }

  it('never lets Result text close a script or become markup', () => {
    const html = renderHtml(hostileResult());
    expect(html).not.toContain('<b id="injected">');
    expect(html).not.toContain('globalThis.__pwned = 1</script>');
    // Only the page's own three scripts (data, uPlot, client) are in the document.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('renders a URL and event text containing </script><b> as text in the browser', async () => {
    const result = hostileResult();
    const report = await openReport(browser, renderHtml(result), 'report-escaping');
    try {
      const { page } = report;
      expect(await page.locator('#injected, #injected-img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('header code').textContent()).toBe(result.url);
      expect(await page.title()).toBe(`abx: GET ${result.url}`);
      expect(await page.getByText(`warned ${hostile}`).count()).toBe(1);
      await page.locator('#chart-latency .abx-marker-alarm').hover();
      await expect.poll(() => page.locator('#abx-tip').textContent()).toContain(`alarm ${hostile}`);
      expect(Object.keys(await chartStates(page))).toHaveLength(5);
      expect(report.errors).toEqual([]);
      expect(report.requests).toEqual([report.fileUrl]);
    } finally {
      await report.close();
    }
  });
});
