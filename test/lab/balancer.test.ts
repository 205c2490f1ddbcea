/** The load balancer on a real loopback socket: round robin, 503 without targets, latency from the capacity model. */
import { afterEach, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { driveLoad } from '../helpers/drive.js';
import { TargetModel } from '../../src/lab/capacity.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('load balancer', () => {
  it('spreads requests round robin over the InService targets', async () => {
    lab = await startLab({ port: 0, periodMs: 1000, min: 3, max: 6, desired: 3, instanceCapacity: 5000 });
    const result = await driveLoad(lab.url, { requests: 300, concurrency: 4 });
    expect(result.statuses).toEqual({ 200: 300 });
    const counts = Object.values(result.byInstance);
    expect(counts).toHaveLength(3);
    for (const count of counts) expect(count).toBe(100);
  });

  it('answers 503 when no target is healthy, as an ALB does', async () => {
    lab = await startLab({ port: 0, periodMs: 1000, min: 0, max: 2, desired: 0 });
    const result = await driveLoad(lab.url, { requests: 20, concurrency: 2 });
    expect(result.statuses).toEqual({ 503: 20 });
    expect(result.byInstance).toEqual({});
  });

  it('drains request bodies and keeps the connection alive', async () => {
    lab = await startLab({ port: 0, periodMs: 1000, instanceCapacity: 5000 });
    const first = await fetch(lab.url, { method: 'POST', body: 'x'.repeat(256 * 1024) });
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/^ok i-0[0-9a-f]{16}\n$/);
  });

  it('refuses a port already in use with a one-line ConfigError', async () => {
    lab = await startLab({ port: 0, periodMs: 1000 });
    const port = Number(new URL(lab.url).port);
    await expect(startLab({ port, periodMs: 1000 })).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/port \d+ .*in use.*--port/),
    });
  });
});

describe('capacity model', () => {
  it('latency stays at the service time under capacity and climbs past it', () => {
    const model = new TargetModel(100); // 10 ms per request
    // One request every 20 ms: no queue.
    const light = [0, 20, 40, 60].map((t) => model.admit(t));
    expect(light).toEqual([10, 10, 10, 10]);
    // Ten at once: each waits for those ahead.
    const burst = Array.from({ length: 10 }, () => model.admit(1000));
    expect(burst).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    // Spread over two instances (after scale-out) the same burst waits half as long at the tail.
    const a = new TargetModel(100);
    const b = new TargetModel(100);
    const spread = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).admit(1000));
    expect(Math.max(...spread)).toBe(50);
  });
});
