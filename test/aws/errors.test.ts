/**
 * The AWS boundary's rules: one region rule, one error classifier (with an
 * HTML error page read as "HTTP 500 from <Action>: <its first line>", through
 * the real SDK), the IAM action of every call, one flag parser, abx's user
 * agent on every client, and no Node 20 warning from the library.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsApi, createS3Api } from '../../src/aws/clients.js';
import {
  ALL_IAM_ACTIONS,
  classifyAwsError,
  firstTextLine,
  iamActionFor,
  isThrottling,
  UnreadableAnswerError,
} from '../../src/aws/errors.js';
import { chooseRegion, resolveRegion } from '../../src/aws/region.js';
import { parseAwsTargetFlags } from '../../src/aws/target-flags.js';
import { ConfigError } from '../../src/errors.js';
import { abxVersion } from '../../src/version.js';
import { startFakeAws, type FakeAws } from '../observe/fake-aws.js';

let fake: FakeAws | undefined;
let server: Server | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('region', () => {
  it('resolves --region, AWS_REGION, AWS_DEFAULT_REGION, then the ALB DNS name', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' }, 'ap-south-1')).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'ap-south-1')).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-west-2' }, 'ap-south-1')).toBe('us-west-2');
    expect(resolveRegion(undefined, { AWS_REGION: ' ' }, 'ap-south-1')).toBe('ap-south-1');
    expect(resolveRegion(undefined, {}, undefined)).toBeUndefined();
  });

  it('lets the DNS name win over the environment when the group is found from the URL alone', () => {
    expect(chooseRegion(undefined, { AWS_REGION: 'us-west-2' }, 'us-east-1', true)).toEqual({
      region: 'us-east-1',
      note: "working in us-east-1 (the load balancer's DNS name), not us-west-2 from the environment",
    });
    expect(chooseRegion(undefined, { AWS_REGION: 'us-west-2' }, 'us-east-1', false)).toEqual({ region: 'us-west-2' });
    expect(chooseRegion('us-east-1', {}, 'us-east-1', true)).toEqual({ region: 'us-east-1' });
    expect(() => chooseRegion('eu-west-1', {}, 'us-east-1', true)).toThrow(ConfigError);
    expect(() => chooseRegion('eu-west-1', {}, 'us-east-1', true)).toThrow(
      "--region eu-west-1 contradicts the load balancer's DNS name, which is in us-east-1: drop --region or pass --asg",
    );
  });
});

describe('classifyAwsError', () => {
  const sdkError = (name: string, status: number, message = 'x') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  it.each<[unknown, string, string, RegExp]>([
    [sdkError('AccessDenied', 403), 'GetMetricData', 'access-denied', /allow IAM action cloudwatch:GetMetricData/],
    [sdkError('AccessDeniedException', 400), 'DescribeLoadBalancers', 'access-denied', /elasticloadbalancing:DescribeLoadBalancers/],
    [sdkError('AccessDenied', 403), 'RunTask', 'access-denied', /allow IAM action ecs:RunTask/],
    [sdkError('AccessDenied', 403), 'ListObjectsV2', 'access-denied', /allow IAM action s3:ListBucket/],
    [sdkError('Throttling', 400), 'DescribeAlarms', 'throttling', /^DescribeAlarms was throttled by AWS \(Throttling\)$/],
    [sdkError('SomethingElse', 429), 'DescribeAlarms', 'throttling', /throttled/],
    [sdkError('EC2ThrottledException', 400), 'DescribeInstances', 'throttling', /throttled/],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'DescribePolicies',
      'unreachable',
      /cannot reach the AWS endpoint for DescribePolicies \(ECONNREFUSED\)/,
    ],
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'GetMetricData',
      'credentials',
      /^no AWS credentials found: set AWS_PROFILE .* or run in CloudShell$/,
    ],
    [
      sdkError('InternalFailure', 500, 'Internal'),
      'GetMetricData',
      'bad-response',
      /^HTTP 500 from GetMetricData: InternalFailure: Internal$/,
    ],
    [
      new UnreadableAnswerError(500, '500 Internal Server Error'),
      'DescribeAlarmHistory',
      'bad-response',
      /^HTTP 500 from DescribeAlarmHistory: 500 Internal Server Error$/,
    ],
    [
      new SyntaxError('Unexpected token < in JSON\n  Deserialization error: to see the raw response, inspect the hidden field'),
      'GetMetricData',
      'bad-response',
      /^GetMetricData answered with something abx cannot read: Unexpected token < in JSON$/,
    ],
    [sdkError('LoadBalancerNotFound', 400, 'not found'), 'DescribeLoadBalancers', 'not-found', /not found/],
    [sdkError('NoSuchBucket', 404, 'The specified bucket does not exist'), 'PutObject', 'not-found', /NoSuchBucket/],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'GetMetricData', 'aborted', /cancelled/],
  ])('%#', (error, action, kind, message) => {
    const trouble = classifyAwsError(error, action);
    expect(trouble.kind).toBe(kind);
    expect(trouble.message).toMatch(message);
    expect(trouble.message).not.toContain('\n');
    // The caller says what it does next; the classifier never promises a retry.
    expect(trouble.message).not.toMatch(/will retry|observation is off/);
  });

  it('one throttling list: the SDK names, and any 429', () => {
    expect(isThrottling({ name: 'ThrottlingException' })).toBe(true);
    expect(isThrottling({ name: 'RequestLimitExceeded' })).toBe(true);
    expect(isThrottling({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottling({ name: 'AccessDenied' })).toBe(false);
  });

  it("reads an HTML error page's first line of text, not its doctype", () => {
    expect(firstTextLine('<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>')).toBe(
      '500 Internal Server Error',
    );
    expect(firstTextLine('Service Unavailable\nretry later')).toBe('Service Unavailable');
  });

  it('names the IAM action of every call abx makes, ECS and S3 included', () => {
    for (const action of [
      'DescribeAutoScalingGroups',
      'DescribeSecurityGroups',
      'RegisterTaskDefinition',
      'StopTask',
      'PutObject',
      'GetObject',
    ]) {
      expect(iamActionFor(action)).not.toMatch(/^unknown:/);
    }
    expect(ALL_IAM_ACTIONS).toEqual(
      expect.arrayContaining(['ecs:RunTask', 's3:PutObject', 's3:ListBucket', 'ec2:DescribeLaunchTemplateVersions']),
    );
    expect(iamActionFor('DeleteEverything')).toBe('unknown:DeleteEverything');
  });

  it("the README's IAM policy lists every action abx calls", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const policy = readme.slice(readme.indexOf('### IAM policy, calls and cost'));
    const json = policy.slice(policy.indexOf('```json') + 7, policy.indexOf('```', policy.indexOf('```json') + 7));
    const listed = (JSON.parse(json) as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action);
    expect(listed).toEqual(expect.arrayContaining([...ALL_IAM_ACTIONS]));
  });
});

describe('the AWS target flags', () => {
  it('one parser: each bad value is one line naming its flag', () => {
    expect(
      parseAwsTargetFlags({
        asg: ' web ',
        targetGroup: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067',
        region: 'us-east-1',
        endpointUrl: 'http://127.0.0.1:4566',
      }),
    ).toEqual({
      asg: 'web',
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067',
      region: 'us-east-1',
      endpointUrl: 'http://127.0.0.1:4566',
    });
    expect(() => parseAwsTargetFlags({ targetGroup: 'web-tg' })).toThrow(/^--target-group must be a target group ARN/);
    expect(() => parseAwsTargetFlags({ region: 'us east' })).toThrow(/^--region "us east" is not a valid AWS region/);
    expect(() => parseAwsTargetFlags({ endpointUrl: 'ftp://x' })).toThrow(/^--endpoint-url "ftp:\/\/x" must be an http/);
    expect(() => parseAwsTargetFlags({ asg: ' ' })).toThrow(/^--asg must not be empty$/);
  });
});

describe('the clients, through the real SDK on loopback', () => {
  it('an HTML 500 is "HTTP 500 from <Action>: <first line>", from JSON (CloudWatch) and Query (Auto Scaling) services alike', async () => {
    fake = await startFakeAws({
      DescribeAlarmHistory: () => ({ fail: 'server-error' }),
      DescribeScalingActivities: () => ({ fail: 'server-error' }),
      DescribeAlarms: () => ({ fail: 'throttle' }),
    });
    const api = await createAwsApi({ region: 'us-east-1', endpointUrl: fake.url, maxAttempts: 1 });
    try {
      const history = await api.describeAlarmHistory({ AlarmName: 'x' }).catch((e: unknown) => e);
      expect(classifyAwsError(history, 'DescribeAlarmHistory').message).toBe('HTTP 500 from DescribeAlarmHistory: Internal Server Error');
      const activities = await api.describeScalingActivities({ AutoScalingGroupName: 'x' }).catch((e: unknown) => e);
      expect(classifyAwsError(activities, 'DescribeScalingActivities').message).toBe(
        'HTTP 500 from DescribeScalingActivities: Internal Server Error',
      );
      // A JSON error body still reaches the SDK's own parser: its code is kept.
      const alarms = await api.describeAlarms({}).catch((e: unknown) => e);
      expect(classifyAwsError(alarms, 'DescribeAlarms').kind).toBe('throttling');
    } finally {
      api.destroy();
    }
  });

  it('every client sends abx/<version> in its user agent, the S3 client too', async () => {
    const agents: IncomingHttpHeaders[] = [];
    server = createServer((req, res) => {
      agents.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const api = await createAwsApi({ region: 'us-east-1', endpointUrl: url, maxAttempts: 1 });
    const s3 = await createS3Api({ region: 'us-east-1', endpointUrl: url, maxAttempts: 1 });
    try {
      await api.describePolicies({ AutoScalingGroupName: 'x' }).catch(() => undefined);
      await api.describeSecurityGroups({}).catch(() => undefined);
      await s3.putObject('bucket', 'k.json', '{}', 'application/json').catch(() => undefined);
    } finally {
      api.destroy();
      s3.destroy();
    }
    expect(agents).toHaveLength(3);
    for (const headers of agents)
      expect(`${String(headers['user-agent'])} ${String(headers['x-amz-user-agent'])}`).toContain(`abx/${abxVersion()}`);
  });

  it("the library prints no AWS SDK Node version warning, and leaves the caller's environment as it was", async () => {
    const script = [
      "const { check } = await import('./dist/index.js');",
      "await check({ asg: 'x', region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9' }).catch(() => undefined);",
      'console.log(JSON.stringify(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? null));',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '' };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 30_000 }, (error, out, err) =>
        error ? reject(new Error(error.message)) : resolve({ stdout: out, stderr: err }),
      );
    });
    expect(stderr).not.toContain('NodeVersionSupportWarning');
    expect(stdout.trim()).toBe('null');
  });
});
