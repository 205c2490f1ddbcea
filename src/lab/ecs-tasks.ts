/**
 * The lab's ECS tasks: a store of tasks and their Fargate lifecycle, run as
 * local abx processes (ecs-container.ts), in real time (Date.now), not on the
 * simulation's clock: a task is a real process doing real work.
 *
 * Lifecycle, as Fargate reports it:
 * - RunTask: lastStatus PROVISIONING, desiredStatus RUNNING;
 * - after `startDelayMs` (a compressed Fargate launch, so a caller sees
 *   pending tasks): PENDING, and the process is spawned; RUNNING once it is;
 * - the process exits: STOPPED, stopCode EssentialContainerExited, the
 *   container's exitCode (128 + signal number when a signal ended it);
 * - StopTask: desiredStatus STOPPED, stoppingAt; a task not yet spawned stops
 *   at once, a running one gets SIGTERM, then SIGKILL after its container's
 *   stopTimeout (default and cap 30 s); stopCode UserInitiated;
 * - a process that cannot be started: STOPPED, TaskFailedToStart,
 *   'CannotStartContainerError: …'.
 * Only the task's first essential container is run; the task's other
 * containers are listed with its status.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { LAB_ACCOUNT_ID } from './ids.js';
import { OutputTail, signalExitCode, startContainer, taskEnvironment, type TaskEndpoint } from './ecs-container.js';
import type { KeyValuePair, RegisteredTaskDefinition, Tag, TaskDefinition } from './ecs-task-definitions.js';

/** Tasks are local processes: more than this at once would swamp the machine. */
export const MAX_LIVE_TASKS = 32;
export const TOO_MANY_TASKS_REASON = `RESOURCE:LAB (at most ${MAX_LIVE_TASKS} tasks run at once on this machine)`;
/** ECS's default and, in the lab, largest stopTimeout. */
const MAX_STOP_TIMEOUT_SEC = 30;

export type TaskFault = 'bad-command' | 'cannot-pull' | 'hang';

export interface ContainerOverride {
  name?: string;
  command?: string[];
  environment?: KeyValuePair[];
  [member: string]: unknown;
}

export interface TaskOverrides {
  containerOverrides?: ContainerOverride[];
  cpu?: string;
  memory?: string;
  [member: string]: unknown;
}

/** What RunTask asks for one task, already checked. */
export interface TaskLaunch {
  cluster: string;
  registered: RegisteredTaskDefinition;
  startedBy?: string;
  group?: string;
  overrides: TaskOverrides;
  tags: Tag[];
  subnets: string[];
  fault?: TaskFault;
}

type Status = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPED';

interface ContainerState {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: Status;
  exitCode?: number;
  reason?: string;
}

interface TaskState {
  id: string;
  arn: string;
  cluster: string;
  definition: TaskDefinition;
  launch: TaskLaunch;
  availabilityZone: string;
  /** The task's network interface (awsvpc): a Fargate task's one attachment. */
  attachmentId: string;
  eniId: string;
  lastStatus: Status;
  desiredStatus: 'RUNNING' | 'STOPPED';
  version: number;
  createdAtMs: number;
  pullStartedAtMs?: number;
  pullStoppedAtMs?: number;
  connectivityAtMs?: number;
  startedAtMs?: number;
  stoppingAtMs?: number;
  executionStoppedAtMs?: number;
  stoppedAtMs?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: ContainerState[];
  /** Index in `containers` of the one that runs. */
  runs: number;
  userStopReason?: string;
  startTimer?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
  child?: ChildProcess;
  /** Settles once the process has exited and its output is read. */
  exited?: Promise<void>;
  stdout: OutputTail;
  stderr: OutputTail;
}

const hex32 = (): string => randomBytes(16).toString('hex');

export class TaskStore {
  private readonly tasks = new Map<string, TaskState>();
  private closed = false;

  constructor(
    private readonly endpoint: () => TaskEndpoint,
    private readonly startDelayMs: number,
    /** Zones by subnet id; a subnet the lab does not know gets the region's zones in turn. */
    private readonly subnetZones: Record<string, string>,
  ) {}

  /** Tasks not yet STOPPED (their processes count against MAX_LIVE_TASKS). */
  liveCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.lastStatus !== 'STOPPED') n++;
    return n;
  }

  clusterArn(cluster: string): string {
    return `arn:aws:ecs:${this.endpoint().region}:${LAB_ACCOUNT_ID}:cluster/${cluster}`;
  }

  /** Creates a task in PROVISIONING and schedules its launch. */
  launch(launch: TaskLaunch, nowMs: number): string {
    const { region } = this.endpoint();
    const id = hex32();
    const arn = `arn:aws:ecs:${region}:${LAB_ACCOUNT_ID}:task/${launch.cluster}/${id}`;
    const definition = launch.registered.definition;
    const containers = definition.containerDefinitions.map((c): ContainerState => ({
      containerArn: `arn:aws:ecs:${region}:${LAB_ACCOUNT_ID}:container/${launch.cluster}/${id}/${randomUUID()}`,
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
    }));
    const zones = [`${region}a`, `${region}b`];
    const task: TaskState = {
      id,
      arn,
      cluster: launch.cluster,
      definition,
      launch,
      availabilityZone: this.subnetZones[launch.subnets[0] ?? ''] ?? zones[this.tasks.size % zones.length],
      attachmentId: randomUUID(),
      eniId: `eni-0${randomBytes(8).toString('hex')}`,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      createdAtMs: nowMs,
      containers,
      runs: Math.max(
        0,
        definition.containerDefinitions.findIndex((c) => c.essential !== false),
      ),
      stdout: new OutputTail(),
      stderr: new OutputTail(),
    };
    this.tasks.set(id, task);
    task.startTimer = setTimeout(() => this.start(task), this.startDelayMs);
    return id;
  }

  /** A task by ARN or id, in `cluster` when given. */
  find(ref: string, cluster?: string): TaskState | undefined {
    const m = /^arn:aws[\w-]*:ecs:[^:]*:\d*:task\/(?:([^/]+)\/)?([0-9a-f]+)$/.exec(ref);
    const id = m ? m[2] : ref;
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (cluster !== undefined && task.cluster !== cluster) return undefined;
    if (m?.[1] !== undefined && m[1] !== task.cluster) return undefined;
    return task;
  }

  /** Tasks in creation order. */
  list(): TaskState[] {
    return [...this.tasks.values()];
  }

  output(ref: string): { stdout: string; stderr: string } | undefined {
    const task = this.find(ref);
    return task ? { stdout: task.stdout.text(), stderr: task.stderr.text() } : undefined;
  }

  pid(ref: string): number | undefined {
    return this.find(ref)?.child?.pid;
  }

  /** StopTask: stops a task not yet spawned at once, sends a running one SIGTERM, then SIGKILL after its stopTimeout. */
  stop(task: TaskState, reason: string | undefined, nowMs: number): void {
    if (task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stoppingAtMs = nowMs;
    task.userStopReason = reason && reason.trim() !== '' ? reason : 'Task stopped by user';
    task.version++;
    if (!task.child) {
      clearTimeout(task.startTimer);
      this.finish(task, nowMs, 'UserInitiated', task.userStopReason);
      return;
    }
    task.child.kill('SIGTERM');
    const def = task.definition.containerDefinitions[task.runs];
    const timeoutSec = Math.min(def?.stopTimeout ?? MAX_STOP_TIMEOUT_SEC, MAX_STOP_TIMEOUT_SEC);
    task.killTimer = setTimeout(() => task.child?.kill('SIGKILL'), timeoutSec * 1000);
    task.killTimer.unref();
  }

  /** Kills every live process (SIGKILL) and waits for each to exit; tasks not yet spawned never will be. */
  async close(): Promise<void> {
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const task of this.tasks.values()) {
      clearTimeout(task.startTimer);
      if (task.child && task.exited) {
        task.child.kill('SIGKILL');
        waits.push(task.exited);
      } else if (task.lastStatus !== 'STOPPED') {
        this.finish(task, Date.now(), 'UserInitiated', 'The lab was closed');
      }
    }
    await Promise.all(waits);
  }

  /** The task in DescribeTasks' shape (timestamps as epoch seconds). */
  describe(task: TaskState, withTags: boolean): Record<string, unknown> {
    const sec = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
    const def = task.definition;
    const overrides = task.launch.overrides;
    return {
      taskArn: task.arn,
      clusterArn: this.clusterArn(task.cluster),
      taskDefinitionArn: def.taskDefinitionArn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      cpu: overrides.cpu ?? def.cpu,
      memory: overrides.memory ?? def.memory,
      version: task.version,
      createdAt: sec(task.createdAtMs),
      pullStartedAt: sec(task.pullStartedAtMs),
      pullStoppedAt: sec(task.pullStoppedAtMs),
      startedAt: sec(task.startedAtMs),
      stoppingAt: sec(task.stoppingAtMs),
      executionStoppedAt: sec(task.executionStoppedAtMs),
      stoppedAt: sec(task.stoppedAtMs),
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      startedBy: task.launch.startedBy,
      group: task.launch.group ?? `family:${def.family}`,
      availabilityZone: task.availabilityZone,
      connectivity: task.connectivityAtMs === undefined ? undefined : 'CONNECTED',
      connectivityAt: sec(task.connectivityAtMs),
      healthStatus: 'UNKNOWN',
      enableExecuteCommand: false,
      ephemeralStorage: { sizeInGiB: 20 },
      attachments: [
        {
          id: task.attachmentId,
          type: 'ElasticNetworkInterface',
          status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
          details: [
            { name: 'subnetId', value: task.launch.subnets[0] },
            { name: 'networkInterfaceId', value: task.eniId },
            // The task's traffic leaves from this machine.
            { name: 'privateIPv4Address', value: '127.0.0.1' },
          ],
        },
      ],
      overrides,
      containers: task.containers.map((c, i) => ({
        containerArn: c.containerArn,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        // Fargate's runtime id is `<task id>-<number>`; the lab's number is the process id.
        runtimeId: i === task.runs && task.child?.pid !== undefined ? `${task.id}-${task.child.pid}` : undefined,
        networkInterfaces: [{ attachmentId: task.attachmentId, privateIpv4Address: '127.0.0.1' }],
        healthStatus: 'UNKNOWN',
      })),
      tags: withTags ? task.launch.tags : undefined,
    };
  }

  /** The start delay is over: pull (or fail to), then spawn the process. */
  private start(task: TaskState): void {
    task.startTimer = undefined;
    if (this.closed || task.lastStatus !== 'PROVISIONING') return;
    const nowMs = Date.now();
    task.lastStatus = 'PENDING';
    task.pullStartedAtMs = nowMs;
    task.connectivityAtMs = nowMs;
    task.version++;
    const def = task.definition.containerDefinitions[task.runs];
    if (task.launch.fault === 'cannot-pull') {
      const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${def.image}: not found`;
      task.containers[task.runs].reason = reason;
      this.finish(task, nowMs, 'TaskFailedToStart', reason);
      return;
    }
    const override = task.launch.overrides.containerOverrides?.find((o) => o.name === def.name);
    const args = [...(override?.command ?? def.command ?? [])];
    if (task.launch.fault === 'bad-command') args.push('--no-such-flag');
    // The last --start-at wins: the shard waits an hour, a container that never ends by itself (StopTask ends it).
    if (task.launch.fault === 'hang') args.push('--start-at', '+3600s');
    const env = taskEnvironment(this.endpoint(), def.environment, override?.environment);
    let child: ChildProcess;
    try {
      child = startContainer(args, env, task.stdout, task.stderr);
    } catch (error) {
      // Refused before any process exists (a NUL byte in an argument or a variable): the container cannot start.
      const reason = `CannotStartContainerError: ${(error as Error).message}`;
      task.containers[task.runs].reason = reason;
      this.finish(task, nowMs, 'TaskFailedToStart', reason);
      return;
    }
    task.child = child;
    let spawned = false;
    task.exited = new Promise<void>((resolve) => {
      child.once('spawn', () => {
        spawned = true;
        const at = Date.now();
        task.pullStoppedAtMs = at;
        task.startedAtMs = at;
        if (task.lastStatus === 'PENDING') task.lastStatus = 'RUNNING';
        for (const c of task.containers) c.lastStatus = 'RUNNING';
        task.version++;
      });
      // 'on', not 'once': a failed kill is an 'error' too, and an unheard one would crash the lab.
      child.on('error', (error: Error) => {
        if (spawned) return;
        const reason = `CannotStartContainerError: ${error.message}`;
        task.containers[task.runs].reason = reason;
        this.finish(task, Date.now(), 'TaskFailedToStart', reason);
        resolve();
      });
      // 'close' comes after the exit and the end of both streams, so the output is whole by the time the task is STOPPED.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(task.killTimer);
        if (spawned) {
          task.containers[task.runs].exitCode = code ?? signalExitCode(signal);
          if (task.userStopReason !== undefined) this.finish(task, Date.now(), 'UserInitiated', task.userStopReason);
          else this.finish(task, Date.now(), 'EssentialContainerExited', 'Essential container in task exited');
        }
        resolve();
      });
    });
  }

  private finish(task: TaskState, nowMs: number, stopCode: string, reason: string): void {
    if (task.lastStatus === 'STOPPED') return;
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.stoppingAtMs ??= nowMs;
    task.executionStoppedAtMs = nowMs;
    task.stoppedAtMs = nowMs;
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    for (const c of task.containers) c.lastStatus = 'STOPPED';
    task.version++;
  }
}

export type { TaskState };
