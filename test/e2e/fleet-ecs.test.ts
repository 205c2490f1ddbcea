/**
 * `abx fleet` on ECS Fargate, end to end on loopback: the real abx fleet code
 * path through the real AWS SDK against the lab, whose ECS "runs" each task
 * as a local abx process and whose S3 holds the shards' results. Every
 * request goes to the lab's load balancer on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LAB_CREDENTIALS, startLab, type Lab, type LabOptions } from '../../src/lab/index.js';
import type { Result } from '../../src/stats/result.js';
import { abField, runAbx, startAbx } from '../cli/abx-process.js';

let dir: string;
let lab: Lab | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'abx-fleet-ecs-'));
});
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A lab whose tasks launch quickly (the default launch delay mimics Fargate's, compressed). */
async function fleetLab(options: Partial<LabOptions> = {}): Promise<Lab> {
  lab = await startLab({ port: 0, taskStartDelayMs: 200, ...options });
  return lab;
}

function awsEnv(l: Lab): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: l.apiUrl,
    AWS_REGION: l.region,
    AWS_ACCESS_KEY_ID: LAB_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LAB_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** stderr with abx's wrapped lines joined again (a long line continues on the next, indented by two). */
const unwrapped = (text: string): string => text.replace(/\n {2}(?=\S)/g, ' ');

const sdkConfig = (l: Lab) => ({ region: l.region, endpoint: l.apiUrl, credentials: { ...LAB_CREDENTIALS } });

/** The lab load balancer's RequestCount, summed over every period since it started. */
async function loadBalancerRequests(l: Lab, sinceMs: number): Promise<number> {
  const cw = new CloudWatchClient(sdkConfig(l));
  try {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(sinceMs - 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: 'requests',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCount',
                Dimensions: [{ Name: 'LoadBalancer', Value: l.loadBalancerArn.split(':loadbalancer/')[1] }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
  } finally {
    cw.destroy();
  }
}

/** `abx fleet` in one of the lab's subnets, writing under s3://abx-lab-results/<prefix>: the test's flags, then the lab's URL. */
function fleetArgs(l: Lab, prefix: string, flags: string[]): string[] {
  return ['fleet', '--results', `s3://abx-lab-results/${prefix}`, '--subnets', 'subnet-0123456789abcdef0', ...flags, l.url];
}

/** What the lab's tasks printed, for a failure's message. */
async function taskLogs(l: Lab): Promise<string> {
  const ecs = new ECSClient(sdkConfig(l));
  try {
    const arns = [
      ...((await ecs.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }))).taskArns ?? []),
      ...((await ecs.send(new ListTasksCommand({ desiredStatus: 'RUNNING' }))).taskArns ?? []),
    ];
    return arns.map((arn) => `${arn}\n${l.taskOutput(arn)?.stderr ?? ''}`).join('\n');
  } finally {
    ecs.destroy();
  }
}

describe('abx fleet on ECS (the lab)', () => {
  it('3 tasks send 3,000 requests together, write 3 shard results, and give back one merged report with the scaling timeline', async () => {
    // Instances that serve the whole load at once: the run takes seconds, not the minute 2 small instances would need.
    const l = await fleetLab({ instanceCapacity: 1000 });
    const startedMs = Date.now();
    const merged = join(dir, 'merged.json');
    const outcome = await runAbx(
      [
        'fleet',
        '--tasks',
        '3',
        '-n',
        '3000',
        '-c',
        '10',
        '-k',
        '--results',
        's3://abx-lab-results/t1',
        '--asg',
        l.asgName,
        // Room for three processes to start on a busy machine: the shards then wait and begin together.
        '--start-margin',
        '10s',
        '--poll-interval',
        '1s',
        '--linger',
        '1s',
        '--out',
        merged,
        '--assert',
        'errors<1%',
        '--junit',
        join(dir, 'fleet.junit.xml'),
        l.url,
      ],
      { env: awsEnv(l), timeoutMs: 120_000 },
    );
    expect(outcome.code, `${outcome.stderr}\n${await taskLogs(l)}`).toBe(0);

    // One merged ab report with every request, and a row per shard.
    expect(abField(outcome.stdout, 'Complete requests')).toBe('3000');
    expect(abField(outcome.stdout, 'Failed requests')).toBe('0');
    expect(outcome.stdout).toMatch(/^Shards\nShard +Task +Requests/m);
    for (const i of [0, 1, 2]) expect(outcome.stdout).toMatch(new RegExp(`^${i} +[0-9a-f]{12} +1000 `, 'm'));
    expect(outcome.stderr).toMatch(/tasks: \d+ pending, \d+ running, \d+ stopped/);

    // The merged result: three shards of one run, started within a second of each other, and observed.
    const result = JSON.parse(readFileSync(merged, 'utf8')) as Result;
    expect(result.totals.requests).toBe(3000);
    // --assert and --junit judge the merged run, not each shard's part of it.
    expect(result.assertions).toEqual([expect.objectContaining({ expression: 'errors<1%', passed: true })]);
    expect(readFileSync(join(dir, 'fleet.junit.xml'), 'utf8')).toMatch(/<testcase [^>]*name="errors&lt;1%"/);
    expect(result.mergedFrom).toHaveLength(3);
    expect(result.observation?.asg).toBe(l.asgName);
    expect(result.observation?.samples.length ?? 0).toBeGreaterThan(0);
    expect(outcome.stdout).toMatch(/^Scaling timeline: /m);

    // The three shard objects, each one shard's start: together within 1 s.
    const s3 = new S3Client({ ...sdkConfig(l), forcePathStyle: true });
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'abx-lab-results', Prefix: 't1/' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['t1/shard-0.json', 't1/shard-1.json', 't1/shard-2.json']);
    } finally {
      s3.destroy();
    }
    const shards = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const got = await runAbx(['report', '--format', 'json', `s3://abx-lab-results/t1/shard-${i}.json`], {
          env: awsEnv(l),
          timeoutMs: 60_000,
        });
        expect(got.code, got.stderr).toBe(0);
        return JSON.parse(got.stdout) as Result;
      }),
    );
    const starts = shards.map((s) => s.startedAtMs);
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1000);
    expect(shards.map((s) => s.shard?.index)).toEqual([0, 1, 2]);

    // The lab's load balancer counted every request, once.
    await expect.poll(() => loadBalancerRequests(l, startedMs), { timeout: 30_000, interval: 500 }).toBe(3000);
  }, 180_000);

  it("a task that fails (a bad command) is reported with its stop reason; the others merge, never an earlier run's object; exit 1, or 0 with --allow-partial", async () => {
    // The lab's tasks count from 0 over its life: 3 per fleet below, so 4 is the second fleet's shard 1, 7 the third's.
    const l = await fleetLab({
      taskFaults: [
        { task: 4, fault: 'bad-command' },
        { task: 7, fault: 'bad-command' },
      ],
    });
    const args = (extra: string[] = []): string[] =>
      fleetArgs(l, 'same', ['--tasks', '3', '-n', '300', '-c', '3', '--start-margin', '3s', ...extra]);
    const first = await runAbx(args(), { env: awsEnv(l), timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(abField(first.stdout, 'Complete requests')).toBe('300');

    // Again under the same prefix: shard 1 fails, and the first fleet's shard-1.json is still there.
    const outcome = await runAbx(args(), { env: awsEnv(l), timeoutMs: 120_000 });
    expect(outcome.code, outcome.stderr).toBe(1);
    const said = unwrapped(outcome.stderr);
    expect(said).toMatch(/s3:\/\/abx-lab-results\/same\/ already holds 3 results/);
    expect(said).toMatch(/shard 1 \(task [0-9a-f]+\): exit 2 \(EssentialContainerExited: Essential container in task exited\)/);
    expect(said).toMatch(/1 of 3 shards failed/);
    // The other two shards' requests are reported (not the stale shard 1's); shard 1 has a row of dashes.
    expect(abField(outcome.stdout, 'Complete requests')).toBe('200');
    expect(outcome.stdout).toMatch(/^1 +[0-9a-f]{12} +- +- +- +- +-$/m);

    // A third time with --allow-partial: the same failure, and exit 0.
    const partial = await runAbx(args(['--allow-partial']), { env: awsEnv(l), timeoutMs: 120_000 });
    expect(partial.code, partial.stderr).toBe(0);
    expect(abField(partial.stdout, 'Complete requests')).toBe('200');
  }, 240_000);

  it('a task that cannot start says why (CannotPullContainerError)', async () => {
    const l = await fleetLab({ taskFaults: [{ task: 0, fault: 'cannot-pull' }] });
    const outcome = await runAbx(
      fleetArgs(l, 'pull', ['--tasks', '2', '-n', '20', '-c', '2', '--start-margin', '2s', '--image', 'abx:missing', '--no-color']),
      // --no-color wins over FORCE_COLOR, as in a run: neither stream has a colour code.
      { env: { ...awsEnv(l), FORCE_COLOR: '1' }, timeoutMs: 120_000 },
    );
    expect(outcome.stdout + outcome.stderr).not.toContain('\x1b[');
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(unwrapped(outcome.stderr)).toMatch(/task definition arn:aws:ecs:[^ ]+:task-definition\/abx-fleet:\d+ \(registered now\)/);
    expect(unwrapped(outcome.stderr)).toMatch(/shard 0 \(task [0-9a-f]+\): TaskFailedToStart: CannotPullContainerError/);
    expect(abField(outcome.stdout, 'Complete requests')).toBe('10');
  }, 180_000);

  it('a throttled RunTask is retried until every shard runs once (the client token keeps a retry one task)', async () => {
    // One call in the bucket, refilled twice a second: most of the launch is throttled.
    const l = await fleetLab({ runTaskThrottle: { burst: 1, perSec: 2 } });
    const outcome = await runAbx(fleetArgs(l, 'throttled', ['--tasks', '4', '-n', '40', '-c', '4', '--start-margin', '8s']), {
      env: awsEnv(l),
      timeoutMs: 120_000,
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(abField(outcome.stdout, 'Complete requests')).toBe('40');
    const ecs = new ECSClient(sdkConfig(l));
    try {
      const arns = (await ecs.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }))).taskArns ?? [];
      expect(arns).toHaveLength(4);
    } finally {
      ecs.destroy();
    }
  }, 180_000);

  it('a start margin too short for the launch: the shards start late, record how late, and abx says to raise it', async () => {
    // The start is at most a second away (whole seconds) and the tasks take 2.5 s to launch: every shard is late.
    const l = await fleetLab({ taskStartDelayMs: 2500 });
    const outcome = await runAbx(fleetArgs(l, 'late', ['--tasks', '2', '-n', '20', '-c', '2', '--start-margin', '1ms', '--json']), {
      env: awsEnv(l),
      timeoutMs: 120_000,
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(unwrapped(outcome.stderr)).toMatch(/2 of 2 shards started late, up to [\d.]+ s after the start: .*raise --start-margin/);
    const merged = JSON.parse(outcome.stdout) as Result;
    expect(merged.totals.requests).toBe(20);
  }, 180_000);

  it('Ctrl-C stops every task, collects what the shards wrote, and exits 130', async () => {
    const l = await fleetLab();
    const run = startAbx(fleetArgs(l, 'stop', ['--tasks', '2', '-t', '60s', '-c', '2', '--start-margin', '2s']), {
      env: awsEnv(l),
      timeoutMs: 120_000,
    });
    // Both tasks run and the start has passed; then wait until the load balancer has answered some of their requests.
    const sinceMs = Date.now();
    await run.waitFor(/0 pending, 2 running, 0 stopped · started/, 'stderr');
    await expect.poll(() => loadBalancerRequests(l, sinceMs), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(10);
    run.child.kill('SIGINT');
    const outcome = await run.done;
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(unwrapped(outcome.stderr)).toMatch(/interrupted: stopping 2 tasks/);
    // What the shards measured before StopTask's SIGTERM was written and merged.
    expect(Number(abField(outcome.stdout, 'Complete requests'))).toBeGreaterThan(0);

    const ecs = new ECSClient(sdkConfig(l));
    try {
      const arns = (await ecs.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }))).taskArns ?? [];
      const tasks = (await ecs.send(new DescribeTasksCommand({ tasks: arns }))).tasks ?? [];
      expect(tasks).toHaveLength(2);
      for (const task of tasks) {
        expect(task.stopCode).toBe('UserInitiated');
        expect(task.stoppedReason).toBe('abx fleet: interrupted (Ctrl-C)');
      }
    } finally {
      ecs.destroy();
    }
  }, 180_000);

  it('Ctrl-C during the linger ends the observation only: the load was whole, so the report is, and the exit is 0', async () => {
    const l = await fleetLab({ instanceCapacity: 1000 });
    const run = startAbx(
      fleetArgs(l, 'linger', [
        '--tasks',
        '2',
        '-n',
        '40',
        '-c',
        '2',
        '--asg',
        l.asgName,
        '--poll-interval',
        '1s',
        '--linger',
        '5m',
        '--start-margin',
        '3s',
      ]),
      { env: awsEnv(l), timeoutMs: 120_000 },
    );
    await run.waitFor(/observing 300 s more/, 'stderr');
    run.child.kill('SIGINT');
    const outcome = await run.done;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(abField(outcome.stdout, 'Complete requests')).toBe('40');
    expect(outcome.stdout).toMatch(/^Scaling timeline: /m);
  }, 180_000);
});
