/**
 * The lab: a simulated Application Load Balancer (listeners on 80 and 90,
 * each on a loopback port) in front of an EC2 Auto Scaling group, plus one
 * loopback endpoint that answers the CloudWatch, Auto Scaling, ELBv2 and
 * EC2 calls of the course lab it is modelled on. It starts where that lab
 * starts: two t3.micro instances over two zones, security groups open to
 * everyone, no scaling policy (`withPolicy` adds the target-tracking one).
 * See simulation.ts for the model, cloudwatch-api.ts for how lab periods
 * map onto CloudWatch minutes. The same endpoint answers S3 (in memory,
 * s3-api.ts) and ECS, whose Fargate tasks run as local abx processes
 * (ecs-api.ts), so `abx fleet` can run end to end without a cloud.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ConfigError } from '../errors.js';
import { Simulation, type SimulationConfig } from './simulation.js';
import { createBalancer } from './balancer.js';
import { createApiServer } from './aws-api.js';
import { defaultInstanceCapacity, LAB_DEFAULTS, LAB_FLEET_IMAGE } from './defaults.js';
import { EcsService } from './ecs-api.js';
import { ABX_FAMILY, taskDefinitionInput } from '../fleet/ecs.js';
import { LAB_ACCOUNT_ID } from './ids.js';
import type { TaskFault } from './ecs-tasks.js';
import { S3Store } from './s3-api.js';

/** Where the lab listens, on top of the simulation's settings (simulation.ts). */
export interface LabOptions extends SimulationConfig {
  /** Interface both servers bind: '127.0.0.1'. */
  host: string;
  /** Load balancer port for the ALB's listener on 80, default 8080; 0 = any free port. */
  port: number;
  /** Load balancer port for the ALB's listener on 90 (the private page); default `port` + 10 (8090), or any free port when `port` is 0. */
  privatePort: number;
  /** AWS API port, default 0 = any free port. */
  apiPort: number;
  /** Injectable wall clock (epoch ms) for tests. ECS tasks run in real time whatever it says: they are real processes. */
  now?: () => number;
  /**
   * How long an ECS task stays PROVISIONING before its process (this
   * checkout's abx) is spawned: a compressed Fargate launch, so a caller
   * sees pending tasks. Default 1000 ms; 0 for tests that want no wait.
   */
  taskStartDelayMs: number;
  /**
   * A token bucket on ECS RunTask calls: `burst` calls at once, refilled at
   * `perSec`; a call on an empty bucket answers ThrottlingException "Rate
   * exceeded" (HTTP 400), as ECS does past its RunTask rate. Default: no limit.
   */
  runTaskThrottle?: { burst: number; perSec: number };
  /**
   * Test-double faults for ECS tasks, by `task`: the 0-based ordinal of the
   * tasks RunTask has started in this lab's lifetime.
   * - 'bad-command': the task runs with `--no-such-flag` appended to its
   *   command, exactly what a bad command override does: abx exits 2 with
   *   its one-line error, and the task stops with exitCode 2
   *   (EssentialContainerExited).
   * - 'cannot-pull': the process is never spawned; the task stops with
   *   stopCode TaskFailedToStart and stoppedReason (and its container's
   *   reason) 'CannotPullContainerError: pull image manifest has been retried
   *   5 time(s): failed to resolve ref <image>: not found', as when an image
   *   is missing from its registry.
   * - 'hang': the task runs with `--start-at +3600s` appended, so its abx
   *   waits an hour before its first request: a container that does not
   *   exit by itself. StopTask (SIGTERM) ends it.
   */
  taskFaults?: Array<{ task: number; fault: TaskFault }>;
}

export interface LabActivity {
  activityId: string;
  description: string;
  cause: string;
  statusCode: string;
  startTime: Date;
}

export interface Lab {
  /** 'http://127.0.0.1:<port>/': the ALB's listener on 80. */
  url: string;
  /** 'http://127.0.0.1:<privatePort>/': the ALB's listener on 90, open until its security group rule is revoked. */
  privateUrl: string;
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
  /**
   * What an ECS task's process wrote (the last 64 KiB of each stream), by
   * task ARN or id: what CloudWatch Logs would hold for a real task.
   * Undefined for a task the lab does not know.
   */
  taskOutput(taskArnOrId: string): { stdout: string; stderr: string } | undefined;
  /** The process id of an ECS task's process; undefined until it is spawned (or for a task never spawned). */
  taskPid(taskArnOrId: string): number | undefined;
  /** Stops the servers, and every ECS task's process (SIGKILL), waiting for each to exit. */
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
    // Filled in just below, from the port, unless given.
    privatePort: 0,
    azOutages: [],
    ...defined,
  };
  if (defined.privatePort === undefined) o.privatePort = o.port === 0 || o.port + 10 > 65535 ? 0 : o.port + 10;
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
  const zones = [`${o.region}a`, `${o.region}b`];
  for (const outage of o.azOutages ?? []) {
    if (!zones.includes(outage.zone)) throw new ConfigError(`lab --az-outage zone must be ${zones.join(' or ')} (got "${outage.zone}")`);
    if (!Number.isFinite(outage.atMs) || outage.atMs < 0)
      throw new ConfigError(`lab --az-outage start must be zero or more (got ${outage.atMs})`);
    if (outage.durationMs !== undefined && (!Number.isFinite(outage.durationMs) || outage.durationMs <= 0))
      throw new ConfigError(`lab --az-outage duration must be greater than zero (got ${outage.durationMs})`);
  }
  if (!Number.isFinite(o.taskStartDelayMs) || o.taskStartDelayMs < 0)
    throw new ConfigError(`lab task start delay must be zero or more milliseconds (got ${o.taskStartDelayMs})`);
  if (o.runTaskThrottle) {
    const { burst, perSec } = o.runTaskThrottle;
    if (!Number.isInteger(burst) || burst < 1)
      throw new ConfigError(`lab RunTask throttle burst must be a whole number of at least 1 (got ${burst})`);
    if (!Number.isFinite(perSec) || perSec <= 0)
      throw new ConfigError(`lab RunTask throttle rate must be greater than zero (got ${perSec})`);
  }
  for (const f of o.taskFaults ?? []) {
    if (!Number.isInteger(f.task) || f.task < 0)
      throw new ConfigError(`lab task fault ordinal must be a whole number from 0 (got ${f.task})`);
    if (f.fault !== 'bad-command' && f.fault !== 'cannot-pull' && f.fault !== 'hang')
      throw new ConfigError(`lab task fault must be bad-command, cannot-pull or hang (got "${String(f.fault)}")`);
  }
  return o;
}

function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE')
        reject(
          new ConfigError(
            `${what} port ${port} on ${host} is in use: pick another with ${what === 'load balancer' ? '--port' : what === 'private listener' ? '--port-90' : '--api-port'} (0 = any free port)`,
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
    if (!server.listening) {
      // A listener its security group closed still has its accepted connections.
      server.closeAllConnections();
      return resolve();
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Keeps each listener's socket in step with the load balancer's security
 * group: a listener whose port is not allowed from 0.0.0.0/0 stops
 * listening, so new connections are refused, and listens again on the same
 * port once a rule allows it.
 */
class ListenerGate {
  private seenVersion = -1;

  constructor(
    private readonly sim: Simulation,
    private readonly host: string,
    private readonly listeners: { albPort: number; server: Server; port: number }[],
  ) {}

  sync(): void {
    if (this.sim.network.version === this.seenVersion) return;
    this.seenVersion = this.sim.network.version;
    for (const l of this.listeners) {
      const open = this.sim.network.listenerOpen(l.albPort);
      if (open && !l.server.listening) {
        // The port was ours a moment ago; if something else took it, the listener stays closed.
        const ignore = (): void => {};
        l.server.once('error', ignore);
        l.server.listen(l.port, this.host, () => l.server.off('error', ignore));
      } else if (!open && l.server.listening) {
        l.server.close();
        l.server.closeIdleConnections();
      }
    }
  }
}

export async function startLab(options: Partial<LabOptions> = {}): Promise<Lab> {
  const o = resolveLabOptions(options);
  const now = o.now ?? Date.now;
  const sim = new Simulation(o, now());
  const balancer = createBalancer(sim, { now, listenerPort: 80 });
  const privateBalancer = createBalancer(sim, { now, listenerPort: 90 });
  // The gate needs the listeners' ports, known only once they listen; API calls before that change nothing.
  const gateRef: { gate?: ListenerGate } = {};
  // The tasks' endpoint is known only once the API listens; no task starts before then.
  const endpointRef = { apiUrl: '' };
  const ecs = new EcsService({
    endpoint: () => ({ apiUrl: endpointRef.apiUrl, region: o.region, credentials: { ...LAB_CREDENTIALS } }),
    taskStartDelayMs: o.taskStartDelayMs,
    subnetZones: Object.fromEntries(Object.entries(sim.names.subnetIds).map(([zone, subnet]) => [subnet, zone])),
    runTaskThrottle: o.runTaskThrottle,
    taskFaults: o.taskFaults,
  });
  // The lab starts as if the abx image had been pushed and `abx fleet --image` run once, so `abx fleet` needs no --image here.
  // The wire input is a plain JSON object: spread into one, as the API hands the store a parsed body.
  ecs.definitions.register(
    {
      ...taskDefinitionInput(
        {
          family: ABX_FAMILY,
          image: LAB_FLEET_IMAGE,
          cpu: '1024',
          memory: '2048',
          executionRoleArn: `arn:aws:iam::${LAB_ACCOUNT_ID}:role/ecsTaskExecutionRole`,
          taskRoleArn: `arn:aws:iam::${LAB_ACCOUNT_ID}:role/abx-lab-results-writer`,
          logGroup: null,
        },
        o.region,
      ),
    },
    now(),
  );
  const api = createApiServer(sim, now, () => gateRef.gate?.sync(), new S3Store(), ecs);
  let port: number;
  let privatePort: number;
  let apiPort: number;
  try {
    port = await listen(balancer, o.host, o.port, 'load balancer');
    privatePort = await listen(privateBalancer, o.host, o.privatePort, 'private listener');
    apiPort = await listen(api, o.host, o.apiPort, 'AWS API');
  } catch (error) {
    await Promise.all([closeServer(balancer), closeServer(privateBalancer), closeServer(api)]);
    throw error;
  }
  const gate = new ListenerGate(sim, o.host, [
    { albPort: 80, server: balancer, port },
    { albPort: 90, server: privateBalancer, port: privatePort },
  ]);
  // Lifecycle transitions and period closes happen on this beat: often
  // enough that an instance joins within a few percent of a period of its
  // due time, rarely enough to cost nothing.
  const beatMs = Math.max(20, Math.min(250, o.periodMs / 10));
  gateRef.gate = gate;
  const heartbeat = setInterval(() => sim.advance(now()), beatMs);
  heartbeat.unref();
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  endpointRef.apiUrl = `http://${hostForUrl}:${apiPort}`;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}/`,
    privateUrl: `http://${hostForUrl}:${privatePort}/`,
    apiUrl: endpointRef.apiUrl,
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
    taskOutput: (taskArnOrId) => ecs.tasks.output(taskArnOrId),
    taskPid: (taskArnOrId) => ecs.tasks.pid(taskArnOrId),
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        // Tasks first: their loads hold connections to the load balancer.
        await ecs.close();
        await Promise.all([closeServer(balancer), closeServer(privateBalancer), closeServer(api)]);
      })();
      return closed;
    },
  };
}
