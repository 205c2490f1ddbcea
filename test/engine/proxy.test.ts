import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import { makeSelfSignedCert, startTlsServer, type FaultServer } from '../helpers/fault-servers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A forward proxy on 127.0.0.1 that records request lines and tunnels CONNECT. */
async function startProxy(): Promise<{ port: number; lines: string[]; auth: string[]; tunnels: string[] }> {
  const lines: string[] = [];
  const auth: string[] = [];
  const tunnels: string[] = [];
  const server = http.createServer((req, res) => {
    lines.push(`${req.method} ${req.url}`);
    auth.push(String(req.headers['proxy-authorization']));
    res.end('via proxy');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(String(req.url));
    const [host, port] = String(req.url).split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, lines, auth, tunnels };
}

describe('-X proxy', () => {
  it('sends plain http to the proxy in absolute form with -P credentials, as ab does', async () => {
    const proxy = await startProxy();
    const settings = buildRunSettings('http://127.0.0.1:9/path?q=1', {
      requests: '5',
      concurrency: '2',
      proxy: `127.0.0.1:${proxy.port}`,
      proxyAuth: 'user:secret',
    });
    const { result } = await runLoad(settings.load, settings.recorded, 1).done;
    expect(result.totals.completed).toBe(5);
    expect(result.server.documentLength).toBe('via proxy'.length);
    expect(proxy.lines).toEqual(Array(5).fill('GET http://127.0.0.1:9/path?q=1'));
    expect(proxy.auth).toEqual(Array(5).fill(`Basic ${Buffer.from('user:secret').toString('base64')}`));
    // The proxy credentials are not among the recorded headers.
    expect(JSON.stringify(result.options)).not.toContain(Buffer.from('user:secret').toString('base64'));
  });

  it('tunnels https through CONNECT to the target', async () => {
    const proxy = await startProxy();
    const cert = makeSelfSignedCert();
    const target: FaultServer = await startTlsServer(cert, 'secret page');
    closers.push(() => target.close());
    const settings = buildRunSettings(target.url, {
      requests: '4',
      concurrency: '1',
      keepalive: true,
      insecure: true,
      proxy: `127.0.0.1:${proxy.port}`,
    });
    const { result } = await runLoad(settings.load, settings.recorded, 1).done;
    expect(result.totals.completed).toBe(4);
    expect(result.totals.failed).toBe(0);
    expect(result.server.documentLength).toBe('secret page'.length);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${target.port}`]);
    expect(proxy.lines).toEqual([]);
  });
});
