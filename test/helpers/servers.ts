/**
 * Real HTTP servers on 127.0.0.1 port 0 that count what they saw, for
 * integration tests. Each behaviour is a plain request handler.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { listenCounted, type CountedServer } from './listen.js';

export type TestServer = CountedServer;

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

export async function startServer(handler: Handler = (_req, res) => res.end('hello world')): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { requests: 0, connections: 0 };
  const server = http.createServer((req, res) => {
    const index = state.requests++;
    handler(req, res, index);
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return listenCounted(server, state, sockets);
}

/** Answers with the status and body the script gives for request i. */
export function scripted(script: (index: number) => { status?: number; body?: string }): Handler {
  return (_req, res, index) => {
    const { status = 200, body = 'ok' } = script(index);
    res.statusCode = status;
    res.end(body);
  };
}

/** Never answers (until the test closes the server). */
export const hang: Handler = () => {};

/** Resets the connection before any response. */
export const reset: Handler = (req) => req.socket.resetAndDestroy();

/** Sends headers promising 100 bytes, then closes after 10. */
export const closeMidBody: Handler = (_req, res) => {
  res.writeHead(200, { 'content-length': '100' });
  res.write('0123456789');
  setTimeout(() => res.socket?.destroy(), 5);
};
