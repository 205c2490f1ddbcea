/**
 * The lab: a simulated Application Load Balancer in front of an EC2 Auto
 * Scaling group with a target-tracking policy on ALBRequestCountPerTarget,
 * served on loopback, plus one loopback endpoint that answers the CloudWatch,
 * Auto Scaling and ELBv2 calls abx makes. See simulation.ts for the model,
 * cloudwatch-api.ts for how lab periods map onto CloudWatch minutes.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ConfigError } from '../errors.js';
import { Simulation, type SimulationConfig } from './simulation.js';
import { createBalancer } from './balancer.js';
import { createApiServer } from './aws-api.js';
import { defaultInstanceCapacity, LAB_DEFAULTS } from './defaults.js';

/** Where the lab listens, on top of the simulation's settings (simulation.ts). */
export interface LabOptions extends SimulationConfig {
  /** Interface both servers bind: '127.0.0.1'. */
  host: string;
  /** Load balancer port, default 8080; 0 = any free port. */
  port: number;
  /** AWS API port, default 0 = any free port. */
  apiPort: number;
  /** Injectable wall clock (epoch ms) for tests. */
  now?: () => number;
}

export interface LabActivity {
  activityId: string;
  description: string;
  cause: string;
  statusCode: string;
  startTime: Date;
}

export interface Lab {
  /** 'http://127.0.0.1:<port>/' */
  url: string;
  /** 'http://127.0.0.1:<apiPort>' */
  apiUrl: string;
  region: string;
  asgName: string;
  loadBalancerArn: string;
  targetGroupArn: string;
  policyName: string;
  /** Fake, lab-only credentials (the lab checks no signature). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The lab period in ms. */
  periodMs: number;
  /**
   * Called when a scaling activity starts and again each time its status
   * changes (PreInService → InProgress → Successful), so one activityId
   * arrives several times.
   */
  onActivity(listener: (a: LabActivity) => void): void;
  close(): Promise<void>;
}

export const LAB_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIDABXLABFAKE000000',
  secretAccessKey: 'abx-lab-fake-secret-not-a-real-key',
});

/** Fills defaults (launch delay and warm-up follow the period unless given) and checks the values. */
export function resolveLabOptions(options: Partial<LabOptions> = {}): LabOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<LabOptions>;
  const periodMs = defined.periodMs ?? LAB_DEFAULTS.periodMs;
  const targetValue = defined.targetValue ?? LAB_DEFAULTS.targetValue;
  const o: LabOptions = {
    ...LAB_DEFAULTS,
    launchDelayMs: periodMs,
    warmupMs: periodMs,
    instanceCapacity: defaultInstanceCapacity(targetValue, periodMs),
    ...defined,
  };
  const positive = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`lab ${name} must be greater than zero (got ${value})`);
  };
  positive('period', o.periodMs);
  positive('target', o.targetValue);
  positive('instance capacity', o.instanceCapacity);
  if (!Number.isFinite(o.launchDelayMs) || o.launchDelayMs < 0)
    throw new ConfigError(`lab launch delay must be zero or more (got ${o.launchDelayMs})`);
  if (!Number.isFinite(o.warmupMs) || o.warmupMs < 0) throw new ConfigError(`lab warm-up must be zero or more (got ${o.warmupMs})`);
  for (const [name, value] of [
    ['min', o.min],
    ['max', o.max],
    ['desired', o.desired],
    ['high evaluation periods', o.highEvaluationPeriods],
    ['low evaluation periods', o.lowEvaluationPeriods],
  ] as const) {
    if (!Number.isInteger(value) || value < (name === 'min' || name === 'desired' ? 0 : 1))
      throw new ConfigError(
        `lab ${name} must be a whole number${name === 'min' || name === 'desired' ? '' : ' of at least 1'} (got ${value})`,
      );
  }
  if (o.min > o.max) throw new ConfigError(`lab --min (${o.min}) must not exceed --max (${o.max})`);
  if (o.desired < o.min || o.desired > o.max)
    throw new ConfigError(`lab --desired (${o.desired}) must lie between --min (${o.min}) and --max (${o.max})`);
  if (!/^[\w.-]{1,255}$/.test(o.asgName))
    throw new ConfigError(`lab --asg-name must be 1-255 letters, digits, '.', '_' or '-' (got "${o.asgName}")`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(o.region)) throw new ConfigError(`lab --region must look like us-east-1 (got "${o.region}")`);
  return o;
}

function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE')
        reject(
          new ConfigError(
            `${what} port ${port} on ${host} is in use: pick another with ${what === 'load balancer' ? '--port' : '--api-port'} (0 = any free port)`,
          ),
        );
      else if (error.code === 'EACCES') reject(new ConfigError(`${what} port ${port} on ${host} needs privileges: pick a port above 1023`));
      else reject(new ConfigError(`cannot listen on ${host}:${port} for the ${what}: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startLab(options: Partial<LabOptions> = {}): Promise<Lab> {
  const o = resolveLabOptions(options);
  const now = o.now ?? Date.now;
  const sim = new Simulation(o, now());
  const balancer = createBalancer(sim, { now });
  const api = createApiServer(sim, now);
  let port: number;
  let apiPort: number;
  try {
    port = await listen(balancer, o.host, o.port, 'load balancer');
    apiPort = await listen(api, o.host, o.apiPort, 'AWS API');
  } catch (error) {
    await Promise.all([closeServer(balancer), closeServer(api)]);
    throw error;
  }
  // Lifecycle transitions and period closes happen on this beat: often
  // enough that an instance joins within a few percent of a period of its
  // due time, rarely enough to cost nothing.
  const beatMs = Math.max(20, Math.min(250, o.periodMs / 10));
  const heartbeat = setInterval(() => sim.advance(now()), beatMs);
  heartbeat.unref();
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}/`,
    apiUrl: `http://${hostForUrl}:${apiPort}`,
    region: o.region,
    asgName: o.asgName,
    loadBalancerArn: sim.names.loadBalancerArn,
    targetGroupArn: sim.names.targetGroupArn,
    policyName: sim.names.policyName,
    credentials: { ...LAB_CREDENTIALS },
    periodMs: o.periodMs,
    onActivity(listener) {
      sim.onActivity((a) =>
        listener({
          activityId: a.activityId,
          description: a.description,
          cause: a.cause,
          statusCode: a.statusCode,
          startTime: new Date(a.startTimeMs),
        }),
      );
    },
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        await Promise.all([closeServer(balancer), closeServer(api)]);
      })();
      return closed;
    },
  };
}
