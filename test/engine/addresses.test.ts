import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings, type RawRunOptions } from '../../src/cli/options.js';
import { startLoad } from '../../src/engine/load.js';
import type { IntervalTimers, LookupAll } from '../../src/engine/resolve.js';
import { runLoad } from '../../src/engine/run-load.js';
import { mergeResults } from '../../src/stats/merge.js';
import type { Result } from '../../src/stats/result.js';
import { renderAbReport } from '../../src/report/ab-text.js';
import { makeSelfSignedCert } from '../helpers/fault-servers.js';
import { schemaErrors } from '../helpers/schema.js';

interface Listener {
  port: number;
  requests: number;
  hosts: Set<string>;
  /** TLS only: the SNI names clients sent. */
  servernames: Set<string>;
  /** Called with the running count as each request arrives: a test acts while the load is certainly still running. */
  onRequest?: (count: number) => void;
  close(): Promise<void>;
}

const open: Listener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

/** An http server on one loopback address; port 0 picks a free one, or reuse the other listener's. */
async function listen(host: string, port = 0, tls: { key: string; cert: string } | null = null): Promise<Listener> {
  const sockets = new Set<Socket>();
  const state: Listener = { port: 0, requests: 0, hosts: new Set(), servernames: new Set(), close: () => Promise.resolve() };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    state.requests++;
    state.onRequest?.(state.requests);
    state.hosts.add(req.headers.host ?? '');
    res.end('hello world');
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (typeof socket.servername === 'string') state.servernames.add(socket.servername);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  open.push(state);
  return state;
}

async function run(url: string, raw: RawRunOptions): Promise<Result> {
  const settings = buildRunSettings(url, raw);
  return (await runLoad(settings.load, settings.recorded, 1).done).result;
}

describe('every address of the target is used', () => {
  it('spreads new connections over --resolve addresses round robin; Host keeps the name; the JSON names both', async () => {
    const first = await listen('127.0.0.1');
    const second = await listen('127.0.0.2', first.port);
    const result = await run(`http://localhost:${first.port}/`, {
      requests: '200',
      concurrency: '4',
      resolve: `localhost:${first.port}:127.0.0.1,127.0.0.2`,
    });
    expect(result.totals.completed).toBe(200);
    expect(first.requests + second.requests).toBe(200);
    for (const listener of [first, second]) {
      expect(listener.requests).toBeGreaterThanOrEqual(80);
      expect(listener.requests).toBeLessThanOrEqual(120);
      expect([...listener.hosts]).toEqual([`localhost:${first.port}`]);
    }
    const byAddress = Object.fromEntries((result.addresses ?? []).map((a) => [a.address, a]));
    expect(Object.keys(byAddress).sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(byAddress['127.0.0.1'].requests).toBe(first.requests);
    expect(byAddress['127.0.0.2'].requests).toBe(second.requests);
    expect(byAddress['127.0.0.1'].p99Ms).toBeGreaterThan(0);
    expect(schemaErrors(result)).toEqual([]);
    expect(renderAbReport(result)).toMatch(/^Addresses: +2 — 127\.0\.0\.1 \d+ %, 127\.0\.0\.2 \d+ %$/m);
  });

  it('keeps the name for TLS SNI and Host while connecting to each address (https)', async () => {
    const cert = makeSelfSignedCert();
    const first = await listen('127.0.0.1', 0, cert);
    const second = await listen('127.0.0.2', first.port, cert);
    const result = await run(`https://localhost:${first.port}/`, {
      requests: '20',
      concurrency: '2',
      insecure: true,
      resolve: `localhost:${first.port}:127.0.0.1,127.0.0.2`,
    });
    expect(result.totals.completed).toBe(20);
    for (const listener of [first, second]) {
      expect(listener.requests).toBeGreaterThan(0);
      expect([...listener.servernames]).toEqual(['localhost']);
      expect([...listener.hosts]).toEqual([`localhost:${first.port}`]);
    }
  });

  it('counts an address that refuses as Connect failures and goes on with the others', async () => {
    const alive = await listen('127.0.0.1');
    // Nothing listens on 127.0.0.3 at that port: every connection there is refused.
    const result = await run(`http://localhost:${alive.port}/`, {
      requests: '40',
      concurrency: '2',
      resolve: `localhost:${alive.port}:127.0.0.1,127.0.0.3`,
    });
    expect(result.totals.completed).toBe(alive.requests);
    expect(alive.requests).toBeGreaterThan(0);
    expect(result.failures.connect).toBeGreaterThan(0);
    expect(result.totals.completed + result.failures.connect).toBe(40);
    const dead = result.addresses?.find((a) => a.address === '127.0.0.3');
    expect(dead).toMatchObject({ requests: 0, errors: result.failures.connect });
    expect(renderAbReport(result)).toMatch(/127\.0\.0\.3 0 % \(\d+ errors\)/);
  });

  it('merges per-address counts and histograms across workers exactly', async () => {
    const first = await listen('127.0.0.1');
    await listen('127.0.0.2', first.port);
    const raw = { requests: '60', concurrency: '2', resolve: `localhost:${first.port}:127.0.0.1,127.0.0.2` };
    const a = await run(`http://localhost:${first.port}/`, raw);
    const b = await run(`http://localhost:${first.port}/`, raw);
    const merged = mergeResults([a, b]);
    for (const address of ['127.0.0.1', '127.0.0.2']) {
      const one = (r: Result): number => r.addresses!.find((x) => x.address === address)!.requests;
      expect(merged.addresses!.find((x) => x.address === address)!.requests).toBe(one(a) + one(b));
    }
    expect(schemaErrors(merged)).toEqual([]);
  });

  it('looks a host name up once for a run without -k, not once per request', async () => {
    const server = await listen('127.0.0.1');
    const lookups: string[] = [];
    const lookup: LookupAll = (hostname) => {
      lookups.push(hostname);
      return Promise.resolve(['127.0.0.1']);
    };
    let periodMs = 0;
    let reResolve: (() => void) | null = null;
    const timers: IntervalTimers = {
      setInterval(callback, ms) {
        periodMs = ms;
        reResolve = callback;
        return 1;
      },
      clearInterval: () => {
        reResolve = null;
      },
    };
    const settings = buildRunSettings(`http://localhost:${server.port}/`, { requests: '100', concurrency: '5' });
    // One re-resolve period passes mid-run (at the 50th of 100 requests, so the run cannot have ended): exactly one more lookup.
    // A poll of the run's progress could come after a fast run had already ended, and then nothing would re-resolve.
    server.onRequest = (count) => {
      if (count === 50) reResolve?.();
    };
    const running = startLoad(settings.load, { lookup, timers });
    const outcome = await running.done;
    expect(server.requests).toBe(100);
    expect(outcome.recorder.connections).toBe(100);
    expect(periodMs).toBe(30_000);
    expect(lookups).toEqual(['localhost', 'localhost']);
    expect(reResolve).toBeNull();
  });
});
