/**
 * Listens on port 0 and returns the handle every test server shares: its URL,
 * what it counted, and a close() that also ends kept-alive connections.
 */
import type { AddressInfo, Server, Socket } from 'node:net';

export interface CountedServer {
  url: string;
  port: number;
  /** TCP connections accepted. */
  readonly connections: number;
  /** Requests whose headers arrived. */
  readonly requests: number;
  /** Connections open now (a client that let go has closed its sockets). */
  readonly openConnections: number;
  close(): Promise<void>;
}

export async function listenCounted(
  server: Server,
  state: { connections: number; requests: number },
  sockets: Set<Socket>,
  host = '127.0.0.1',
): Promise<CountedServer> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    get connections() {
      return state.connections;
    },
    get requests() {
      return state.requests;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
