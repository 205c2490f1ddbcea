/**
 * The load balancer: an HTTP server that spreads requests round robin (an
 * ALB's default algorithm) over the InService, healthy targets, and answers
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

function respond(res: ServerResponse, instanceId: string): void {
  if (res.destroyed) return;
  const body = `ok ${instanceId}\n`;
  res.writeHead(200, {
    'content-type': 'text/plain',
    'content-length': body.length,
    server: 'awselb/2.0',
    'x-abx-lab-instance': instanceId,
  });
  res.end(body);
}

export interface BalancerOptions {
  /** Wall clock in epoch ms (the metrics' periods). */
  now: () => number;
}

export function createBalancer(sim: Simulation, options: BalancerOptions): Server {
  let next = 0;
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
    const responseMs = target.model.admit(performance.now());
    sim.metrics.recordTargetRequest(wallMs, responseMs, target.model.serviceMs);
    setTimeout(respond, responseMs, res, target.instanceId).unref();
  });
  // An ALB keeps idle client connections for 60 s by default.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
