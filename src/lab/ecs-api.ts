/**
 * ECS over AWS JSON 1.1 (`x-amz-target: AmazonEC2ContainerServiceV20141113.<Op>`):
 * RegisterTaskDefinition, DescribeTaskDefinition, RunTask, DescribeTasks,
 * StopTask and ListTasks, with ECS's shapes, validations and messages, so
 * code that works against the lab (through the real SDK) works against ECS.
 * Any cluster name exists, as any bucket does in the lab's S3. Tasks run as
 * local abx processes (ecs-tasks.ts).
 */
import { ApiError, decodeToken, encodeToken } from './wire.js';
import { TaskDefinitionStore, type Tag } from './ecs-task-definitions.js';
import { MAX_LIVE_TASKS, TaskStore, TOO_MANY_TASKS_REASON, type TaskFault, type TaskOverrides } from './ecs-tasks.js';
import type { TaskEndpoint } from './ecs-container.js';

export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

export interface EcsOptions {
  /** The lab's endpoint, region and credentials, read when a task starts (the port is known only once the lab listens). */
  endpoint: () => TaskEndpoint;
  /** PROVISIONING lasts this long before the process is spawned. */
  taskStartDelayMs: number;
  /** Zones by subnet id, for the tasks' availabilityZone. */
  subnetZones: Record<string, string>;
  runTaskThrottle?: { burst: number; perSec: number };
  taskFaults?: Array<{ task: number; fault: TaskFault }>;
}

/** A token bucket: `burst` calls at once, refilled at `perSec`. */
class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly burst: number,
    private readonly perSec: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.perSec);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

type Input = Record<string, unknown>;

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterException', message);
}

function optionalString(input: Input, name: string, max = 255): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${name} must be a string.`);
  if (value.length > max) throw invalid(`${name} must be ${max} characters or less.`);
  return value;
}

function stringArray(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${name} must be a list of strings.`);
  return value;
}

/** A cluster given by name or ARN, as its name ("default" when none). */
function clusterName(input: Input): string {
  const raw = optionalString(input, 'cluster', 2048) ?? 'default';
  const arn = /^arn:aws[\w-]*:ecs:[^:]*:\d*:cluster\/(.+)$/.exec(raw);
  const name = arn ? arn[1] : raw;
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw invalid(`Invalid cluster name: ${raw}.`);
  return name;
}

export class EcsService {
  readonly definitions: TaskDefinitionStore;
  readonly tasks: TaskStore;
  private readonly throttle?: TokenBucket;
  private readonly faults: Map<number, TaskFault>;
  /** Tasks started by RunTask so far: the ordinal taskFaults name. */
  private started = 0;
  /** RunTask's clientToken → the tasks it started, per cluster. */
  private readonly byClientToken = new Map<string, string[]>();

  constructor(options: EcsOptions) {
    const region = options.endpoint().region;
    this.definitions = new TaskDefinitionStore(region);
    this.tasks = new TaskStore(options.endpoint, options.taskStartDelayMs, options.subnetZones);
    if (options.runTaskThrottle) this.throttle = new TokenBucket(options.runTaskThrottle.burst, options.runTaskThrottle.perSec, Date.now());
    this.faults = new Map((options.taskFaults ?? []).map((f) => [f.task, f.fault]));
  }

  /** Answers one operation's JSON input with its JSON output, or throws an ApiError. */
  handle(operation: string, input: Input, nowMs: number): unknown {
    switch (operation) {
      case 'RegisterTaskDefinition': {
        const registered = this.definitions.register(input, nowMs);
        return { taskDefinition: registered.definition, tags: registered.tags };
      }
      case 'DescribeTaskDefinition': {
        const ref = optionalString(input, 'taskDefinition', 2048);
        const found = ref === undefined ? undefined : this.definitions.find(ref);
        if (!found) throw new ApiError('ClientException', 'Unable to describe task definition.');
        const include = stringArray(input.include, 'include');
        return { taskDefinition: found.definition, tags: include.includes('TAGS') ? found.tags : [] };
      }
      case 'RunTask':
        return this.runTask(input, nowMs);
      case 'DescribeTasks':
        return this.describeTasks(input);
      case 'StopTask': {
        const cluster = clusterName(input);
        const ref = optionalString(input, 'task', 2048);
        const task = ref === undefined ? undefined : this.tasks.find(ref, cluster);
        if (!task) throw invalid('The referenced task was not found.');
        this.tasks.stop(task, optionalString(input, 'reason', 255), nowMs);
        return { task: this.tasks.describe(task, false) };
      }
      case 'ListTasks':
        return this.listTasks(input);
      default:
        throw new ApiError('UnknownOperationException', `Unknown operation ${operation || '(none)'}.`);
    }
  }

  close(): Promise<void> {
    return this.tasks.close();
  }

  private runTask(input: Input, nowMs: number): unknown {
    if (this.throttle && !this.throttle.take(nowMs)) throw new ApiError('ThrottlingException', 'Rate exceeded');
    const cluster = clusterName(input);
    const ref = optionalString(input, 'taskDefinition', 2048);
    if (ref === undefined) throw invalid('TaskDefinition can not be blank.');
    const registered = this.definitions.find(ref);
    if (!registered) throw new ApiError('ClientException', 'TaskDefinition not found.');
    const definition = registered.definition;
    const count = input.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10) throw invalid('Count must be between 1 and 10.');
    const launchType = optionalString(input, 'launchType');
    if (launchType !== undefined && launchType !== 'FARGATE')
      throw invalid(`The lab runs Fargate tasks only: launchType ${launchType} has no container instances in this cluster.`);
    if (definition.networkMode !== 'awsvpc' || !(definition.requiresCompatibilities ?? ['FARGATE']).includes('FARGATE'))
      throw invalid('Task definition does not support launch_type FARGATE.');
    const startedBy = optionalString(input, 'startedBy', 36);
    const group = optionalString(input, 'group', 255);
    const clientToken = optionalString(input, 'clientToken', 64);

    const network = (input.networkConfiguration as Input | undefined)?.awsvpcConfiguration as Input | undefined;
    const subnets = stringArray(network?.subnets, 'subnets');
    if (subnets.length === 0) throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (subnets.length > 16) throw invalid('subnets can have at most 16 items.');
    if (stringArray(network?.securityGroups, 'securityGroups').length > 5) throw invalid('securityGroups can have at most 5 items.');
    const assignPublicIp = network?.assignPublicIp;
    if (assignPublicIp !== undefined && assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED')
      throw invalid('assignPublicIp must be ENABLED or DISABLED.');

    const overrides = (input.overrides ?? {}) as TaskOverrides;
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) throw invalid('overrides must be an object.');
    const names = new Set(definition.containerDefinitions.map((c) => c.name));
    for (const o of overrides.containerOverrides ?? []) {
      if (typeof o?.name !== 'string' || !names.has(o.name))
        throw invalid(`Override for container named ${String(o?.name)} is not a container in the TaskDefinition.`);
      if (o.command !== undefined) stringArray(o.command, 'command');
    }
    const tags = Array.isArray(input.tags) ? (input.tags as Tag[]) : [];

    const tokenKey = clientToken === undefined ? undefined : `${cluster}\n${clientToken}`;
    const earlier = tokenKey === undefined ? undefined : this.byClientToken.get(tokenKey);
    if (earlier) {
      // The same request again (a retry): the same tasks, nothing new started.
      const tasks = earlier.map((id) => this.tasks.find(id)).filter((t) => t !== undefined);
      return { tasks: tasks.map((t) => this.tasks.describe(t, true)), failures: [] };
    }

    const room = Math.max(0, MAX_LIVE_TASKS - this.tasks.liveCount());
    const ids: string[] = [];
    const failures: Array<{ reason: string }> = [];
    for (let i = 0; i < count; i++) {
      if (i >= room) {
        failures.push({ reason: TOO_MANY_TASKS_REASON });
        continue;
      }
      const fault = this.faults.get(this.started++);
      ids.push(this.tasks.launch({ cluster, registered, startedBy, group, overrides, tags, subnets, fault }, nowMs));
    }
    if (tokenKey !== undefined) this.byClientToken.set(tokenKey, ids);
    const tasks = ids.map((id) => this.tasks.find(id)).filter((t) => t !== undefined);
    return { tasks: tasks.map((t) => this.tasks.describe(t, true)), failures };
  }

  private describeTasks(input: Input): unknown {
    const cluster = clusterName(input);
    const refs = stringArray(input.tasks, 'tasks');
    if (refs.length === 0) throw invalid('Tasks cannot be empty.');
    if (refs.length > 100) throw invalid('Tasks cannot have more than 100 items.');
    const withTags = stringArray(input.include, 'include').includes('TAGS');
    const tasks: unknown[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const ref of refs) {
      const task = this.tasks.find(ref, cluster);
      if (task) tasks.push(this.tasks.describe(task, withTags));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private listTasks(input: Input): unknown {
    const cluster = clusterName(input);
    const family = optionalString(input, 'family');
    const startedBy = optionalString(input, 'startedBy', 36);
    const desiredStatus = optionalString(input, 'desiredStatus') ?? 'RUNNING';
    if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) throw invalid('desiredStatus must be RUNNING, PENDING or STOPPED.');
    const maxResults = input.maxResults ?? 100;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
      throw invalid('maxResults must be between 1 and 100.');
    const from = decodeToken('ListTasks', optionalString(input, 'nextToken', 4096), 'InvalidParameterException') ?? 0;
    const arns = this.tasks
      .list()
      .filter(
        (t) =>
          t.cluster === cluster &&
          t.desiredStatus === desiredStatus &&
          (family === undefined || t.definition.family === family) &&
          (startedBy === undefined || t.launch.startedBy === startedBy),
      )
      .map((t) => t.arn);
    const page = arns.slice(from, from + maxResults);
    const next = from + maxResults < arns.length ? encodeToken('ListTasks', from + maxResults) : undefined;
    return { taskArns: page, ...(next !== undefined ? { nextToken: next } : {}) };
  }
}
