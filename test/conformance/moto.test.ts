/**
 * abx's AWS side against moto's server, an AWS implementation this project
 * did not write: discovery in its three forms, `abx check` before and after
 * the course's fix, `abx watch --once`, a run observing the group while its
 * desired capacity changes, and results written to and merged from S3.
 *
 * moto has gaps of its own, as AWS can: no scaling activity for a manual
 * change, no alarms for a target-tracking policy, HTML 500s for calls it
 * does not implement. abx must degrade and say so, as it would on AWS; nothing
 * here (or in abx) recognises moto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsApi } from '../../src/aws/clients.js';
import { classifyAwsError } from '../../src/aws/errors.js';
import type { Check } from '../../src/check/types.js';
import { discover } from '../../src/observe/discover.js';
import type { Result } from '../../src/stats/result.js';
import { runAbx, startAbx } from '../cli/abx-process.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { buildCourse, fixLoadBalancerGroup, setDesiredCapacity, startMoto, type Course, type Moto } from './moto.js';

let moto: Moto;
let course: Course;
let target: TestServer;

beforeAll(async () => {
  moto = await startMoto();
  course = await buildCourse(moto.url);
  target = await startServer();
}, 120_000);
afterAll(async () => {
  await target?.close();
  await moto?.close();
});

const env = { AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests', AWS_REGION: 'us-east-1', COLUMNS: '200' };
const albUrl = (): string => `http://${course.dnsName}/`;

async function checkJson(
  form: 'asg' | 'targetGroup' | 'url',
): Promise<{ code: number | null; checks: Record<string, Check>; stderr: string }> {
  const args = form === 'asg' ? ['--asg', course.asg] : form === 'targetGroup' ? ['--target-group', course.targetGroupArn] : [albUrl()];
  const run = await runAbx(['check', ...args, '--endpoint-url', moto.url, '--json'], { env, timeoutMs: 60_000 });
  const doc = JSON.parse(run.stdout) as { checks: Check[] };
  return { code: run.code, checks: Object.fromEntries(doc.checks.map((c) => [c.id, c])), stderr: run.stderr };
}

describe('discovery against moto', () => {
  it.each([
    ['--asg', { asg: 'course-asg' }],
    ['--target-group', { targetGroupArn: '' }],
    ['the ALB URL', { url: '' }],
  ] as const)('from %s: the group, the target group, the load balancer (its ARN), the policy; no alarms, said', async (_name, form) => {
    const input =
      'targetGroupArn' in form
        ? { targetGroupArn: course.targetGroupArn }
        : 'url' in form
          ? { url: new URL(albUrl()) }
          : { asg: course.asg };
    const api = await createAwsApi({ region: 'us-east-1', endpointUrl: moto.url, maxAttempts: 1 });
    try {
      const found = await discover(api, input, { loadBalancer: true });
      expect(found.target).toMatchObject({
        asg: course.asg,
        targetGroupArn: course.targetGroupArn,
        loadBalancerArn: course.loadBalancerArn,
        policy: { name: course.policy, targetValue: 60, metric: 'RequestCountPerTarget' },
      });
      expect(found.loadBalancer?.DNSName).toBe(course.dnsName);
      expect(found.troubles).toEqual([]);
      // moto names the load balancer once per listener in the target group's LoadBalancerArns: still one load balancer.
      expect(found.notes).toEqual([]);
      // moto creates no alarms for a target-tracking policy: what abx cannot follow is said, not skipped over.
      expect(found.missing).toEqual([
        { part: 'alarms', reason: `policy ${course.policy} lists no CloudWatch alarms: abx cannot say when it would act` },
      ]);
    } finally {
      api.destroy();
    }
  });

  it('a call moto does not implement answers an HTML page: read as "HTTP 500 from <Action>: <its first line>"', async () => {
    const api = await createAwsApi({ region: 'us-east-1', endpointUrl: moto.url, maxAttempts: 1 });
    try {
      const error = await api.describeAlarmHistory({ AlarmName: 'any' }).catch((e: unknown) => e);
      expect(classifyAwsError(error, 'DescribeAlarmHistory').message).toBe('HTTP 500 from DescribeAlarmHistory: 500 Internal Server Error');
    } finally {
      api.destroy();
    }
  });
});

describe('abx check against moto', () => {
  it('--asg, --target-group and the URL all FAIL alb-sg-world on the course architecture; after the fix it PASSes', async () => {
    for (const form of ['asg', 'targetGroup', 'url'] as const) {
      const { code, checks, stderr } = await checkJson(form);
      expect(code, `${form}: ${stderr}`).toBe(1);
      expect(checks['security.alb-sg-world'], form).toMatchObject({ status: 'FAIL' });
      expect(checks['security.alb-sg-world'].summary).toMatch(
        /course-alb-sg \(sg-[0-9a-f]+\) is open to the world beyond the listener ports 80, 90: 0\.0\.0\.0\/0 on tcp 0-65535/,
      );
      expect(checks['security.listener-ports'].summary).toContain('port 90');
      expect(checks['security.admin-ports'].status).toBe('FAIL');
      // Read, not assumed: the load balancer's zones and the launch template.
      expect(checks['failure.alb-azs'].status).toBe('PASS');
      expect(checks['security.imdsv2'].status).toBe('WARN');
      expect(checks['scalability.policy'].status).toBe('PASS');
      expect(Object.values(checks).filter((c) => c.status === 'SKIP')).toEqual([]);
    }
    await fixLoadBalancerGroup(moto.url, course);
    const after = await checkJson('asg');
    expect(after.checks['security.alb-sg-world']).toMatchObject({ status: 'PASS', fix: null });
    expect(after.checks['security.listener-ports'].status).toBe('PASS');
    expect(after.checks['security.admin-ports'].status).toBe('PASS');
    // The text table says the same, counting every status.
    const text = await runAbx(['check', '--asg', course.asg, '--endpoint-url', moto.url], { env, timeoutMs: 60_000 });
    expect(text.stdout).toMatch(/^ {2}PASS {2}alb-sg-world/m);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toMatch(/^(\d+ (FAIL|WARN|SKIP|PASS|INFO)(, )?)+$/);
  }, 180_000);
});

describe('abx watch --once against moto', () => {
  it('prints the group and its state, and says what it could not follow rather than "no change"', async () => {
    const run = await runAbx(['watch', '--asg', course.asg, '--endpoint-url', moto.url, '--once'], { env, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${course.asg} (us-east-1)\n`);
    expect(run.stdout).toContain(`policy ${course.policy}: RequestCountPerTarget target 60\n`);
    expect(run.stdout).toMatch(/desired \d+ {2}InService \d+ {2}Pending \d+/);
    expect(run.stdout).toContain('no alarm to follow (the policy names none, or none could be read)\n');
    expect(run.stdout).toContain('instance changes need two looks: abx watch without --once follows them\n');
    expect(run.stdout).not.toMatch(/no scaling activity, alarm change or instance change/);
    expect(run.stderr).toContain(`abx: warning: policy ${course.policy} lists no CloudWatch alarms: abx cannot say when it would act\n`);
  }, 60_000);
});

describe('a run observed against moto', () => {
  it('follows the group found from the ALB URL while the test raises its desired capacity; no scaling activity from moto, so the capacity increase stands in', async () => {
    const port = new URL(target.url).port;
    const url = `http://${course.dnsName}:${port}/`;
    const run = startAbx(
      [
        '-t',
        '8s',
        '-c',
        '2',
        '--resolve',
        `${course.dnsName}:${port}:127.0.0.1`,
        '--endpoint-url',
        moto.url,
        '--poll-interval',
        '1s',
        '--linger',
        '0',
        '--json',
        url,
      ],
      { env, timeoutMs: 90_000 },
    );
    const before = target.requests;
    // The load has begun (the observer's first look came before it): change the group under it.
    await expect.poll(() => target.requests > before, { timeout: 30_000 }).toBe(true);
    await setDesiredCapacity(moto.url, course, 4);
    const outcome = await run.done;
    expect(outcome.code, outcome.stderr).toBe(0);
    const result = JSON.parse(outcome.stdout) as Result;
    const o = result.observation!;
    expect(o.asg).toBe(course.asg);
    expect(o.loadBalancer).toBe(course.loadBalancerArn);
    expect(o.targetGroup).toBe(course.targetGroupArn);
    const desired = o.samples.filter((s) => s.metric === 'DesiredCapacity').map((s) => s.value);
    expect(desired[0]).toBe(2);
    expect(desired.at(-1)).toBe(4);
    expect(o.events.filter((e) => e.kind === 'instance' && e.fromState === undefined).length).toBeGreaterThanOrEqual(2);
    expect(o.events.some((e) => e.kind === 'scaling-activity')).toBe(false);
    expect(o.warnings).toContain(`policy ${course.policy} lists no CloudWatch alarms: abx cannot say when it would act`);
  }, 120_000);
});

describe('results on S3 (moto)', () => {
  it('--out s3:// writes each shard, abx merge reads the prefix back, and a missing bucket is exit 2 before any request', async () => {
    const before = target.requests;
    const missing = await runAbx(
      ['-n', '20', '--out', 's3://no-such-bucket/r.json', '--endpoint-url', moto.url, '--no-observe', target.url],
      {
        env,
        timeoutMs: 60_000,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^abx: cannot write to s3:\/\/no-such-bucket\/r\.json: PutObject: NoSuchBucket/);
    expect(target.requests).toBe(before);

    const runs = await Promise.all(
      [0, 1].map((i) =>
        runAbx(
          [
            '-n',
            '40',
            '-c',
            '2',
            '--shard',
            `${i}/2`,
            '--endpoint-url',
            moto.url,
            '--out',
            `s3://${course.bucket}/run/shard-${i}.json`,
            '--no-observe',
            target.url,
          ],
          { env, timeoutMs: 60_000 },
        ),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const merged = await runAbx(['merge', `s3://${course.bucket}/run/`], {
      env: { ...env, AWS_ENDPOINT_URL: moto.url },
      timeoutMs: 60_000,
    });
    expect(merged.code, merged.stderr).toBe(0);
    expect((JSON.parse(merged.stdout) as Result).totals.requests).toBe(40);
  }, 120_000);
});
