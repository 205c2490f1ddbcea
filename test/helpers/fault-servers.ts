/**
 * Misbehaving servers for the fault-injection suite, on 127.0.0.1 (or ::1)
 * port 0. Most are raw TCP servers that write HTTP by hand, because the faults
 * worth testing (a body shorter than its Content-Length, a chunked body cut
 * off, a reset mid-body) are exactly what node:http refuses to produce.
 *
 * Each server counts the connections it accepted and the requests whose
 * header block arrived, so tests can assert that abx sent exactly -n.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenCounted, type CountedServer } from './listen.js';

/** http://127.0.0.1:port/ (or http://[::1]:port/, https://... for TLS), with what it counted. */
export type FaultServer = CountedServer;

/**
 * What a raw server does with one request. `index` counts requests across the
 * server, `connection` counts connections (both from 0).
 */
export type RawBehaviour = (socket: Socket, index: number, connection: number) => void;

/** "HTTP/1.1 <status>" with the given headers and body, as one string. */
export function rawResponse(status: number, headers: Record<string, string | number>, body = ''): string {
  const reason = http.STATUS_CODES[status] ?? 'Unknown';
  const lines = [`HTTP/1.1 ${status} ${reason}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * A TCP server that splits the byte stream into requests at each blank line
 * (abx sends GETs without bodies) and hands every request to `behaviour`.
 * `onConnection` may take a connection over before any request arrives (for
 * "the first N connections fail"); returning true means it did.
 */
export async function startRawServer(
  behaviour: RawBehaviour,
  opts: { host?: string; onConnection?: (socket: Socket, connection: number) => boolean } = {},
): Promise<FaultServer> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: 0 };
  const server = net.createServer((socket) => {
    const connection = state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either side is the point of these servers, not an error.
    socket.on('error', () => {});
    if (opts.onConnection?.(socket, connection)) return;
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        pending = pending.slice(end + 4);
        behaviour(socket, state.requests++, connection);
      }
    });
  });
  return listenCounted(server, state, sockets, host);
}

/** A port on 127.0.0.1 with nothing listening (bound, read, released). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- behaviours -------------------------------------------------------------

/** A complete small response; the connection stays open for keep-alive. */
export const okResponse =
  (body = 'hello world'): RawBehaviour =>
  (socket) =>
    socket.write(rawResponse(200, { 'Content-Length': Buffer.byteLength(body), Server: 'fault/1.0' }, body));

/** TCP RST as soon as the request arrives: no response byte at all. */
export const resetBeforeResponse: RawBehaviour = (socket) => socket.resetAndDestroy();

/** Headers promising 100 bytes, 10 bytes of body, then a TCP RST. */
export const resetMidBody: RawBehaviour = (socket) => {
  socket.write(rawResponse(200, { 'Content-Length': 100 }, '0123456789'));
  setTimeout(() => socket.resetAndDestroy(), 20);
};

/** A clean FIN without a single response byte. */
export const closeWithoutResponse: RawBehaviour = (socket) => socket.end();

/** Reads the request and never answers (until the test closes the server). */
export const neverRespond: RawBehaviour = () => {};

/** Headers and 10 of 100 promised bytes, then silence with the connection open. */
export const stallBody: RawBehaviour = (socket) => {
  socket.write(rawResponse(200, { 'Content-Length': 100 }, '0123456789'));
};

/** Promises 100 bytes, sends 50, then closes cleanly (FIN). */
export const shortBody: RawBehaviour = (socket) => {
  socket.end(rawResponse(200, { 'Content-Length': 100 }, 'x'.repeat(50)));
};

/**
 * Promises 5 bytes and sends 11, then closes. The extra bytes belong to no
 * response: an HTTP client must stop at Content-Length.
 */
export const longBody: RawBehaviour = (socket) => {
  socket.end(rawResponse(200, { 'Content-Length': 5, Connection: 'close' }, 'helloEXTRA!'));
};

/** A chunked body whose first chunk arrives and then the connection is destroyed before the last chunk. */
export const abortedChunked: RawBehaviour = (socket) => {
  socket.write(rawResponse(200, { 'Transfer-Encoding': 'chunked' }, 'a\r\n0123456789\r\n'));
  setTimeout(() => socket.destroy(), 20);
};

/** A complete response with this status and a small body. */
export const statusResponse =
  (status: number, headers: Record<string, string | number> = {}, body = 'nope'): RawBehaviour =>
  (socket) =>
    socket.write(rawResponse(status, { 'Content-Length': Buffer.byteLength(body), ...headers }, body));

// ---- node:http based --------------------------------------------------------

/**
 * Streams `totalBytes` of body per request in 64 KiB chunks, honouring
 * backpressure: a client that buffered the body would grow by the whole size.
 */
export async function startHugeBodyServer(totalBytes: number): Promise<FaultServer> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return startNodeServer(http.createServer(), (_req, res) => {
    res.writeHead(200, { 'Content-Length': totalBytes });
    let left = totalBytes;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
}

/** Answers slowly: each response after `delayMs`, so a run can be interrupted mid-way. */
export async function startSlowServer(delayMs: number, body = 'slow ok'): Promise<FaultServer> {
  return startNodeServer(http.createServer(), (_req, res) => {
    setTimeout(() => res.end(body), delayMs);
  });
}

/** A plain counting server that also keeps the request headers it saw. */
export async function startRecordingServer(): Promise<FaultServer & { headers: http.IncomingHttpHeaders[] }> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = await startNodeServer(http.createServer(), (req, res) => {
    headers.push(req.headers);
    res.end('recorded');
  });
  return Object.assign(server, { headers });
}

export interface SelfSignedCert {
  key: string;
  cert: string;
}

/** A throwaway self-signed certificate for CN=localhost, made with the openssl CLI in a temp folder. */
export function makeSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'abx-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsServer(cert: SelfSignedCert, body = 'secure hello'): Promise<FaultServer> {
  const server = https.createServer({ key: cert.key, cert: cert.cert });
  const started = await startNodeServer(server, (_req, res) => res.end(body), 'secureConnection');
  return {
    ...started,
    url: started.url.replace('http://', 'https://'),
    get connections() {
      return started.connections;
    },
    get requests() {
      return started.requests;
    },
    get openConnections() {
      return started.openConnections;
    },
  };
}

async function startNodeServer(
  server: http.Server | https.Server,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  connectionEvent: 'connection' | 'secureConnection' = 'connection',
): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: 0 };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    state.requests++;
    handler(req, res);
  });
  // Raw sockets are tracked for close(); connections are counted when they are usable
  // (after the TLS handshake for https, so a rejected certificate is not a connection).
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on(connectionEvent, () => state.connections++);
  server.on('tlsClientError', () => {});
  return listenCounted(server, state, sockets);
}
