/**
 * The ECS Fargate engine of `abx fleet`: one task per shard. It registers (or
 * reuses) the task definition, launches the tasks one RunTask each, paced and
 * backing off when ECS throttles, follows them with DescribeTasks and stops
 * them with StopTask. It knows nothing of abx's flags or reports: the CLI
 * hands it each shard's command and folds what it returns.
 */
import type { ContainerDefinition, KeyValuePair, RegisterTaskDefinitionCommandInput, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsApi } from '../aws/clients.js';
import { isThrottling } from '../aws/errors.js';
import { ConfigError } from '../errors.js';

/** The ECS calls the fleet makes (the real client's, or a test's). */
export interface EcsCalls {
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition>;
  /** undefined when ECS has no such task definition. */
  describeTaskDefinition(name: string): Promise<TaskDefinition | undefined>;
  /** One task: its ARN, or ECS's failure reason. */
  runTask(input: RunTaskInput): Promise<{ taskArn: string } | { failure: string }>;
  describeTasks(cluster: string, taskArns: string[]): Promise<Task[]>;
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
  destroy(): void;
}

export interface RunTaskInput {
  cluster: string;
  taskDefinition: string;
  containerName: string;
  command: string[];
  environment: KeyValuePair[];
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
  /** Names the fleet's tasks (ListTasks --started-by finds them); at most 36 characters. */
  startedBy: string;
  /** Makes a retried RunTask start no second task. */
  clientToken: string;
}

/** The task definition `--image` asks for; the family is reused while its content is unchanged. */
export interface WantedTaskDefinition {
  family: string;
  image: string;
  /** CPU units (1024 = 1 vCPU) and MiB, as ECS takes them. */
  cpu: string;
  memory: string;
  executionRoleArn: string | null;
  taskRoleArn: string | null;
  /** CloudWatch Logs group for the shards' output (awslogs); null: the output is not kept. */
  logGroup: string | null;
}

/** The family of the task definitions abx registers (`abx fleet` with neither --image nor --task-definition runs its latest). */
export const ABX_FAMILY = 'abx-fleet';

/** The container name in the task definitions abx registers. */
export const ABX_CONTAINER = 'abx';

/** awslogs names each task's stream <prefix>/<container>/<task id>. */
export const LOG_STREAM_PREFIX = 'abx';

/** `region`: where the log group is (the fleet's region). */
export function taskDefinitionInput(wanted: WantedTaskDefinition, region: string): RegisterTaskDefinitionCommandInput {
  return {
    family: wanted.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: wanted.cpu,
    memory: wanted.memory,
    ...(wanted.executionRoleArn ? { executionRoleArn: wanted.executionRoleArn } : {}),
    ...(wanted.taskRoleArn ? { taskRoleArn: wanted.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: ABX_CONTAINER,
        image: wanted.image,
        essential: true,
        environment: [{ name: 'NO_COLOR', value: '1' }],
        ...(wanted.logGroup
          ? {
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': wanted.logGroup, 'awslogs-region': region, 'awslogs-stream-prefix': LOG_STREAM_PREFIX },
              },
            }
          : {}),
      },
    ],
  };
}

/** Does an existing task definition run what `wanted` asks for? Then it is reused rather than registered again. */
export function sameTaskDefinition(existing: TaskDefinition, wanted: WantedTaskDefinition): boolean {
  const container = existing.containerDefinitions?.find((c) => c.name === ABX_CONTAINER);
  return (
    existing.status === 'ACTIVE' &&
    container?.image === wanted.image &&
    existing.cpu === wanted.cpu &&
    existing.memory === wanted.memory &&
    (existing.executionRoleArn ?? null) === wanted.executionRoleArn &&
    (existing.taskRoleArn ?? null) === wanted.taskRoleArn &&
    (container.logConfiguration?.options?.['awslogs-group'] ?? null) === wanted.logGroup &&
    existing.networkMode === 'awsvpc' &&
    (existing.requiresCompatibilities ?? []).includes('FARGATE')
  );
}

export interface ChosenTaskDefinition {
  arn: string;
  containerName: string;
  /** Registered now, reused by content, given by --task-definition, or the family's latest revision (neither flag). */
  how: 'registered' | 'reused' | 'given' | 'latest';
}

/** --image: the family's latest revision when it runs the same thing, else a new revision. */
export async function ensureTaskDefinition(ecs: EcsCalls, wanted: WantedTaskDefinition, region: string): Promise<ChosenTaskDefinition> {
  const latest = await named('DescribeTaskDefinition', () => ecs.describeTaskDefinition(wanted.family));
  if (latest?.taskDefinitionArn && sameTaskDefinition(latest, wanted)) {
    return { arn: latest.taskDefinitionArn, containerName: ABX_CONTAINER, how: 'reused' };
  }
  const registered = await named('RegisterTaskDefinition', () => ecs.registerTaskDefinition(taskDefinitionInput(wanted, region)));
  return { arn: registered.taskDefinitionArn!, containerName: ABX_CONTAINER, how: 'registered' };
}

/** An ECS call that failed, with the call's name: a step of several calls must say which one failed. */
export class EcsCallError extends Error {
  override readonly name = 'EcsCallError';
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(`${action} failed`);
  }
}

async function named<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new EcsCallError(action, error);
  }
}

/** --task-definition: the user's own; its abx container is the essential one (or the only one). */
export async function givenTaskDefinition(ecs: EcsCalls, name: string): Promise<ChosenTaskDefinition> {
  const found = await named('DescribeTaskDefinition', () => ecs.describeTaskDefinition(name));
  if (!found?.taskDefinitionArn) throw new ConfigError(`--task-definition ${name}: ECS has no such task definition`);
  const containers: ContainerDefinition[] = found.containerDefinitions ?? [];
  const container = containers.find((c) => c.name === ABX_CONTAINER) ?? (containers.length === 1 ? containers[0] : undefined);
  if (!container?.name) {
    throw new ConfigError(
      `--task-definition ${name} has ${containers.length} containers and none is named "${ABX_CONTAINER}": name the abx container "${ABX_CONTAINER}"`,
    );
  }
  return { arn: found.taskDefinitionArn, containerName: container.name, how: 'given' };
}

/** What happened to one shard's launch. */
export type Launch = { index: number; taskArn: string } | { index: number; failure: string };

export interface LaunchOptions {
  /** RunTask calls at most this often: ECS throttles an account's RunTask calls well before a fleet's size. */
  minIntervalMs?: number;
  /** First wait after a throttled call; it doubles each time, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Throttled calls in a row before a shard is given up. */
  maxThrottled?: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  onThrottled?: (index: number, waitMs: number) => void;
  onLaunched?: (launch: Launch) => void;
}

const DEFAULT_MIN_INTERVAL_MS = 100;
const DEFAULT_BACKOFF_MS = 500;
const DEFAULT_MAX_BACKOFF_MS = 8_000;
const DEFAULT_MAX_THROTTLED = 8;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Launches shard 0 to N-1 in order, one RunTask each. A throttled call waits
 * and tries again (the client token keeps it one task); any other error ends
 * the launch and is thrown (the CLI stops what was launched). An abort stops
 * launching: the shards not yet launched are returned as failures.
 */
export async function launchShards(
  ecs: EcsCalls,
  count: number,
  inputFor: (index: number) => RunTaskInput,
  options: LaunchOptions = {},
): Promise<Launch[]> {
  const sleep = options.sleep ?? realSleep;
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  const launches: Launch[] = [];
  for (let index = 0; index < count; index++) {
    if (options.signal?.aborted) {
      launches.push({ index, failure: 'not launched: the fleet was interrupted' });
      continue;
    }
    if (index > 0) await sleep(minIntervalMs);
    let waitMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    for (let throttled = 0; ; throttled++) {
      try {
        const answer = await ecs.runTask(inputFor(index));
        const launch: Launch = 'taskArn' in answer ? { index, taskArn: answer.taskArn } : { index, failure: answer.failure };
        launches.push(launch);
        options.onLaunched?.(launch);
        break;
      } catch (error) {
        if (!isThrottling(error)) throw error;
        if (throttled + 1 >= (options.maxThrottled ?? DEFAULT_MAX_THROTTLED) || options.signal?.aborted) {
          const launch = { index, failure: `RunTask was throttled ${throttled + 1} times in a row` };
          launches.push(launch);
          options.onLaunched?.(launch);
          break;
        }
        options.onThrottled?.(index, waitMs);
        await sleep(waitMs);
        waitMs = Math.min(waitMs * 2, options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
      }
    }
  }
  return launches;
}

/** DescribeTasks takes at most 100 tasks a call. */
const DESCRIBE_BATCH = 100;

export async function describeAll(ecs: EcsCalls, cluster: string, taskArns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < taskArns.length; i += DESCRIBE_BATCH) {
    tasks.push(...(await ecs.describeTasks(cluster, taskArns.slice(i, i + DESCRIBE_BATCH))));
  }
  return tasks;
}

/** StopTask for each task; a task that is already gone is no error. Returns the tasks that could not be stopped, with why. */
export async function stopAll(ecs: EcsCalls, cluster: string, taskArns: string[], reason: string): Promise<string[]> {
  const outcomes = await Promise.allSettled(taskArns.map((arn) => ecs.stopTask(cluster, arn, reason)));
  return outcomes.flatMap((o, i) =>
    o.status === 'rejected' ? [`${taskArns[i]}: ${(o.reason as Error).name ?? 'Error'}: ${(o.reason as Error).message}`] : [],
  );
}

/** The real client behind EcsCalls. */
export function ecsCalls(ecs: EcsApi): EcsCalls {
  return {
    async registerTaskDefinition(input) {
      const out = await ecs.registerTaskDefinition(input);
      return out.taskDefinition!;
    },
    async describeTaskDefinition(name) {
      try {
        return (await ecs.describeTaskDefinition({ taskDefinition: name })).taskDefinition;
      } catch (error) {
        // ECS answers an unknown task definition with a ClientException.
        if ((error as { name?: string }).name === 'ClientException') return undefined;
        throw error;
      }
    },
    async runTask(input) {
      const out = await ecs.runTask({
        cluster: input.cluster,
        taskDefinition: input.taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: input.startedBy,
        clientToken: input.clientToken,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: input.subnets,
            ...(input.securityGroups.length > 0 ? { securityGroups: input.securityGroups } : {}),
            assignPublicIp: input.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        overrides: { containerOverrides: [{ name: input.containerName, command: input.command, environment: input.environment }] },
      });
      const arn = out.tasks?.[0]?.taskArn;
      if (arn) return { taskArn: arn };
      const failure = out.failures?.[0];
      return { failure: [failure?.reason, failure?.detail].filter(Boolean).join(': ') || 'RunTask started no task and gave no reason' };
    },
    async describeTasks(cluster, taskArns) {
      return (await ecs.describeTasks({ cluster, tasks: taskArns })).tasks ?? [];
    },
    async stopTask(cluster, taskArn, reason) {
      await ecs.stopTask({ cluster, task: taskArn, reason });
    },
    destroy: () => ecs.destroy(),
  };
}
