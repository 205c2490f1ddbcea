/**
 * The lab's ECS through the real AWS SDK v3 ECS client: task definitions
 * with ECS's Fargate checks, and tasks that run as local abx processes
 * against the lab's own loopback load balancer, with ECS's lifecycle, stop
 * codes and errors. Every load is bounded (-n small, or a StopTask).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LAB_CREDENTIALS, startLab, type Lab, type LabOptions } from '../../src/lab/index.js';

/** Spawning abx on a busy 2-core machine can take seconds; a task's whole life, tens of seconds. */
const TASK_TIMEOUT_MS = 90_000;
const POLL = { timeout: 75_000, interval: 250 };

function ecsClient(lab: Lab): ECSClient {
  // One attempt: a test that expects an error (throttling included) must see it, not a retry.
  return new ECSClient({ region: lab.region, endpoint: lab.apiUrl, credentials: { ...LAB_CREDENTIALS }, maxAttempts: 1 });
}

function fargate(family: string, extra: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput {
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '1024',
    memory: '2048',
    containerDefinitions: [{ name: 'abx', image: 'abx:lab', essential: true }],
    ...extra,
  };
}

function runInput(taskDefinition: string, command: string[] | undefined, extra: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'abx-fleet',
    taskDefinition,
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0abc'], assignPublicIp: 'DISABLED' } },
    ...(command ? { overrides: { containerOverrides: [{ name: 'abx', command }] } } : {}),
    ...extra,
  };
}

async function describeOne(ecs: ECSClient, taskArn: string): Promise<Task> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster: 'abx-fleet', tasks: [taskArn] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error(`task ${taskArn} is missing: ${JSON.stringify(out.failures)}`);
  return task;
}

/** Polls until the task is STOPPED; on a timeout, the error carries what the task wrote. */
async function waitStopped(lab: Lab, ecs: ECSClient, taskArn: string): Promise<Task> {
  let last: Task | undefined;
  try {
    await expect
      .poll(async () => {
        last = await describeOne(ecs, taskArn);
        return last.lastStatus;
      }, POLL)
      .toBe('STOPPED');
  } catch (error) {
    throw new Error(`${(error as Error).message}\ntask output: ${JSON.stringify(lab.taskOutput(taskArn))}`);
  }
  return last as Task;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function withLab(options: Partial<LabOptions>): Promise<{ lab: Lab; ecs: ECSClient }> {
  const lab = await startLab({ port: 0, ...options });
  return { lab, ecs: ecsClient(lab) };
}

describe('task definitions', () => {
  let lab: Lab;
  let ecs: ECSClient;
  beforeAll(async () => ({ lab, ecs } = await withLab({ taskStartDelayMs: 60_000 })));
  afterAll(async () => {
    ecs.destroy();
    await lab.close();
  });

  it('registers revisions per family and describes them by family, family:revision and ARN', async () => {
    const first = await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-shards', { tags: [{ key: 'team', value: 'load' }] })));
    const def = first.taskDefinition;
    expect(def?.taskDefinitionArn).toBe(`arn:aws:ecs:${lab.region}:123456789012:task-definition/abx-shards:1`);
    expect(def).toMatchObject({
      family: 'abx-shards',
      revision: 1,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
      requiresAttributes: [],
    });
    expect(def?.containerDefinitions?.[0]).toMatchObject({ name: 'abx', image: 'abx:lab', essential: true });
    expect(def?.registeredAt).toBeInstanceOf(Date);
    expect(Math.abs((def?.registeredAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(first.tags).toEqual([{ key: 'team', value: 'load' }]);

    const second = await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-shards', { cpu: '2048', memory: '4096' })));
    expect(second.taskDefinition?.revision).toBe(2);
    const other = await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-other')));
    expect(other.taskDefinition?.revision).toBe(1);

    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'abx-shards' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.taskDefinition?.cpu).toBe('2048');
    expect(latest.tags).toEqual([]);
    const byRevision = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'abx-shards:1' }));
    expect(byRevision.taskDefinition?.cpu).toBe('1024');
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: def?.taskDefinitionArn }));
    expect(byArn.taskDefinition?.revision).toBe(1);
    const withTags = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'abx-shards:1', include: ['TAGS'] }));
    expect(withTags.tags).toEqual([{ key: 'team', value: 'load' }]);
  });

  it('describing an unknown task definition is a ClientException', async () => {
    for (const ref of ['nope', 'abx-shards:99', 'arn:aws:ecs:us-east-1:123456789012:task-definition/nope:1']) {
      await expect(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }))).rejects.toMatchObject({
        name: 'ClientException',
        message: 'Unable to describe task definition.',
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it.each([
    [{ networkMode: 'bridge' }, "Fargate only supports network mode 'awsvpc'."],
    [{ cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    [{ memory: undefined }, "Fargate requires that 'memory' be defined at the task level."],
    [{ cpu: '256', memory: '4096' }, 'No Fargate configuration exists for given values: 256 CPU, 4096 memory.'],
    [{ cpu: '256', memory: '1536' }, 'No Fargate configuration exists for given values: 256 CPU, 1536 memory.'],
    [{ cpu: '8192', memory: '18432' }, 'No Fargate configuration exists for given values: 8192 CPU, 18432 memory.'],
    [{ cpu: '300', memory: '1024' }, 'No Fargate configuration exists for given values: 300 CPU, 1024 memory.'],
    [{ containerDefinitions: [] }, 'Container list cannot be empty.'],
    [{ containerDefinitions: [{ name: 'abx' }] }, 'Container.image should not be null or empty.'],
    [{ containerDefinitions: [{ image: 'abx:lab' }] }, 'Container.name should not be null or empty.'],
  ] as Array<[Partial<RegisterTaskDefinitionCommandInput>, string]>)('refuses %j as ECS does', async (change, message) => {
    await expect(ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-bad', change)))).rejects.toMatchObject({
      name: 'ClientException',
      message,
    });
  });

  it("accepts every edge of Fargate's sizes, and ECS's '1 vCPU' and '2 GB' forms", async () => {
    for (const [cpu, memory] of [
      ['256', '512'],
      ['256', '2048'],
      ['512', '4096'],
      ['4096', '30720'],
      ['8192', '61440'],
      ['16384', '122880'],
    ]) {
      const out = await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-sizes', { cpu, memory })));
      expect(out.taskDefinition).toMatchObject({ cpu, memory });
    }
    const named = await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-sizes', { cpu: '1 vCPU', memory: '2 GB' })));
    expect(named.taskDefinition).toMatchObject({ cpu: '1024', memory: '2048' });
  });
});

describe('tasks run abx against the lab', () => {
  let lab: Lab;
  let ecs: ECSClient;
  beforeAll(async () => {
    ({ lab, ecs } = await withLab({ taskStartDelayMs: 200 }));
    await ecs.send(
      new RegisterTaskDefinitionCommand(
        fargate('abx-run', {
          containerDefinitions: [
            { name: 'abx', image: 'abx:lab', essential: true, environment: [{ name: 'ABX_SHARD_INDEX', value: '0' }] },
          ],
        }),
      ),
    );
  });
  afterAll(async () => {
    ecs.destroy();
    await lab.close();
  });

  it(
    'RunTask starts a PROVISIONING task that runs a real load and stops with its exit code and output',
    async () => {
      const out = await ecs.send(
        new RunTaskCommand(runInput('abx-run', ['-n', '5', '-c', '1', '--no-observe', lab.url], { startedBy: 'abx-fleet-test' })),
      );
      expect(out.failures).toEqual([]);
      expect(out.tasks).toHaveLength(1);
      const started = out.tasks?.[0] as Task;
      expect(started.taskArn).toMatch(new RegExp(`^arn:aws:ecs:${lab.region}:123456789012:task/abx-fleet/[0-9a-f]{32}$`));
      expect(started).toMatchObject({
        clusterArn: `arn:aws:ecs:${lab.region}:123456789012:cluster/abx-fleet`,
        taskDefinitionArn: `arn:aws:ecs:${lab.region}:123456789012:task-definition/abx-run:1`,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        cpu: '1024',
        memory: '2048',
        startedBy: 'abx-fleet-test',
        group: 'family:abx-run',
      });
      expect(started.createdAt).toBeInstanceOf(Date);
      expect(started.containers?.[0]).toMatchObject({ name: 'abx', image: 'abx:lab', taskArn: started.taskArn });

      const task = await waitStopped(lab, ecs, started.taskArn as string);
      const output = lab.taskOutput(started.taskArn as string);
      expect(task, JSON.stringify(output)).toMatchObject({
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
      });
      expect(task.containers?.[0]?.exitCode, JSON.stringify(output)).toBe(0);
      expect(task.containers?.[0]?.lastStatus).toBe('STOPPED');
      expect(task.startedAt).toBeInstanceOf(Date);
      expect(task.stoppedAt?.getTime()).toBeGreaterThanOrEqual(task.startedAt?.getTime() ?? Infinity);
      expect(task.availabilityZone).toMatch(new RegExp(`^${lab.region}[ab]$`));
      expect(task.attachments?.[0]).toMatchObject({ type: 'ElasticNetworkInterface', status: 'DELETED' });
      expect(task.attachments?.[0]?.details).toContainEqual({ name: 'subnetId', value: 'subnet-0abc' });
      expect(task.containers?.[0]?.runtimeId).toMatch(/^[0-9a-f]{32}-\d+$/);
      expect(output?.stdout).toMatch(/Complete requests:\s+5\n/);
      // The task is found by its id as well as its ARN.
      const id = (started.taskArn as string).split('/').pop() as string;
      expect(lab.taskOutput(id)?.stdout).toBe(output?.stdout);
    },
    TASK_TIMEOUT_MS,
  );

  it(
    "the task's environment holds the lab's endpoint and the overrides' variables, over the definition's",
    async () => {
      const key = 'ecs-test/shard-1.json';
      const command = ['--shard', 'auto/2', '-n', '10', '-c', '2', '--no-observe', '-q', '--out', `s3://abx-lab-results/${key}`, lab.url];
      const out = await ecs.send(
        new RunTaskCommand(
          runInput('abx-run', undefined, {
            overrides: { containerOverrides: [{ name: 'abx', command, environment: [{ name: 'ABX_SHARD_INDEX', value: '1' }] }] },
          }),
        ),
      );
      const taskArn = out.tasks?.[0]?.taskArn as string;
      const task = await waitStopped(lab, ecs, taskArn);
      expect(task.containers?.[0]?.exitCode, JSON.stringify(lab.taskOutput(taskArn))).toBe(0);
      // The result reached the lab's S3 (AWS_ENDPOINT_URL), and is shard 1 (the override's ABX_SHARD_INDEX).
      const s3 = new S3Client({ region: lab.region, endpoint: lab.apiUrl, forcePathStyle: true, credentials: { ...LAB_CREDENTIALS } });
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: 'abx-lab-results', Key: key }));
        const result = JSON.parse((await object.Body?.transformToString('utf8')) ?? '{}') as { shard?: { index: number; count: number } };
        expect(result.shard).toMatchObject({ index: 1, count: 2 });
      } finally {
        s3.destroy();
      }
    },
    TASK_TIMEOUT_MS,
  );

  it(
    'StopTask ends a running load: SIGTERM, abx reports and exits 130, UserInitiated with the reason given',
    async () => {
      const out = await ecs.send(new RunTaskCommand(runInput('abx-run', ['-t', '60', '-c', '1', '--no-observe', lab.url])));
      const taskArn = out.tasks?.[0]?.taskArn as string;
      await expect.poll(async () => (await describeOne(ecs, taskArn)).lastStatus, POLL).toBe('RUNNING');
      const pid = lab.taskPid(taskArn) as number;
      expect(pid).toBeGreaterThan(0);
      expect(isAlive(pid)).toBe(true);
      // abx prints its banner just before it takes SIGTERM over; a stop before that would kill it outright.
      await expect.poll(() => lab.taskOutput(taskArn)?.stdout ?? '', POLL).toMatch(/Benchmarking/);

      const stopped = await ecs.send(new StopTaskCommand({ cluster: 'abx-fleet', task: taskArn, reason: 'test over' }));
      expect(stopped.task).toMatchObject({ taskArn, desiredStatus: 'STOPPED' });
      expect(stopped.task?.stoppingAt).toBeInstanceOf(Date);

      const task = await waitStopped(lab, ecs, taskArn);
      expect(task).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'test over' });
      expect(task.containers?.[0]?.exitCode, JSON.stringify(lab.taskOutput(taskArn))).toBe(130);
      expect(lab.taskOutput(taskArn)?.stdout).toMatch(/Complete requests:\s+\d+/);
      expect(isAlive(pid)).toBe(false);
    },
    TASK_TIMEOUT_MS,
  );
});

describe('task faults', () => {
  it(
    'bad-command runs abx with a flag it refuses (exit 2); cannot-pull never starts (TaskFailedToStart)',
    async () => {
      const { lab, ecs } = await withLab({
        taskStartDelayMs: 0,
        taskFaults: [
          { task: 0, fault: 'bad-command' },
          { task: 1, fault: 'cannot-pull' },
        ],
      });
      try {
        await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-faults')));
        const bad = await ecs.send(new RunTaskCommand(runInput('abx-faults', ['-n', '1', '--no-observe', lab.url])));
        const badArn = bad.tasks?.[0]?.taskArn as string;
        const pull = await ecs.send(new RunTaskCommand(runInput('abx-faults', ['-n', '1', '--no-observe', lab.url])));
        const pullArn = pull.tasks?.[0]?.taskArn as string;

        const badTask = await waitStopped(lab, ecs, badArn);
        expect(badTask.stopCode).toBe('EssentialContainerExited');
        expect(badTask.containers?.[0]?.exitCode, JSON.stringify(lab.taskOutput(badArn))).toBe(2);
        expect(lab.taskOutput(badArn)?.stderr).toMatch(/no-such-flag/);

        const pullTask = await waitStopped(lab, ecs, pullArn);
        const reason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref abx:lab: not found';
        expect(pullTask).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: reason });
        expect(pullTask.containers?.[0]?.reason).toBe(reason);
        expect(pullTask.containers?.[0]?.exitCode).toBeUndefined();
        expect(lab.taskPid(pullArn)).toBeUndefined();

        // A variable no process can be given (a NUL byte): the container cannot start, and the lab goes on.
        const unstartable = await ecs.send(
          new RunTaskCommand(
            runInput('abx-faults', undefined, {
              overrides: {
                containerOverrides: [{ name: 'abx', command: ['-n', '1', lab.url], environment: [{ name: 'X', value: 'a\0b' }] }],
              },
            }),
          ),
        );
        const unstartableTask = await waitStopped(lab, ecs, unstartable.tasks?.[0]?.taskArn as string);
        expect(unstartableTask.stopCode).toBe('TaskFailedToStart');
        expect(unstartableTask.stoppedReason).toMatch(/^CannotStartContainerError: /);
        expect(unstartableTask.containers?.[0]?.reason).toBe(unstartableTask.stoppedReason);
      } finally {
        ecs.destroy();
        await lab.close();
      }
    },
    TASK_TIMEOUT_MS,
  );
});

describe('RunTask, DescribeTasks, ListTasks and StopTask on tasks still provisioning', () => {
  // A minute's start delay: every task here stays PROVISIONING, and no process is started.
  let lab: Lab;
  let ecs: ECSClient;
  beforeAll(async () => {
    ({ lab, ecs } = await withLab({ taskStartDelayMs: 60_000 }));
    await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-parked')));
    await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-parked-2')));
  });
  afterAll(async () => {
    ecs.destroy();
    await lab.close();
  });

  it('the same clientToken again answers the same tasks and starts none', async () => {
    const input = runInput('abx-parked', ['-n', '1', lab.url], { count: 2, clientToken: 'token-1', startedBy: 'idempotent' });
    const first = await ecs.send(new RunTaskCommand(input));
    const again = await ecs.send(new RunTaskCommand(input));
    expect(first.tasks?.map((t) => t.taskArn)).toHaveLength(2);
    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'idempotent' }));
    expect(listed.taskArns?.sort()).toEqual(first.tasks?.map((t) => t.taskArn).sort());
  });

  it('ListTasks filters by cluster, family, startedBy and desired status, page by page', async () => {
    const a = await ecs.send(new RunTaskCommand(runInput('abx-parked', undefined, { count: 3, startedBy: 'lister' })));
    const b = await ecs.send(new RunTaskCommand(runInput('abx-parked-2', undefined, { count: 1, startedBy: 'lister' })));
    await ecs.send(new RunTaskCommand(runInput('abx-parked', undefined, { cluster: 'elsewhere', startedBy: 'lister' })));
    const arnsA = a.tasks?.map((t) => t.taskArn as string) ?? [];
    const arnB = b.tasks?.[0]?.taskArn as string;

    const running = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'lister' }));
    expect(running.taskArns).toEqual([...arnsA, arnB]);
    const family = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'lister', family: 'abx-parked-2' }));
    expect(family.taskArns).toEqual([arnB]);

    const stop = await ecs.send(new StopTaskCommand({ cluster: 'abx-fleet', task: arnsA[0] }));
    // Never spawned: it stops at once.
    expect(stop.task).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(stop.task?.stoppedReason).toBe('Task stopped by user');
    expect(lab.taskPid(arnsA[0])).toBeUndefined();

    const stopped = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'lister', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([arnsA[0]]);
    const page1 = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'lister', maxResults: 2 }));
    expect(page1.taskArns).toEqual([arnsA[1], arnsA[2]]);
    expect(page1.nextToken).toBeDefined();
    const page2 = await ecs.send(
      new ListTasksCommand({ cluster: 'abx-fleet', startedBy: 'lister', maxResults: 2, nextToken: page1.nextToken }),
    );
    expect(page2.taskArns).toEqual([arnB]);
    expect(page2.nextToken).toBeUndefined();
  });

  it('DescribeTasks answers known tasks and lists unknown ones as MISSING', async () => {
    const run = await ecs.send(new RunTaskCommand(runInput('abx-parked', undefined, { tags: [{ key: 'k', value: 'v' }] })));
    const arn = run.tasks?.[0]?.taskArn as string;
    expect(run.tasks?.[0]?.tags).toEqual([{ key: 'k', value: 'v' }]);
    const unknown = `arn:aws:ecs:${lab.region}:123456789012:task/abx-fleet/${'0'.repeat(32)}`;
    const out = await ecs.send(new DescribeTasksCommand({ cluster: 'abx-fleet', tasks: [arn, unknown], include: ['TAGS'] }));
    expect(out.tasks?.map((t) => t.taskArn)).toEqual([arn]);
    expect(out.tasks?.[0]?.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
    // A task is in its own cluster only.
    const wrongCluster = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
    expect(wrongCluster.failures).toEqual([{ arn, reason: 'MISSING' }]);
  });

  it.each([
    ['an unknown task definition', runInput('nope', undefined), 'ClientException', 'TaskDefinition not found.'],
    [
      'no subnets',
      runInput('abx-parked', undefined, { networkConfiguration: undefined }),
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    ],
    [
      'an override for a container that is not there',
      runInput('abx-parked', undefined, { overrides: { containerOverrides: [{ name: 'sidecar', command: ['-n', '1'] }] } }),
      'InvalidParameterException',
      'Override for container named sidecar is not a container in the TaskDefinition.',
    ],
    ['count 11', runInput('abx-parked', undefined, { count: 11 }), 'InvalidParameterException', 'Count must be between 1 and 10.'],
    ['count 0', runInput('abx-parked', undefined, { count: 0 }), 'InvalidParameterException', 'Count must be between 1 and 10.'],
    [
      'a startedBy over 36 characters',
      runInput('abx-parked', undefined, { startedBy: 'x'.repeat(37) }),
      'InvalidParameterException',
      'startedBy must be 36 characters or less.',
    ],
  ] as Array<[string, RunTaskCommandInput, string, string]>)('RunTask with %s is refused', async (_what, input, name, message) => {
    await expect(ecs.send(new RunTaskCommand(input))).rejects.toMatchObject({ name, message, $metadata: { httpStatusCode: 400 } });
  });

  it('StopTask of an unknown task and DescribeTasks of more than 100 are refused', async () => {
    await expect(ecs.send(new StopTaskCommand({ cluster: 'abx-fleet', task: '0'.repeat(32) }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.',
    });
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    await expect(ecs.send(new DescribeTasksCommand({ cluster: 'abx-fleet', tasks: many }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('answers unknown operations and bad JSON in the JSON 1.1 error shape', async () => {
    const post = (target: string, body: string): Promise<Response> =>
      fetch(lab.apiUrl, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' }, body });
    const unknown = await post('AmazonEC2ContainerServiceV20141113.CreateService', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const bad = await post('AmazonEC2ContainerServiceV20141113.RunTask', '{not json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'SerializationException' });
  });
});

describe('the lab runs at most 32 tasks at once', () => {
  it('RunTask past 32 live tasks answers the extra ones as failures', async () => {
    const { lab, ecs } = await withLab({ taskStartDelayMs: 60_000 });
    try {
      await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-many')));
      const arns: string[] = [];
      for (let i = 0; i < 3; i++) {
        const out = await ecs.send(new RunTaskCommand(runInput('abx-many', undefined, { count: 10 })));
        expect(out.failures).toEqual([]);
        arns.push(...(out.tasks ?? []).map((t) => t.taskArn as string));
      }
      const over = await ecs.send(new RunTaskCommand(runInput('abx-many', undefined, { count: 5 })));
      expect(over.tasks).toHaveLength(2);
      expect(over.failures).toEqual(Array(3).fill({ reason: 'RESOURCE:LAB (at most 32 tasks run at once on this machine)' }));
      // A stopped task makes room again.
      await ecs.send(new StopTaskCommand({ cluster: 'abx-fleet', task: arns[0] }));
      const room = await ecs.send(new RunTaskCommand(runInput('abx-many', undefined)));
      expect(room.tasks).toHaveLength(1);
      expect(room.failures).toEqual([]);
    } finally {
      ecs.destroy();
      await lab.close();
    }
  });
});

describe('RunTask throttling', () => {
  it('an empty token bucket answers ThrottlingException "Rate exceeded"', async () => {
    const { lab, ecs } = await withLab({ taskStartDelayMs: 60_000, runTaskThrottle: { burst: 2, perSec: 0.001 } });
    try {
      await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-throttled')));
      await ecs.send(new RunTaskCommand(runInput('abx-throttled', undefined)));
      await ecs.send(new RunTaskCommand(runInput('abx-throttled', undefined)));
      await expect(ecs.send(new RunTaskCommand(runInput('abx-throttled', undefined)))).rejects.toMatchObject({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      });
      // Only RunTask is throttled.
      const listed = await ecs.send(new ListTasksCommand({ cluster: 'abx-fleet' }));
      expect(listed.taskArns).toHaveLength(2);
    } finally {
      ecs.destroy();
      await lab.close();
    }
  });
});

describe('close()', () => {
  it(
    'kills every task process and waits for it',
    async () => {
      const { lab, ecs } = await withLab({ taskStartDelayMs: 0 });
      let pid = 0;
      try {
        await ecs.send(new RegisterTaskDefinitionCommand(fargate('abx-close')));
        const out = await ecs.send(new RunTaskCommand(runInput('abx-close', ['-t', '60', '-c', '1', '--no-observe', lab.url])));
        const taskArn = out.tasks?.[0]?.taskArn as string;
        await expect.poll(async () => (await describeOne(ecs, taskArn)).lastStatus, POLL).toBe('RUNNING');
        pid = lab.taskPid(taskArn) as number;
        expect(isAlive(pid)).toBe(true);
      } finally {
        ecs.destroy();
        await lab.close();
      }
      expect(isAlive(pid)).toBe(false);
    },
    TASK_TIMEOUT_MS,
  );
});
