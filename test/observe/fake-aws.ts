/**
 * A tiny fake of the AWS endpoints abx calls, on 127.0.0.1 port 0: CloudWatch
 * (JSON 1.0, epoch-second timestamps) and Auto Scaling / ELBv2 (Query, XML),
 * routed as the SDK sends them (CloudWatch by the x-amz-target header, the
 * Query APIs by the form field Action). Each operation answers from
 * a handler the test provides (plain objects or raw fixture XML), or fails
 * the way the test asks: throttled, denied, 500, garbage, or hung.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Params = Record<string, unknown>;

export type Reply =
  | { body: unknown }
  /** Raw XML for Query operations (e.g. a fixture file), sent as-is. */
  | { xml: string }
  | { fail: 'throttle' | 'deny' | 'server-error' | 'garbage' | 'hang' | 'not-found' };

export type Handler = (params: Params) => Reply;

export interface FakeAws {
  url: string;
  /** Every request: operation name and its decoded params. */
  calls: { op: string; params: Params }[];
  handlers: Record<string, Handler>;
  close(): Promise<void>;
}

const QUERY_SERVICE: Record<string, 'autoscaling' | 'elbv2'> = {
  DescribeAutoScalingGroups: 'autoscaling',
  DescribePolicies: 'autoscaling',
  DescribeScalingActivities: 'autoscaling',
  DescribeTrafficSources: 'autoscaling',
  DescribeLoadBalancers: 'elbv2',
  DescribeTargetGroups: 'elbv2',
};

/** Form fields `A.member.1=x&A.member.2=y` → `{A: [x, y]}`; plain fields stay strings. */
function decodeForm(body: string): Params {
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const member = /^(.+)\.member\.(\d+)$/.exec(key);
    if (member) {
      const list = (params[member[1]] as string[] | undefined) ?? [];
      list[Number(member[2]) - 1] = value;
      params[member[1]] = list;
    } else {
      params[key] = value;
    }
  }
  return params;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain objects → Query-protocol XML: arrays as <member> lists, Dates as ISO, undefined omitted. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  // Numbers and booleans print as JSON does; strings as they are.
  return escapeXml(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Dates → epoch seconds, as CloudWatch's JSON 1.0 sends them. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

function sendError(res: ServerResponse, json: boolean, status: number, code: string, message: string): void {
  if (json) {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender` });
    res.end(JSON.stringify({ __type: `com.amazonaws.fake#${code}`, message }));
  } else {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
    );
  }
}

export async function startFakeAws(handlers: Record<string, Handler>): Promise<FakeAws> {
  const calls: FakeAws['calls'] = [];
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'];
      const json = typeof target === 'string';
      let op: string;
      let params: Params;
      if (json) {
        op = String(target).split('.').pop() ?? '';
        params = text ? (JSON.parse(text) as Params) : {};
      } else {
        params = decodeForm(text);
        op = typeof params.Action === 'string' ? params.Action : '';
      }
      calls.push({ op, params });
      const handler = fake.handlers[op];
      if (!handler) return sendError(res, json, 400, 'InvalidAction', `fake has no ${op}`);
      const reply = handler(params);
      if ('fail' in reply) {
        switch (reply.fail) {
          case 'throttle':
            return sendError(res, json, 400, 'Throttling', 'Rate exceeded');
          case 'deny':
            return sendError(
              res,
              json,
              403,
              json ? 'AccessDenied' : 'AccessDenied',
              `User: arn:aws:iam::123456789012:user/test is not authorized to perform: ${op}`,
            );
          case 'not-found':
            return sendError(res, json, 400, 'LoadBalancerNotFound', 'One or more load balancers not found');
          case 'server-error':
            res.writeHead(500, { 'content-type': 'text/html' });
            return res.end('<html><body>Internal Server Error</body></html>');
          case 'garbage':
            res.writeHead(200, { 'content-type': json ? 'application/x-amz-json-1.0' : 'text/xml' });
            return res.end(json ? '{"MetricDataResults": [ {"Id": "rcpt", "Timestamps": ["yesterday"], ' : '<<<not xml at all');
          case 'hang':
            hung.add(res);
            return;
        }
      }
      if ('xml' in reply) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        return res.end(reply.xml);
      }
      if (json) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(JSON.stringify(toJson(reply.body)));
      }
      const ns =
        QUERY_SERVICE[op] === 'elbv2'
          ? 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/'
          : 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<${op}Response xmlns="${ns}"><${op}Result>${toXml(reply.body)}</${op}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${op}Response>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeAws = {
    url: `http://127.0.0.1:${port}`,
    calls,
    handlers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
