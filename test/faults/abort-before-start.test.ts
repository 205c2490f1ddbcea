/**
 * A Ctrl-C can arrive before the load has started: the CLI installs its
 * signal handlers, then waits (up to seconds) for the AWS observer's discovery
 * before it calls runLoad. An AbortSignal that is already aborted fires no
 * 'abort' event, so the engine must look at signal.aborted itself, or the
 * interrupted run would go on to its full -n.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import { startSlowServer, type FaultServer } from '../helpers/fault-servers.js';

let server: FaultServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe.each([1, 2])('an already-aborted signal with %i thread(s)', (workers) => {
  it('stops at once: nothing sent, the result marked interrupted', async () => {
    server = await startSlowServer(50);
    const settings = buildRunSettings(server.url, { requests: '200', concurrency: '4', workers: String(workers) });
    const abort = new AbortController();
    abort.abort();
    const { result } = await runLoad(settings.load, settings.recorded, settings.workers, { signal: abort.signal }).done;
    // "At once" is told by what was sent, not by a stopwatch (starting worker threads on a busy
    // machine takes seconds): an engine that missed the abort would send all 200 requests.
    expect(result.interrupted).toBe(true);
    expect(result.totals.completed).toBe(0);
    expect(result.totals.failed).toBe(0);
    expect(server.requests).toBe(0);
  });
});
