/**
 * Faults that are about the target's setup rather than a broken response:
 * a self-signed certificate (refused unless --insecure, with a message that
 * says so) and a 100 MB body (counted byte by byte, never held in memory).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  makeSelfSignedCert,
  startHugeBodyServer,
  startTlsServer,
  type FaultServer,
  type SelfSignedCert,
} from '../helpers/fault-servers.js';
import { expectAccounted, runFault } from './run-fault.js';

let server: FaultServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('TLS with a self-signed certificate', () => {
  let cert: SelfSignedCert;
  beforeAll(() => {
    cert = makeSelfSignedCert();
  });

  it('is refused by default: Connect failures, a clear one-line reason, exit 1, nothing reached the server', async () => {
    server = await startTlsServer(cert);
    const run = await runFault(server.url, ['-n', '3', '-c', '1']);
    expectAccounted(run, { requests: 3, completed: 0, connect: 3, exitCode: 1 });
    expect(run.result.errors.map((e) => e.code)).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT']);
    expect(run.outcome.stderr).toMatch(/^abx: no request completed: .*self[- ]signed certificate.*$/m);
    expect(server.requests).toBe(0);
  });

  it('succeeds with --insecure and reports the TLS protocol as ab does', async () => {
    server = await startTlsServer(cert, 'secure hello');
    const run = await runFault(server.url, ['-n', '10', '-c', '2', '-k', '--insecure']);
    expectAccounted(run, { requests: 10, completed: 10, exitCode: 0 });
    expect(server.requests).toBe(10);
    expect(server.connections).toBeLessThanOrEqual(2);
    expect(run.result.server.documentLength).toBe('secure hello'.length);
    expect(run.result.server.tls).toMatch(/^TLSv1\.[23],/);
    expect(run.outcome.stdout).toMatch(/^SSL\/TLS Protocol:\s+TLSv1\.[23],\S+$/m);
  });
});

describe('a 100 MB body', () => {
  const BODY_BYTES = 100 * 1024 * 1024;

  it('is counted to the byte and never buffered: peak RSS grows far less than the body size', async () => {
    // Baseline: the same CLI fetching a 1 KB body (abx loads its subcommands, so it starts near 100 MB).
    server = await startHugeBodyServer(1024);
    const small = await runFault(server.url, ['-n', '2', '-c', '1'], { sampleRss: true });
    expectAccounted(small, { requests: 2, completed: 2, exitCode: 0 });
    await server.close();

    server = await startHugeBodyServer(BODY_BYTES);
    const run = await runFault(server.url, ['-n', '2', '-c', '1', '-s', '5s'], { sampleRss: true, timeoutMs: 25_000 });
    expectAccounted(run, { requests: 2, completed: 2, exitCode: 0 });
    expect(run.result.totals.bodyBytes).toBe(2 * BODY_BYTES);
    expect(run.result.server.documentLength).toBe(BODY_BYTES);
    expect(run.outcome.stdout).toMatch(new RegExp(`^Document Length:\\s+${BODY_BYTES} bytes$`, 'm'));
    // Buffering one body would add 100 MB; counting chunks costs only the
    // not-yet-collected 64 KB reads (measured: ~35 MB, the same for a 1 GB body).
    expect(small.outcome.peakRssKiB).toBeGreaterThan(0);
    const growthMiB = (run.outcome.peakRssKiB - small.outcome.peakRssKiB) / 1024;
    expect(growthMiB).toBeLessThan(64);
  });
});
