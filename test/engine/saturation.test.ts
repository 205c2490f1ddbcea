/**
 * abx's own load against a local server: the worker count --workers auto
 * picks for a loopback target, and the saturation verdict for a run that
 * cannot keep its --rate on one worker and for a light one. No timing
 * thresholds: the heavy run's rate is out of reach of any event loop, the
 * light one's is a few requests a second.
 */
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import { renderTextReport } from '../../src/report/text.js';
import { evaluateAssertions, parseAssertion } from '../../src/stats/thresholds.js';
import { schemaErrors } from '../helpers/schema.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function run(raw: Parameters<typeof buildRunSettings>[1]) {
  server ??= await startServer();
  const settings = buildRunSettings(server.url, raw);
  const { result } = await runLoad(settings.load, settings.recorded, settings.workers, { workersReason: settings.workersReason }).done;
  return { settings, result };
}

describe('--workers auto', () => {
  it('takes cores − 1 (at least one) for a loopback target, and the Result says why', async () => {
    const cores = availableParallelism();
    const expected = Math.max(1, cores - 1);
    const { settings, result } = await run({ requests: '200', concurrency: '8', keepalive: true });
    expect(settings.workers).toBe(Math.min(expected, 8));
    expect(result.totals.completed).toBe(200);
    expect(server!.requests).toBe(200);
    expect(result.client?.workers).toBe(settings.workers);
    expect(result.client?.cores).toBe(cores);
    expect(result.client?.workersReason).toMatch(new RegExp(`^${settings.workers} workers?: ${cores} cores?, local target`));
    expect(renderTextReport(result, { color: false })).toContain(`Workers:                ${settings.workersReason}`);
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([]);
  });

  it.each([
    // Never more workers than lanes (-c, -n), and the counts stay exact.
    { flags: { requests: '1' }, workers: 1, requests: 1 },
    { flags: { requests: '7', concurrency: '3', workers: '4' }, workers: 3, requests: 7 },
    { flags: { requests: '5', concurrency: '5', workers: '2' }, workers: 2, requests: 5 },
  ])('$flags runs on $workers worker(s) and sends exactly $requests', async ({ flags, workers, requests }) => {
    const { settings, result } = await run(flags);
    expect(settings.workers).toBe(workers);
    expect(result.client?.workers).toBe(workers);
    expect(result.totals.completed).toBe(requests);
    expect(server!.requests).toBe(requests);
  });
});

describe('saturation', () => {
  it('is true for a run that cannot keep up with its --rate on one worker, and says so', async () => {
    // 2,000,000/s is far beyond one event loop; -c equal to -n, so the in-flight cap can never be what held it back.
    const { result } = await run({ rate: '2000000', requests: '2000', concurrency: '2000', workers: '1' });
    expect(result.totals.completed).toBe(2000);
    expect(result.rate?.late).toBe(0);
    expect(result.client?.saturated).toBe(true);
    expect(result.client?.cpuSeconds).toBeGreaterThan(0);
    // The rate line wraps at 80 columns; a wide render keeps it on one line to read its end.
    expect(renderTextReport(result, { color: false, width: 1000 })).toMatch(/^Rate: .*; client-bound/m);
    const text = renderTextReport(result, { color: false });
    const line = text.split('\n').find((l) => l.includes('abx was the bottleneck'));
    expect(line).toBeDefined();
    expect(line).toMatch(/--workers|more machines/);
    expect(line!.length).toBeLessThanOrEqual(80);
    const [outcome] = evaluateAssertions([parseAssertion('client-saturated==0', { observing: false })], result);
    expect(outcome).toMatchObject({ actual: 1, passed: false });
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([]);
  });

  it('is false for a light run', async () => {
    // -c as large as -n: the in-flight cap cannot be reached, so a slow server on a busy machine cannot hold the rate back
    // either. 5 s long: the achieved rate counts until the last send, so one send late by a few hundred ms (a busy
    // machine) must stay within the verdict's 10 % tolerance.
    const { result } = await run({ rate: '20', requests: '100', concurrency: '100', workers: '1' });
    expect(result.totals.completed).toBe(100);
    expect(result.client?.saturated).toBe(false);
    expect(result.client?.eventLoopUtilization.mean).toBeLessThan(0.9);
    const text = renderTextReport(result, { color: false });
    expect(text).not.toContain('abx was the bottleneck');
    expect(text).not.toMatch(/-bound/);
    const [outcome] = evaluateAssertions([parseAssertion('client-saturated==0', { observing: false })], result);
    expect(outcome).toMatchObject({ actual: 0, passed: true });
  });
});
