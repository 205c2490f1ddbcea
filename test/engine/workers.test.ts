import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import type { RequestRow } from '../../src/stats/request-row.js';
import { splitConfig, splitEvenly, workerCount } from '../../src/engine/split.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('splitting a run over workers', () => {
  it.each([
    [10, 3, [4, 3, 3]],
    [7, 7, [1, 1, 1, 1, 1, 1, 1]],
    [1_000_001, 2, [500_001, 500_000]],
  ])('splits %i into %i exact shares', (n, parts, expected) => {
    const shares = splitEvenly(n, parts);
    expect(shares).toEqual(expected);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('interleaves open-loop schedules and never uses more workers than lanes', () => {
    const { load } = buildRunSettings('http://127.0.0.1:1/', { requests: '10', concurrency: '2', rate: '1000' });
    expect(workerCount(4, load)).toBe(2);
    const shares = splitConfig(load, 2);
    expect(shares.map((s) => s.config.ratePerSec)).toEqual([500, 500]);
    expect(shares.map((s) => s.paceOffsetMs)).toEqual([0, 1]);
    expect(shares.map((s) => s.config.requests)).toEqual([5, 5]);
  });
});

describe('worker threads against a local server', () => {
  it('sends exactly -n requests across workers and merges their counts', async () => {
    server = await startServer();
    const settings = buildRunSettings(server.url, { requests: '1001', concurrency: '6', keepalive: true, workers: '3' });
    const { result } = await runLoad(settings.load, settings.recorded, settings.workers).done;
    expect(server.requests).toBe(1001);
    expect(result.totals.completed).toBe(1001);
    expect(result.concurrency).toBe(6);
    expect(result.options.workers).toBe(3);
    expect(server.connections).toBeLessThanOrEqual(6);
    expect(result.timeline.reduce((sum, b) => sum + b.completed, 0)).toBe(1001);
    expect(result.statusCodes).toEqual({ '200': 1001 });
  });
});

describe('-g rows from worker threads', () => {
  it('hands every finished request over as a row, across batches and workers', async () => {
    server = await startServer();
    const settings = buildRunSettings(server.url, { requests: '9001', concurrency: '4', keepalive: true, workers: '2' });
    const rows: RequestRow[] = [];
    const startedMs = Date.now();
    const { result } = await runLoad(settings.load, settings.recorded, settings.workers, { onRow: (row) => rows.push(row) }).done;
    expect(result.totals.completed).toBe(9001);
    // 9,001 rows: more than one worker's batch of 4,096, so batches and the final flush are all counted.
    expect(rows).toHaveLength(9001);
    for (const row of rows) {
      expect(row.startedAtMs).toBeGreaterThanOrEqual(startedMs - 1000);
      expect(row.startedAtMs).toBeLessThanOrEqual(Date.now());
      expect(row.totalMs).toBeGreaterThan(0);
    }
  });
});

describe('stack traces', () => {
  it('stay on in this thread while a load without -k runs (they are off only inside the load workers)', async () => {
    server = await startServer();
    const before = Error.stackTraceLimit;
    const settings = buildRunSettings(server.url, { requests: '400', concurrency: '2' });
    const run = runLoad(settings.load, settings.recorded, settings.workers);
    const seen: number[] = [];
    await vi.waitFor(
      () => {
        seen.push(Error.stackTraceLimit);
        expect(run.progress().finished).toBeGreaterThan(0);
        // A worker's start-up and its first progress tick (every 250 ms) can take seconds on a busy machine.
      },
      { timeout: 20_000, interval: 20 },
    );
    const { result } = await run.done;
    expect(result.totals.completed).toBe(400);
    expect(seen.every((limit) => limit === before)).toBe(true);
    expect(new Error('here').stack).toMatch(/\n\s+at /);
  });
});
