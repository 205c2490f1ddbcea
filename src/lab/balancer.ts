/**
 * The load balancer: one HTTP server per listener (80 serves the site, 90 a
 * page marked private) that spreads requests round robin (an ALB's default
 * algorithm) over the InService targets passing health checks, and answers
 * 503 itself when there is none, as an ALB does (counted as
 * HTTPCode_ELB_5XX_Count, not RequestCount).
 *
 * Each request is admitted into the chosen target's capacity model, which
 * says how long the target takes to answer; the response is sent after that
 * delay by one timer. Request bodies are drained, never buffered; responses
 * are a few bytes. Timers are unref'd so a closing lab is never held open by
 * a queue of slow answers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Simulation } from './simulation.js';

const NO_TARGET_BODY = '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n';
const GATEWAY_TIMEOUT_BODY = '<html><body><h1>504 Gateway Time-out</h1></body></html>\n';

/** What a request and its response cost on the wire beyond the body: headers, roughly. */
const HEADER_BYTES = 160;

function publicBody(instanceId: string): string {
  return `ok ${instanceId}\n`;
}

/**
 * The listener on port 90 stands for an internal page that should never
 * have been reachable from the internet: the lab's security step is to
 * close it.
 */
function privateBody(instanceId: string): string {
  return `<html><body><h1>PRIVATE: internal admin page</h1><p>Customer records and credentials would be here. This listener must not be open to 0.0.0.0/0. Served by ${instanceId}.</p></body></html>\n`;
}

function respond(res: ServerResponse, instanceId: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': body.startsWith('<html>') ? 'text/html' : 'text/plain',
    'content-length': Buffer.byteLength(body),
    server: 'awselb/2.0',
    'x-abx-lab-instance': instanceId,
  });
  res.end(body);
}

export interface BalancerOptions {
  /** Wall clock in epoch ms (the metrics' periods). */
  now: () => number;
  /** The ALB listener port this server stands for: 80 (the site) or 90 (the private page). */
  listenerPort?: number;
}

export function createBalancer(sim: Simulation, options: BalancerOptions): Server {
  let next = 0;
  const isPrivate = options.listenerPort === 90;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Drain any body without keeping it.
    req.resume();
    const targets = sim.routable();
    const wallMs = options.now();
    if (targets.length === 0) {
      sim.metrics.recordElb5xx(wallMs);
      res.writeHead(503, { 'content-type': 'text/html', 'content-length': NO_TARGET_BODY.length, server: 'awselb/2.0' });
      res.end(NO_TARGET_BODY);
      return;
    }
    if (next >= targets.length) next = 0;
    const target = targets[next++];
    if (target.instance.failingSinceMs !== undefined) {
      // Still routed (its failed checks do not count yet) but unreachable: the
      // ALB gives up on it with a 504, counted as HTTPCode_ELB_5XX_Count. AWS
      // waits for the connection timeout first; the lab answers at once.
      sim.metrics.recordElb5xx(wallMs);
      res.writeHead(504, { 'content-type': 'text/html', 'content-length': GATEWAY_TIMEOUT_BODY.length, server: 'awselb/2.0' });
      res.end(GATEWAY_TIMEOUT_BODY);
      return;
    }
    const responseMs = target.model.admit(performance.now());
    const body = isPrivate ? privateBody(target.instanceId) : publicBody(target.instanceId);
    const bytesIn = HEADER_BYTES + (Number(req.headers['content-length']) || 0);
    sim.metrics.recordTargetRequest(wallMs, responseMs, target.model.serviceMs, target.instanceId, bytesIn, HEADER_BYTES + body.length);
    setTimeout(respond, responseMs, res, target.instanceId, body).unref();
  });
  // An ALB keeps idle client connections for 60 s by default.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
