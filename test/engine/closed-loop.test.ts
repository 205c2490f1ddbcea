import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildRunSettings, type RawRunOptions } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import type { Result } from '../../src/stats/result.js';
import { closeMidBody, hang, reset, scripted, startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function run(url: string, raw: RawRunOptions, signal?: AbortSignal): Promise<Result> {
  const settings = buildRunSettings(url, raw);
  const running = runLoad(settings.load, settings.recorded, 1, signal ? { signal } : {});
  return (await running.done).result;
}

describe('closed loop against a local server', () => {
  it('sends exactly -n requests, one connection each without -k', async () => {
    server = await startServer();
    const result = await run(server.url, { requests: '300', concurrency: '7' });
    expect(server.requests).toBe(300);
    expect(server.connections).toBe(300);
    expect(result.totals.completed).toBe(300);
    expect(result.totals.failed).toBe(0);
    expect(result.totals.connections).toBe(300);
    expect(result.totals.keepAliveRequests).toBe(0);
    expect(result.server.documentLength).toBe('hello world'.length);
    expect(result.totals.bodyBytes).toBe(300 * 'hello world'.length);
    expect(result.statusCodes).toEqual({ '200': 300 });
    expect(result.timeline.reduce((sum, b) => sum + b.completed, 0)).toBe(300);
  });

  it('opens at most -c connections with -k and reuses them', async () => {
    server = await startServer();
    const result = await run(server.url, { requests: '500', concurrency: '5', keepalive: true });
    expect(server.requests).toBe(500);
    expect(server.connections).toBeLessThanOrEqual(5);
    expect(result.totals.connections).toBe(server.connections);
    expect(result.totals.keepAliveRequests).toBe(500 - server.connections);
  });

  it('counts non-2xx as complete, not failed, as ab does', async () => {
    server = await startServer(scripted((i) => (i % 4 === 0 ? { status: 503, body: 'ok' } : { body: 'ok' })));
    const result = await run(server.url, { requests: '100', concurrency: '4', keepalive: true });
    expect(result.totals.completed).toBe(100);
    expect(result.totals.non2xx).toBe(25);
    expect(result.totals.failed).toBe(0);
    expect(result.statusCodes).toEqual({ '200': 75, '503': 25 });
  });

  it('counts a Length failure when a body differs from the first, unless -l', async () => {
    const body = (i: number): { body: string } => ({ body: i % 10 === 3 ? 'longer body' : 'short' });
    server = await startServer(scripted(body));
    const strict = await run(server.url, { requests: '50', concurrency: '1', keepalive: true });
    expect(strict.server.documentLength).toBe(5);
    expect(strict.failures.length).toBe(5);
    expect(strict.totals.failed).toBe(5);
    expect(strict.totals.completed).toBe(50);
    await server.close();

    server = await startServer(scripted(body));
    const variable = await run(server.url, { requests: '50', concurrency: '1', keepalive: true, variableLength: true });
    expect(variable.failures.length).toBe(0);
    expect(variable.server.documentLength).toBeNull();
  });

  it('times out requests the server never answers and still finishes', async () => {
    server = await startServer(hang);
    const started = performance.now();
    const result = await run(server.url, { requests: '4', concurrency: '2', timeout: '300ms' });
    expect(result.failures.timeouts).toBe(4);
    expect(result.totals.failed).toBe(4);
    expect(result.totals.completed).toBe(0);
    expect(result.errors[0]?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('counts resets as Receive failures and completes the run', async () => {
    server = await startServer(reset);
    const result = await run(server.url, { requests: '20', concurrency: '2' });
    expect(server.requests).toBe(20);
    expect(result.failures.receive).toBe(20);
    expect(result.totals.failed).toBe(20);
    expect(result.totals.completed).toBe(0);
  });

  it('counts a body cut short as a Receive failure', async () => {
    server = await startServer(closeMidBody);
    const result = await run(server.url, { requests: '5', concurrency: '1' });
    expect(result.failures.receive).toBe(5);
    expect(result.totals.completed).toBe(0);
  });

  it('counts refused connections as Connect failures', async () => {
    server = await startServer();
    const url = server.url;
    await server.close();
    server = null;
    const result = await run(url, { requests: '6', concurrency: '2' });
    expect(result.failures.connect).toBe(6);
    expect(result.errors[0]?.code).toBe('ECONNREFUSED');
  });

  it('stops at -t with no request cap and drops requests in flight', async () => {
    server = await startServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    const result = await run(server.url, { duration: '600ms', concurrency: '3', keepalive: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(590);
    expect(result.durationMs).toBeLessThan(2_000);
    // 3 lanes × ~20 ms per request over 0.6 s: tens of requests, none failed.
    expect(result.totals.completed).toBeGreaterThan(20);
    expect(result.totals.failed).toBe(0);
    expect(server.requests - result.totals.completed).toBeLessThanOrEqual(3);
  });

  it('stops on abort with a partial, interrupted result', async () => {
    const slow = await startServer((_req, res) => setTimeout(() => res.end('ok'), 10));
    server = slow;
    const abort = new AbortController();
    const running = run(server.url, { requests: '100000', concurrency: '4', keepalive: true }, abort.signal);
    // Abort once the load is under way (the worker thread's start-up takes a while on a busy machine).
    await vi.waitFor(() => expect(slow.requests).toBeGreaterThan(20), { timeout: 20_000 });
    abort.abort();
    const result = await running;
    expect(result.interrupted).toBe(true);
    expect(result.totals.completed).toBeGreaterThan(10);
    expect(result.totals.completed).toBeLessThan(100000);
  });

  it('sends the body, method and headers it was given', async () => {
    const seen: Array<{ method?: string; type?: string; body: string; cookie?: string; custom?: string }> = [];
    server = await startServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          method: req.method,
          type: req.headers['content-type'],
          body,
          cookie: req.headers.cookie,
          custom: req.headers['x-test'] as string,
        });
        res.end('ok');
      });
    });
    const file = join(mkdtempSync(join(tmpdir(), 'abx-')), 'body.json');
    writeFileSync(file, '{"a":1}');
    const result = await run(server.url, {
      requests: '3',
      postFile: file,
      contentType: 'application/json',
      cookie: ['a=1', 'b=2'],
      header: ['X-Test: yes'],
    });
    expect(result.totals.bodySentBytes).toBe(3 * '{"a":1}'.length);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ method: 'POST', type: 'application/json', body: '{"a":1}', cookie: 'a=1; b=2', custom: 'yes' });
  });
});
