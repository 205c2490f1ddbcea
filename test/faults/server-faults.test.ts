/**
 * Nothing lost under faults: the real CLI against servers that fail in every
 * way a target can fail. Each run must finish, count every request exactly
 * once in the right category, print the report, write --out, and exit 0 (or 1
 * when not a single request got a response).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  abortedChunked,
  closeWithoutResponse,
  longBody,
  neverRespond,
  okResponse,
  refusedPort,
  resetBeforeResponse,
  resetMidBody,
  shortBody,
  stallBody,
  startRawServer,
  statusResponse,
  type FaultServer,
} from '../helpers/fault-servers.js';
import { expectAccounted, runFault } from './run-fault.js';

let server: FaultServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('abx under server faults', () => {
  it('connection refused: every request is a Connect failure, exit 1', async () => {
    const port = await refusedPort();
    const run = await runFault(`http://127.0.0.1:${port}/`, ['-n', '7', '-c', '3']);
    expectAccounted(run, { requests: 7, completed: 0, connect: 7, exitCode: 1 });
    expect(run.result.errors.map((e) => e.code)).toEqual(['ECONNREFUSED']);
    expect(run.result.totals.connections).toBe(0);
  });

  it('reset before any response: Receive failures, exit 1', async () => {
    server = await startRawServer(resetBeforeResponse);
    const run = await runFault(server.url, ['-n', '6', '-c', '2']);
    expectAccounted(run, { requests: 6, completed: 0, receive: 6, exitCode: 1 });
    expect(server.requests).toBe(6);
    expect(run.result.errors[0]?.code).toBe('ECONNRESET');
  });

  it('reset mid-body: Receive failures, the partial bodies are not completed responses', async () => {
    server = await startRawServer(resetMidBody);
    const run = await runFault(server.url, ['-n', '5', '-c', '5']);
    expectAccounted(run, { requests: 5, completed: 0, receive: 5, exitCode: 1 });
    expect(server.requests).toBe(5);
  });

  it('close without a response: Receive failures', async () => {
    server = await startRawServer(closeWithoutResponse);
    const run = await runFault(server.url, ['-n', '4', '-c', '2']);
    expectAccounted(run, { requests: 4, completed: 0, receive: 4, exitCode: 1 });
    expect(server.requests).toBe(4);
  });

  it('headers never sent: each request times out after -s, once', async () => {
    server = await startRawServer(neverRespond);
    const started = performance.now();
    const run = await runFault(server.url, ['-n', '4', '-c', '2', '-s', '300ms']);
    expectAccounted(run, { requests: 4, completed: 0, timeouts: 4, exitCode: 1 });
    expect(run.result.errors.map((e) => e.code)).toEqual(['UND_ERR_HEADERS_TIMEOUT']);
    expect(server.requests).toBe(4);
    // Two rounds of 300 ms, not ab's 30 s abort.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(run.outcome.stdout).toContain('Timeouts:               4 (no response within 0.3 s)');
  });

  it('a body that stalls: body timeout, counted as a timeout', async () => {
    server = await startRawServer(stallBody);
    const run = await runFault(server.url, ['-n', '3', '-c', '3', '-s', '300ms']);
    expectAccounted(run, { requests: 3, completed: 0, timeouts: 3, exitCode: 1 });
    expect(run.result.errors.map((e) => e.code)).toEqual(['UND_ERR_BODY_TIMEOUT']);
  });

  it('a body shorter than its Content-Length: Receive failures, never completed', async () => {
    server = await startRawServer(shortBody);
    const run = await runFault(server.url, ['-n', '5', '-c', '1']);
    expectAccounted(run, { requests: 5, completed: 0, receive: 5, exitCode: 1 });
    expect(server.requests).toBe(5);
  });

  it('a body longer than its Content-Length: completed with exactly Content-Length body bytes', async () => {
    server = await startRawServer(longBody);
    const run = await runFault(server.url, ['-n', '5', '-c', '1']);
    expectAccounted(run, { requests: 5, completed: 5, exitCode: 0 });
    expect(run.result.totals.bodyBytes).toBe(25);
    expect(run.result.server.documentLength).toBe(5);
  });

  it('an aborted chunked body: Receive failures', async () => {
    server = await startRawServer(abortedChunked);
    const run = await runFault(server.url, ['-n', '4', '-c', '2']);
    expectAccounted(run, { requests: 4, completed: 0, receive: 4, exitCode: 1 });
  });

  it('a mix of good and aborted responses on one run: each counted once, exit 0', async () => {
    // Every third request is reset mid-body; the rest are fine. Over keep-alive,
    // a reset also costs the lane its connection, which abx must reopen.
    server = await startRawServer((socket, index) => (index % 3 === 2 ? resetMidBody(socket, index, 0) : okResponse()(socket, index, 0)));
    const run = await runFault(server.url, ['-n', '30', '-c', '1', '-k']);
    expectAccounted(run, { requests: 30, completed: 20, receive: 10, exitCode: 0 });
    expect(server.requests).toBe(30);
    expect(run.result.totals.bodyBytes).toBe(20 * 'hello world'.length);
  });

  it('a 5xx storm: all complete and Non-2xx, no failures, exit 0', async () => {
    server = await startRawServer(statusResponse(503, { 'Retry-After': 1 }, 'busy'));
    const run = await runFault(server.url, ['-n', '200', '-c', '10', '-k']);
    expectAccounted(run, { requests: 200, completed: 200, non2xx: 200, exitCode: 0 });
    expect(run.result.statusCodes).toEqual({ '503': 200 });
    expect(server.requests).toBe(200);
    expect(run.outcome.stdout).toMatch(/^Non-2xx responses:\s+200$/m);
  });

  it('a redirect is not followed and is counted by its status', async () => {
    server = await startRawServer(statusResponse(302, { Location: 'http://127.0.0.1:1/elsewhere' }, ''));
    const run = await runFault(server.url, ['-n', '12', '-c', '3']);
    expectAccounted(run, { requests: 12, completed: 12, non2xx: 12, exitCode: 0 });
    expect(run.result.statusCodes).toEqual({ '302': 12 });
    // Only the 12 requests to this server: nothing went to the Location.
    expect(server.requests).toBe(12);
    expect(server.connections).toBe(12);
  });

  it('a server whose first 3 connections fail: 3 failures, the rest complete, exit 0', async () => {
    // The first 3 connections are reset as soon as their request arrives. (A reset
    // straight after accept races the client's connect: the kernel may hand the
    // connect back as ECONNRESET, a Connect failure, or let it complete first.)
    server = await startRawServer((socket, index, connection) =>
      connection < 3 ? resetBeforeResponse(socket, index, connection) : okResponse('fine')(socket, index, connection),
    );
    const run = await runFault(server.url, ['-n', '10', '-c', '1']);
    // The request was sent on an open connection, so these are Receive failures (ab's apr_socket_recv).
    expectAccounted(run, { requests: 10, completed: 7, receive: 3, exitCode: 0 });
    expect(server.connections).toBe(10);
    expect(server.requests).toBe(10);
    expect(run.result.totals.bodyBytes).toBe(7 * 'fine'.length);
  });

  it('an unresolvable host (.invalid): Connect failures with the resolver error, exit 1', async () => {
    // no-dns.mjs fails *.invalid lookups inside abx, so no DNS query leaves this machine.
    const host = ['abx-test', 'invalid'].join('.');
    const noDns = fileURLToPath(new URL('./no-dns.mjs', import.meta.url));
    const run = await runFault(`http://${host}/`, ['-n', '3', '-c', '1'], { env: { NODE_OPTIONS: `--import=${noDns}` } });
    expectAccounted(run, { requests: 3, completed: 0, connect: 3, exitCode: 1 });
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(run.result.errors[0]?.code);
    expect(run.outcome.stderr).toContain('abx-test.invalid');
  });

  it('IPv6 loopback [::1]: a normal run', async () => {
    server = await startRawServer(okResponse('over v6'), { host: '::1' });
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+\/$/);
    const run = await runFault(server.url, ['-n', '20', '-c', '4', '-k']);
    expectAccounted(run, { requests: 20, completed: 20, exitCode: 0 });
    expect(server.requests).toBe(20);
    expect(server.connections).toBeLessThanOrEqual(4);
    expect(run.result.server.hostname).toBe('[::1]');
    expect(run.outcome.stdout).toMatch(/^Server Hostname:\s+\[::1\]$/m);
  });
});
