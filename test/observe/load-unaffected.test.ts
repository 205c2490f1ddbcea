/**
 * Observation degrades, never aborts: with the AWS endpoint throttling,
 * denying, answering garbage, hanging or gone, a load run beside the observer
 * still sends and counts exactly -n requests, and the observer hands back an
 * Observation with warnings and gaps.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import { startObserver } from '../../src/observe/observer.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { startFakeAws, type FakeAws, type Reply } from './fake-aws.js';
import { ASG, newWorld, worldHandlers } from './scenario.js';

let server: TestServer | undefined;
let fake: FakeAws | undefined;
afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const failEverything = (fail: Extract<Reply, { fail: string }>['fail']) => {
  const handlers = worldHandlers(newWorld(5));
  for (const op of Object.keys(handlers)) handlers[op] = () => ({ fail });
  return handlers;
};

describe('a load run beside a failing observer', () => {
  it.each([
    ['throttling', () => failEverything('throttle'), /throttled/],
    [
      'AccessDenied',
      () => failEverything('deny'),
      /^AccessDenied on DescribeAutoScalingGroups: allow IAM action autoscaling:DescribeAutoScalingGroups/,
    ],
    ['garbage', () => failEverything('garbage'), /answered HTTP 200 with something abx cannot read/],
    ['a hung endpoint', () => failEverything('hang'), /cannot reach the AWS endpoint/],
    ['a dead endpoint', null, /cannot reach the AWS endpoint .*ECONNREFUSED/],
  ] as const)('%s: exactly -n requests, warnings and a gap', async (_name, handlers, warning) => {
    server = await startServer();
    const endpointUrl = handlers ? (fake = await startFakeAws(handlers())).url : `http://127.0.0.1:${await closedPort()}`;
    const warnings: string[] = [];
    const settings = buildRunSettings(server.url, { requests: '600', concurrency: '8', keepalive: true });
    const startedAtMs = Date.now();
    const observer = await startObserver(
      { asg: ASG, endpointUrl, pollIntervalMs: 1000, runStartedAtMs: startedAtMs, onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1, requestTimeoutMs: 400 },
    );
    const { result } = await runLoad(settings.load, settings.recorded, 1, { startAtEpochMs: startedAtMs }).done;
    const observation = await observer.stop({ lingerMs: 0 });
    expect(server.requests).toBe(600);
    expect(result.totals.completed).toBe(600);
    expect(result.totals.failed).toBe(0);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatch(warning);
    expect(observation.warnings).toEqual(warnings);
    expect(observation.gaps.length).toBeGreaterThanOrEqual(1);
    expect(observation.asg).toBe(ASG);
  });
});
