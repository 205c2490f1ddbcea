/**
 * One loopback endpoint for the AWS APIs the lab answers, routed as AWS
 * routes them:
 * - S3, path-style (PUT, HEAD, or a GET of /bucket[/key] naming no Action):
 *   in memory (s3-api.ts);
 * - `x-amz-target: GraniteServiceVersion20100801.<Op>`: CloudWatch over AWS
 *   JSON 1.0 (today's SDKs and CLIs);
 * - `x-amz-target: AmazonEC2ContainerServiceV20141113.<Op>`: ECS over AWS
 *   JSON 1.1 (ecs-api.ts; its tasks run in real time, as local processes);
 * - otherwise the form's Action and Version: CloudWatch over AWS Query
 *   (Version 2010-08-01: AWS CLI v2 builds before mid-2023, older boto3),
 *   Auto Scaling (2011-01-01), ELBv2 (2015-12-01) and EC2 (2016-11-15).
 * Any path (the SDK appends `/` to an endpoint's path), any region and any
 * signature are accepted. Unknown operations get each protocol's own error
 * shape.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Simulation } from './simulation.js';
import type { QueryHandler } from './query-handler.js';
import { CLOUDWATCH_OPERATIONS } from './cloudwatch-api.js';
import { AUTOSCALING_NAMESPACE, AUTOSCALING_OPERATIONS } from './autoscaling-api.js';
import { ELBV2_NAMESPACE, ELBV2_OPERATIONS } from './elbv2-api.js';
import { EC2_OPERATIONS } from './ec2-api.js';
import { ECS_TARGET_PREFIX, type EcsService } from './ecs-api.js';
import { handleS3Request, isS3Request, MAX_S3_OBJECT_BYTES, S3Store } from './s3-api.js';
import {
  ApiError,
  ec2Error,
  ec2Response,
  json11Error,
  jsonError,
  jsonResponse,
  queryError,
  queryResponse,
  queryTree,
  type QueryTree,
  type WireResponse,
  type XmlObject,
  type XmlValue,
} from './wire.js';

/** API requests are small; refuse anything larger rather than buffer it. */
const MAX_BODY_BYTES = 1 << 20;
const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const CLOUDWATCH_VERSION = '2010-08-01';
const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const EC2_VERSION = '2016-11-15';

const QUERY_SERVICES: Record<string, { namespace: string; operations: Record<string, QueryHandler> }> = {
  '2011-01-01': { namespace: AUTOSCALING_NAMESPACE, operations: AUTOSCALING_OPERATIONS },
  '2015-12-01': { namespace: ELBV2_NAMESPACE, operations: ELBV2_OPERATIONS },
};

/** CloudWatch members that are timestamps: epoch seconds in JSON 1.0, ISO-8601 in Query XML. */
const CLOUDWATCH_TIMESTAMPS = new Set([
  'Timestamp',
  'Timestamps',
  'StateUpdatedTimestamp',
  'StateTransitionedTimestamp',
  'AlarmConfigurationUpdatedTimestamp',
]);
/** Query members that are numbers or booleans in the JSON input the handlers take. */
const CLOUDWATCH_NUMBERS = new Set(['Period', 'MaxRecords', 'MaxDatapoints']);

function runCloudWatch(sim: Simulation, operation: string, input: Record<string, unknown>, nowMs: number, what: string): unknown {
  const handler = CLOUDWATCH_OPERATIONS[operation];
  if (!handler) throw new ApiError('InvalidAction', `The action ${what} is not valid for this web service.`);
  return handler(sim, input, nowMs);
}

/** A Query form tree as the JSON input the CloudWatch handlers take: numbers and booleans typed. */
function cloudWatchInput(tree: QueryTree, key = ''): unknown {
  if (typeof tree === 'string') {
    if (CLOUDWATCH_NUMBERS.has(key)) return Number(tree);
    if (key === 'ReturnData') return tree === 'true';
    return tree;
  }
  if (Array.isArray(tree)) return tree.map((t) => cloudWatchInput(t, key));
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, cloudWatchInput(v, k)]));
}

/** A JSON 1.0 output as Query XML: lists as `<member>`, timestamps as ISO-8601. */
function cloudWatchXml(value: unknown, key = ''): XmlValue {
  if (Array.isArray(value)) {
    // An empty list is an empty element, which clients read as [] (CloudWatch sends <MetricAlarms/>).
    return value.length > 0 ? { member: value.map((v) => cloudWatchXml(v, key)) } : '';
  }
  if (typeof value === 'number' && CLOUDWATCH_TIMESTAMPS.has(key)) return new Date(value * 1000).toISOString();
  if (value !== null && typeof value === 'object')
    return Object.fromEntries<XmlValue>(Object.entries(value).map(([k, v]) => [k, cloudWatchXml(v, k)]));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

function internal(error: unknown): ApiError {
  return new ApiError('InternalFailure', String((error as Error).message ?? error), 500, 'Receiver');
}

/** A JSON protocol's body as its input object. */
function jsonInput(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  return input as Record<string, unknown>;
}

/** ECS over JSON 1.1, in real time (its tasks are real processes), not the simulation's. */
function handleEcsRequest(ecs: EcsService, operation: string, body: string): WireResponse {
  try {
    return jsonResponse(ecs.handle(operation, jsonInput(body), Date.now()), '1.1');
  } catch (error) {
    if (error instanceof ApiError) return json11Error(error);
    return json11Error(new ApiError('ServerException', String((error as Error).message ?? error), 500, 'Receiver'));
  }
}

/** Answers one API request (already read) against the simulation at `nowMs`. */
function handleApiRequest(sim: Simulation, headers: IncomingMessage['headers'], url: string, body: string, nowMs: number): WireResponse {
  sim.advance(nowMs);
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.startsWith(CLOUDWATCH_TARGET_PREFIX) ? target.slice(CLOUDWATCH_TARGET_PREFIX.length) : '';
    try {
      return jsonResponse(runCloudWatch(sim, operation, jsonInput(body), nowMs, target));
    } catch (error) {
      if (error instanceof ApiError) return jsonError(error);
      return jsonError(new ApiError('InternalServiceError', String((error as Error).message ?? error), 500, 'Receiver'));
    }
  }

  // AWS Query: parameters in a form body, or in the query string of a GET.
  const params = new URLSearchParams(body);
  const queryIndex = url.indexOf('?');
  if (queryIndex >= 0)
    for (const [key, value] of new URLSearchParams(url.slice(queryIndex + 1))) if (!params.has(key)) params.set(key, value);
  const action = params.get('Action') ?? '';
  const version = params.get('Version') ?? '';

  if (version === EC2_VERSION) {
    try {
      const handler = EC2_OPERATIONS[action];
      if (!handler) throw new ApiError('InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
      return ec2Response(action, handler(sim, params, nowMs));
    } catch (error) {
      return ec2Error(error instanceof ApiError ? error : internal(error));
    }
  }

  if (version === CLOUDWATCH_VERSION) {
    try {
      const input = cloudWatchInput(queryTree(params)) as Record<string, unknown>;
      const output = runCloudWatch(sim, action, input, nowMs, action || '(none)');
      return queryResponse(action, CLOUDWATCH_NAMESPACE, (cloudWatchXml(output) as XmlObject | undefined) ?? {});
    } catch (error) {
      return queryError(error instanceof ApiError ? error : internal(error), CLOUDWATCH_NAMESPACE);
    }
  }

  const service = QUERY_SERVICES[version];
  const namespace = service?.namespace ?? AUTOSCALING_NAMESPACE;
  try {
    const handler = service?.operations[action];
    if (!handler) {
      throw new ApiError('InvalidAction', `Could not find operation ${action || '(none)'} for version ${version || '(none)'}`);
    }
    return queryResponse(action, namespace, handler(sim, params, nowMs));
  } catch (error) {
    return queryError(error instanceof ApiError ? error : internal(error), namespace);
  }
}

export function createApiServer(
  sim: Simulation,
  now: () => number,
  onChange?: () => void,
  s3: S3Store = new S3Store(),
  ecs?: EcsService,
): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const method = req.method ?? 'GET';
    const forS3 = isS3Request(method, req.url ?? '/', req.headers);
    const maxBytes = forS3 ? MAX_S3_OBJECT_BYTES : MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        if (!refused) {
          refused = true;
          res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
          res.end('request body too large\n');
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      if (forS3) {
        // Objects are not part of the simulation: no advance, no change to sync.
        const answer = handleS3Request(s3, method, req.url ?? '/', req.headers, Buffer.concat(chunks), Date.now());
        const bytes = answer.bodyBytes ?? Buffer.from(answer.body);
        const length = answer.headers['content-length'] ?? String(bytes.length);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': length });
        res.end(method === 'HEAD' ? undefined : bytes);
        return;
      }
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(ECS_TARGET_PREFIX)) {
        // Tasks are not part of the simulation: no advance, no change to sync.
        const answer = ecs
          ? handleEcsRequest(ecs, target.slice(ECS_TARGET_PREFIX.length), Buffer.concat(chunks).toString('utf8'))
          : json11Error(new ApiError('UnknownOperationException', 'This endpoint does not serve ECS.'));
        res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
        res.end(answer.body);
        return;
      }
      const nowMs = now();
      const answer = handleApiRequest(sim, req.headers, req.url ?? '/', Buffer.concat(chunks).toString('utf8'), nowMs);
      // A write takes effect at once: health checks start failing from the
      // moment of a revoke, and a revoked listener port closes.
      sim.advance(nowMs);
      onChange?.();
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    });
  });
}
