import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { intendedSendMs } from '../../src/engine/pacer.js';
import { runLoad } from '../../src/engine/run-load.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

// Whether abx holds 2,000/s on a real machine is a throughput figure: `npm run bench` checks it
// (bench/open-loop-rate.mjs). Here only the schedule, which needs no clock.
describe('pacer', () => {
  it.each([
    // index, rate, intended ms after origin
    [0, 1000, 0],
    [1, 1000, 1],
    [999, 1000, 999],
    [3, 4, 750],
    [10, 2000, 5],
  ])('request %i at %i/s is due at %f ms', (index, rate, expected) => {
    expect(intendedSendMs(index, rate)).toBeCloseTo(expected, 9);
  });
});

describe('open loop against a local server', () => {
  it('measures a server stall from the intended send time (coordinated omission)', async () => {
    // The server stops answering for 800 ms once the 100th request arrives (0.5 s into the
    // schedule). Counted from the requests, not the clock, and with -n rather than -t so no
    // stalled request is dropped at a time limit: the stall lands mid-run however slow the machine.
    let arrived = 0;
    let stalledUntil = 0;
    server = await startServer((_req, res) => {
      const now = Date.now();
      if (++arrived === 100) stalledUntil = now + 800;
      const wait = Math.max(0, stalledUntil - now);
      setTimeout(() => res.end('ok'), wait);
    });
    const settings = buildRunSettings(server.url, { rate: '200', requests: '400', concurrency: '1000', keepalive: true });
    const { result } = await runLoad(settings.load, settings.recorded, 1).done;
    expect(result.totals.completed).toBe(400);
    // In rate mode every request due during the stall waits for it: those due in its first
    // 500 ms (a quarter of the run) wait more than 300 ms.
    expect(result.latencyMs.p90).toBeGreaterThan(300);
    expect(result.latencyMs.max).toBeGreaterThan(700);
    // The in-flight cap was never reached, so nothing was sent late.
    expect(result.rate!.late).toBe(0);
    expect(result.serviceLatencyMs!.max).toBeGreaterThan(700);
  });

  it('counts requests sent late when the in-flight cap is reached', async () => {
    server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 50));
    const settings = buildRunSettings(server.url, { rate: '400', requests: '200', concurrency: '5', keepalive: true });
    const { result } = await runLoad(settings.load, settings.recorded, 1).done;
    expect(result.totals.completed).toBe(200);
    // 5 in flight × 20 per second each = 100/s at most, far below 400/s: most requests wait for a lane.
    expect(result.rate!.late).toBeGreaterThan(150);
    expect(result.rate!.maxLagMs).toBeGreaterThan(500);
    // Corrected latency includes that wait; service latency does not.
    expect(result.latencyMs.p99).toBeGreaterThan(result.serviceLatencyMs!.p99 * 5);
  });
});
