/**
 * The ECS engine's launch rules, against a scripted ECS: one RunTask per
 * shard in order, a throttled call waits (doubling) and retries with the same
 * client token, a failure ECS reports is kept with its reason, any other
 * error ends the launch, and Ctrl-C stops launching. Time is a recorded fake
 * sleep: nothing here waits.
 */
import { describe, expect, it } from 'vitest';
import type { RegisterTaskDefinitionCommandInput, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import {
  ABX_CONTAINER,
  EcsCallError,
  ensureTaskDefinition,
  givenTaskDefinition,
  launchShards,
  taskDefinitionInput,
  type EcsCalls,
  type RunTaskInput,
  type WantedTaskDefinition,
} from '../../src/fleet/ecs.js';

function throttling(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'ThrottlingException';
  return error;
}

/** An ECS that answers RunTask from a script (one entry per call) and records every call. */
function scriptedEcs(script: Array<'ok' | 'throttle' | { failure: string } | Error>, definitions: TaskDefinition[] = []) {
  const runs: RunTaskInput[] = [];
  const registered: RegisterTaskDefinitionCommandInput[] = [];
  let call = 0;
  const ecs: EcsCalls = {
    registerTaskDefinition(input) {
      registered.push(input);
      const definition: TaskDefinition = {
        ...(input as TaskDefinition),
        taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.family}:${registered.length + definitions.length}`,
        status: 'ACTIVE',
      };
      definitions.push(definition);
      return Promise.resolve(definition);
    },
    describeTaskDefinition(name) {
      const found = definitions.filter((d) => d.taskDefinitionArn === name || d.taskDefinitionArn?.includes(`/${name}:`));
      return Promise.resolve(found[found.length - 1]);
    },
    runTask(input) {
      runs.push(input);
      const step = script[call++] ?? 'ok';
      if (step === 'throttle') return Promise.reject(throttling());
      if (step instanceof Error) return Promise.reject(step);
      if (step === 'ok')
        return Promise.resolve({ taskArn: `arn:aws:ecs:us-east-1:123456789012:task/default/${String(runs.length).padStart(32, '0')}` });
      return Promise.resolve(step);
    },
    describeTasks: (): Promise<Task[]> => Promise.resolve([]),
    stopTask: () => Promise.resolve(),
    destroy: () => {},
  };
  return { ecs, runs, registered };
}

const input = (index: number): RunTaskInput => ({
  cluster: 'default',
  taskDefinition: 'abx-fleet',
  containerName: ABX_CONTAINER,
  command: ['--shard', `${index}/3`],
  environment: [],
  subnets: ['subnet-0123456789abcdef0'],
  securityGroups: [],
  assignPublicIp: false,
  startedBy: 'abx-test',
  clientToken: `abx-test-${index}`,
});

describe('launchShards', () => {
  it('launches shard 0 to N-1 in order, pacing the calls', async () => {
    const { ecs, runs } = scriptedEcs([]);
    const sleeps: number[] = [];
    const launches = await launchShards(ecs, 3, input, { minIntervalMs: 100, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(launches.map((l) => l.index)).toEqual([0, 1, 2]);
    expect(launches.every((l) => 'taskArn' in l)).toBe(true);
    expect(runs.map((r) => r.command[1])).toEqual(['0/3', '1/3', '2/3']);
    expect(sleeps).toEqual([100, 100]);
  });

  it('backs off on throttling, doubling the wait, and retries with the same client token', async () => {
    const { ecs, runs } = scriptedEcs(['ok', 'throttle', 'throttle', 'ok', 'ok']);
    const sleeps: number[] = [];
    const throttled: number[] = [];
    const launches = await launchShards(ecs, 3, input, {
      minIntervalMs: 0,
      backoffMs: 500,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
      onThrottled: (index) => throttled.push(index),
    });
    expect(launches.every((l) => 'taskArn' in l)).toBe(true);
    expect(runs.map((r) => r.clientToken)).toEqual(['abx-test-0', 'abx-test-1', 'abx-test-1', 'abx-test-1', 'abx-test-2']);
    expect(throttled).toEqual([1, 1]);
    expect(sleeps.filter((ms) => ms > 0)).toEqual([500, 1000]);
  });

  it('gives a shard up after too many throttled calls in a row, and goes on with the next', async () => {
    const { ecs } = scriptedEcs(['throttle', 'throttle', 'throttle', 'ok']);
    const launches = await launchShards(ecs, 2, input, { maxThrottled: 3, sleep: () => Promise.resolve() });
    expect(launches[0]).toEqual({ index: 0, failure: 'RunTask was throttled 3 times in a row' });
    expect('taskArn' in launches[1]).toBe(true);
  });

  it("keeps ECS's own failure reason for a task it did not start", async () => {
    const { ecs } = scriptedEcs(['ok', { failure: 'RESOURCE:ENI' }]);
    const launches = await launchShards(ecs, 2, input, { sleep: () => Promise.resolve() });
    expect(launches[1]).toEqual({ index: 1, failure: 'RESOURCE:ENI' });
  });

  it('throws any other error (no such cluster, access denied): the launch cannot go on', async () => {
    const denied = new Error('not authorized to perform: ecs:RunTask');
    denied.name = 'AccessDeniedException';
    const { ecs } = scriptedEcs(['ok', denied]);
    await expect(launchShards(ecs, 3, input, { sleep: () => Promise.resolve() })).rejects.toThrow(/ecs:RunTask/);
  });

  it('stops launching once aborted: the rest are failures that say so', async () => {
    const abort = new AbortController();
    const { ecs, runs } = scriptedEcs([]);
    const launches = await launchShards(ecs, 3, input, {
      signal: abort.signal,
      sleep: () => Promise.resolve(),
      onLaunched: () => abort.abort(),
    });
    expect(runs).toHaveLength(1);
    expect(launches.slice(1)).toEqual([
      { index: 1, failure: 'not launched: the fleet was interrupted' },
      { index: 2, failure: 'not launched: the fleet was interrupted' },
    ]);
  });
});

describe('task definitions', () => {
  const wanted: WantedTaskDefinition = {
    family: 'abx-fleet',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/abx:0.1.0',
    cpu: '1024',
    memory: '2048',
    executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    taskRoleArn: 'arn:aws:iam::123456789012:role/abx-results-writer',
    logGroup: null,
  };

  it('registers a Fargate definition for --image, then reuses it while nothing changed, and registers again when the image does', async () => {
    const { ecs, registered } = scriptedEcs([]);
    const first = await ensureTaskDefinition(ecs, wanted, 'us-east-1');
    expect(first.how).toBe('registered');
    expect(registered[0]).toMatchObject({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '1024', memory: '2048' });
    const again = await ensureTaskDefinition(ecs, wanted, 'us-east-1');
    expect(again).toEqual({ ...first, how: 'reused' });
    const newer = await ensureTaskDefinition(ecs, { ...wanted, image: wanted.image.replace('0.1.0', '0.2.0') }, 'us-east-1');
    expect(newer.how).toBe('registered');
    expect(newer.arn).not.toBe(first.arn);
    expect(registered).toHaveLength(2);
  });

  it('a failing step names its own call: DescribeTaskDefinition when describing failed, RegisterTaskDefinition when registering did', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    const describing = scriptedEcs([]);
    describing.ecs.describeTaskDefinition = () => Promise.reject(denied);
    const first = await ensureTaskDefinition(describing.ecs, wanted, 'us-east-1').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(EcsCallError);
    expect(first).toMatchObject({ action: 'DescribeTaskDefinition', cause: denied });
    const registering = scriptedEcs([]);
    registering.ecs.registerTaskDefinition = () => Promise.reject(denied);
    expect(await ensureTaskDefinition(registering.ecs, wanted, 'us-east-1').catch((e: unknown) => e)).toMatchObject({
      action: 'RegisterTaskDefinition',
    });
  });

  it("--log-group sends each shard's output to CloudWatch Logs (awslogs), and a different group is a new revision", async () => {
    const { ecs, registered } = scriptedEcs([]);
    await ensureTaskDefinition(ecs, { ...wanted, logGroup: '/abx/fleet' }, 'eu-west-1');
    expect(registered[0].containerDefinitions?.[0].logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/abx/fleet', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'abx' },
    });
    expect((await ensureTaskDefinition(ecs, { ...wanted, logGroup: '/abx/fleet' }, 'eu-west-1')).how).toBe('reused');
    expect((await ensureTaskDefinition(ecs, wanted, 'eu-west-1')).how).toBe('registered');
  });

  it('--task-definition: takes the container named abx, or the only one, and refuses to guess among several', async () => {
    const one = {
      ...(taskDefinitionInput(wanted, 'us-east-1') as TaskDefinition),
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/mine:1',
      status: 'ACTIVE' as const,
    };
    one.containerDefinitions = [{ name: 'load', image: 'x' }];
    const two = { ...one, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/two:1' };
    two.containerDefinitions = [
      { name: 'load', image: 'x' },
      { name: 'sidecar', image: 'y' },
    ];
    const { ecs } = scriptedEcs([], [one, two]);
    expect(await givenTaskDefinition(ecs, one.taskDefinitionArn)).toMatchObject({ containerName: 'load', how: 'given' });
    await expect(givenTaskDefinition(ecs, two.taskDefinitionArn)).rejects.toThrow(/none is named "abx"/);
    await expect(givenTaskDefinition(ecs, 'nothing:9')).rejects.toThrow(/no such task definition/);
  });
});
