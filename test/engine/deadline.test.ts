/**
 * Requests in flight when a run stops: counted as dropped at the deadline and
 * at an interrupt, waited for with --drain. In-thread (startLoad), so the
 * counts are read straight from the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { startLoad } from '../../src/engine/load.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A server that never answers until the test ends. */
async function hangingServer(): Promise<TestServer> {
  return startServer(() => {});
}

describe('requests in flight when the run stops', () => {
  it('an interrupt counts them as dropped', async () => {
    server = await hangingServer();
    const settings = buildRunSettings(server.url, { requests: '10', concurrency: '3' });
    const abort = new AbortController();
    const run = startLoad(settings.load, { signal: abort.signal });
    await expect.poll(() => server!.requests, { timeout: 10_000 }).toBe(3);
    abort.abort();
    const outcome = await run.done;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.droppedAtDeadline).toBe(3);
    expect(outcome.recorder.finished).toBe(0);
  });

  it('the deadline counts them as dropped; --drain waits and counts them as answered', async () => {
    // Not a wait-and-count: the engine is in this thread, its 300 ms deadline timer is armed before the first request
    // is sent, and each answer's 600 ms timer is armed when that request arrives, so Node fires the deadline first
    // however late a busy machine runs both.
    server = await startServer((_req, res) => setTimeout(() => res.end('late'), 600));
    const dropped = await startLoad(buildRunSettings(server.url, { duration: '300ms', concurrency: '2' }).load).done;
    expect(dropped.interrupted).toBe(false);
    expect(dropped.droppedAtDeadline).toBe(2);
    expect(dropped.recorder.completed).toBe(0);
    const drained = await startLoad(buildRunSettings(server.url, { duration: '300ms', concurrency: '2', drain: '20s' }).load).done;
    expect(drained.droppedAtDeadline).toBe(0);
    expect(drained.recorder.completed).toBe(2);
    // Nothing new went out while draining: the two first requests only.
    expect(server.requests).toBe(4);
  });
});
