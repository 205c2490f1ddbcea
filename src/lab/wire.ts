/**
 * Wire helpers for the AWS protocols the lab speaks: AWS JSON 1.0
 * (CloudWatch), AWS JSON 1.1 (ECS), AWS Query with XML responses (Auto Scaling, ELBv2, and
 * CloudWatch for older clients) and the EC2 flavour of Query (lists as
 * `Name.N`, lower-camel XML with `<item>` lists, its own error envelope).
 * XML is built with fast-xml-parser's XMLBuilder; unset fields are left out
 * rather than sent as empty elements, which the SDK would read as "" or 0.
 */
import { randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, attributeNamePrefix: '@_' });

/** An XML-able value: undefined members are omitted by the builder. */
export type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

/** A Query-protocol list (`<member>` items), or nothing when empty. */
export function members(items: XmlValue[]): XmlObject | undefined {
  return items.length > 0 ? { member: items } : undefined;
}

/** ISO-8601 with milliseconds, as the Query protocol sends timestamps. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function queryResponse(operation: string, namespace: string, result: XmlObject): WireResponse {
  const requestId = randomUUID();
  const body = builder.build({
    [`${operation}Response`]: {
      '@_xmlns': namespace,
      [`${operation}Result`]: result,
      ResponseMetadata: { RequestId: requestId },
    },
  });
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function queryError(error: ApiError, namespace: string): WireResponse {
  const requestId = randomUUID();
  const body = builder.build({
    ErrorResponse: {
      '@_xmlns': namespace,
      Error: { Type: error.fault, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  });
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** EC2's XML list: `<item>` elements, or nothing when empty. */
export function items(list: XmlValue[]): XmlObject | undefined {
  return list.length > 0 ? { item: list } : undefined;
}

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** EC2 answers `<OpResponse>` with the result members (and requestId) directly inside. */
export function ec2Response(operation: string, result: XmlObject): WireResponse {
  const requestId = randomUUID();
  const body = builder.build({ [`${operation}Response`]: { '@_xmlns': EC2_NAMESPACE, requestId, ...result } });
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
}

/** EC2's error envelope: `<Response><Errors><Error>…</Error></Errors><RequestID>…</RequestID></Response>`. */
export function ec2Error(error: ApiError): WireResponse {
  const requestId = randomUUID();
  const body = builder.build({
    Response: { Errors: { Error: { Code: error.code, Message: error.message } }, RequestID: requestId },
  });
  return { status: error.status, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
}

/** A form body as a tree: `A.member.1.B=x` and `A.1.B=x` both become `{ A: [{ B: 'x' }] }`. */
export type QueryTree = string | QueryTree[] | { [key: string]: QueryTree };

export function queryTree(params: URLSearchParams, skip: readonly string[] = ['Action', 'Version']): Record<string, QueryTree> {
  type Node = { [key: string]: Node | string };
  const root: Node = {};
  for (const [key, value] of params) {
    if (skip.includes(key)) continue;
    const path = key.split('.');
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = node[path[i]];
      if (typeof next === 'object') node = next;
      else node = node[path[i]] = {};
    }
    node[path[path.length - 1]] = value;
  }
  const normalise = (node: Node | string): QueryTree => {
    if (typeof node === 'string') return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'member') return normalise(node.member);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)))
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => normalise(node[k]));
    return Object.fromEntries(keys.map((k) => [k, normalise(node[k])]));
  };
  return normalise(root) as Record<string, QueryTree>;
}

/** `Name.1`, `Name.2`... (EC2's flat lists) in index order. */
export function indexedList(params: URLSearchParams, name: string): string[] {
  const found: [number, string][] = [];
  const pattern = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)$`);
  for (const [key, value] of params) {
    const m = pattern.exec(key);
    if (m) found.push([Number(m[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** AWS JSON: the output as JSON; CloudWatch speaks version 1.0, ECS 1.1 (only the content type differs). */
export function jsonResponse(output: unknown, version: '1.0' | '1.1' = '1.0'): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(output),
  };
}

/** The awsQueryCompatible error shape: the SDK names the error from x-amzn-query-error. */
export function jsonError(error: ApiError): WireResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-query-error': `${error.code};${error.fault}`,
    },
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message }),
  };
}

/** `Name.member.1`, `Name.member.2`... in index order. */
export function memberList(params: URLSearchParams, name: string): string[] {
  const prefix = `${name}.member.`;
  const found: [number, string][] = [];
  for (const [key, value] of params) {
    if (key.startsWith(prefix)) {
      const index = Number(key.slice(prefix.length));
      if (Number.isInteger(index)) found.push([index, value]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** An optional whole-number parameter within [min, max]; ValidationError otherwise. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ApiError('ValidationError', `${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Paging tokens: an opaque base64 text holding a position. `kind` keeps a
 * token from one operation from being accepted by another.
 */
export function encodeToken(kind: string, position: number): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position })).toString('base64');
}

export function decodeToken(kind: string, token: string | null | undefined, code = 'InvalidNextToken'): number | undefined {
  if (token === null || token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { k?: unknown; p?: unknown };
    if (parsed.k === kind && typeof parsed.p === 'number' && Number.isInteger(parsed.p)) return parsed.p;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(code, 'The token is not valid.');
}

/** AWS JSON 1.1's error shape: the SDK names the error from `__type`. */
export function json11Error(error: ApiError): WireResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
