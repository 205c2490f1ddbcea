/**
 * One loopback endpoint for the three AWS APIs. CloudWatch requests are told
 * apart by their `x-amz-target` header (AWS JSON 1.0); Auto Scaling and ELBv2
 * by the form body's Action and Version (AWS Query). Any path (the SDK
 * appends `/` to an endpoint's path), any region and any signature are
 * accepted. Unknown operations get each protocol's error format.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Simulation } from './simulation.js';
import { CLOUDWATCH_OPERATIONS } from './cloudwatch-api.js';
import { AUTOSCALING_NAMESPACE, AUTOSCALING_OPERATIONS } from './autoscaling-api.js';
import { ELBV2_NAMESPACE, ELBV2_OPERATIONS } from './elbv2-api.js';
import { ApiError, jsonError, jsonResponse, queryError, queryResponse, type WireResponse } from './wire.js';

/** API requests are small; refuse anything larger rather than buffer it. */
const MAX_BODY_BYTES = 1 << 20;
const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';

const QUERY_SERVICES: Record<string, { namespace: string; operations: typeof AUTOSCALING_OPERATIONS }> = {
  '2011-01-01': { namespace: AUTOSCALING_NAMESPACE, operations: AUTOSCALING_OPERATIONS },
  '2015-12-01': { namespace: ELBV2_NAMESPACE, operations: ELBV2_OPERATIONS },
};

/** Answers one API request (already read) against the simulation at `nowMs`. */
function handleApiRequest(sim: Simulation, headers: IncomingMessage['headers'], url: string, body: string, nowMs: number): WireResponse {
  sim.advance(nowMs);
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.startsWith(CLOUDWATCH_TARGET_PREFIX) ? target.slice(CLOUDWATCH_TARGET_PREFIX.length) : '';
    try {
      const handler = CLOUDWATCH_OPERATIONS[operation];
      if (!handler) throw new ApiError('InvalidAction', `The action ${target} is not valid for this web service.`);
      let input: unknown;
      try {
        input = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        throw new ApiError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new ApiError('SerializationException', 'The request body must be a JSON object.');
      return jsonResponse(handler(sim, input as Record<string, unknown>, nowMs));
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
  const service = QUERY_SERVICES[version];
  const namespace = service?.namespace ?? AUTOSCALING_NAMESPACE;
  try {
    const handler = service?.operations[action];
    if (!handler) {
      throw new ApiError('InvalidAction', `Could not find operation ${action || '(none)'} for version ${version || '(none)'}`);
    }
    return queryResponse(action, namespace, handler(sim, params));
  } catch (error) {
    if (error instanceof ApiError) return queryError(error, namespace);
    return queryError(new ApiError('InternalFailure', String((error as Error).message ?? error), 500, 'Receiver'), namespace);
  }
}

export function createApiServer(sim: Simulation, now: () => number): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
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
      const answer = handleApiRequest(sim, req.headers, req.url ?? '/', Buffer.concat(chunks).toString('utf8'), now());
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    });
  });
}
