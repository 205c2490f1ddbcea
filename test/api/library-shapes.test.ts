import { afterEach, describe, expect, it } from 'vitest';
import { runLoad, type LoadProgress } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('load shapes through the library', () => {
  it('runs stages, reports the target rate in progress events and records the shape', async () => {
    server = await startServer();
    const progress: LoadProgress[] = [];
    const result = await runLoad({
      url: server.url,
      keepAlive: true,
      stages: [
        { durationMs: 1000, toRps: 100 },
        { durationMs: 1000, toRps: 0 },
      ],
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 200,
    });
    // 50 + 50 scheduled (a very busy machine may not send the last few before the end); the last may be in flight then.
    expect(server.requests).toBeGreaterThanOrEqual(95);
    expect(server.requests).toBeLessThanOrEqual(100);
    expect(result.totals.requests + (result.totals.droppedAtDeadline ?? 0)).toBeGreaterThanOrEqual(server.requests);
    expect(result.load?.stages).toEqual([
      { durationMs: 1000, fromRps: 0, toRps: 100 },
      { durationMs: 1000, fromRps: 100, toRps: 0 },
    ]);
    expect(progress.some((p) => (p.targetRps ?? 0) > 0)).toBe(true);
    expect(progress.every((p) => p.late !== undefined)).toBe(true);
  });
});
