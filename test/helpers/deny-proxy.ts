/**
 * A loopback front for an AWS endpoint (the lab) that denies the given API
 * operations as IAM would: HTTP 403 with the service's own error shape (EC2's
 * <Response><Errors>, the Query APIs' <ErrorResponse>, CloudWatch's JSON), or
 * answers them with an HTML 500 page as a broken proxy or emulator does. All
 * else is forwarded unchanged.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DenyProxy {
  url: string;
  /** The operations to deny (changeable between calls). */
  deny: Set<string>;
  /** The operations to answer with an HTML 500 page. */
  break: Set<string>;
  /** Every operation seen, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startDenyProxy(upstreamUrl: string, deny: Iterable<string> = []): Promise<DenyProxy> {
  const upstream = new URL(upstreamUrl);
  const proxy: DenyProxy = { url: '', deny: new Set(deny), break: new Set(), seen: [], close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'];
      const op = typeof target === 'string' ? (target.split('.').pop() ?? '') : (new URLSearchParams(body.toString()).get('Action') ?? '');
      proxy.seen.push(op);
      if (proxy.break.has(op)) {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n');
        return;
      }
      if (proxy.deny.has(op)) {
        if (typeof target === 'string') {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' });
          res.end(
            JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: `not authorized to perform: ${op}` }),
          );
        } else if (/^Describe(Instances|SecurityGroups|Subnets|LaunchTemplateVersions)$/.test(op)) {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
          );
        } else {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: ${op}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
          );
        }
        return;
      }
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
