/**
 * AWS calls are bounded: an endpoint on 127.0.0.1 that accepts and never
 * answers is a warning and a gap, never a hang; Ctrl-C ends a run, a linger
 * or a watch within a second; a group that does not exist is said at once
 * and not lingered on; watch exits 1 when it could not read the group and 2
 * for what the user must set up (credentials, region).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condenseSdkWarning } from '../../src/aws/clients.js';
import { neverRespond, startRawServer, type FaultServer } from '../helpers/fault-servers.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { startFakeAws, type FakeAws } from '../observe/fake-aws.js';
import { ASG, newWorld, worldHandlers } from '../observe/scenario.js';
import { CTRL_C_EXIT_BOUND_MS, runAbx, startAbx, stderrLines } from '../cli/abx-process.js';

/** Warnings wrap at the terminal width under a two-space indent: join them back to one line. */
function unwrapped(stderr: string): string {
  return stderr.replace(/\n {2}(?=\S)/g, ' ');
}

let target: TestServer;
let hang: FaultServer;
let fake: FakeAws;
const keys = { AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests', AWS_REGION: 'us-east-1' };
/** No credentials anywhere the SDK looks (environment, profile files, instance metadata). */
const noCredentials = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/abx-credentials',
  AWS_CONFIG_FILE: '/nonexistent/abx-config',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
};

beforeAll(async () => {
  target = await startServer();
  hang = await startRawServer(neverRespond);
  fake = await startFakeAws(worldHandlers(newWorld(60)));
});
afterAll(async () => {
  await target.close();
  await hang.close();
  await fake.close();
});

const hangUrl = (): string => hang.url.replace(/\/$/, '');

describe('a run observing a hanging AWS endpoint', () => {
  it('warns once that it cannot reach AWS, skips the linger and reports promptly', async () => {
    const started = performance.now();
    const outcome = await runAbx(['-n', '20', '--asg', 'foo', '--endpoint-url', hangUrl(), target.url], { env: keys, timeoutMs: 30_000 });
    const elapsedMs = performance.now() - started;
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain('Complete requests:      20');
    expect(unwrapped(outcome.stderr)).toMatch(
      /^abx: warning: cannot reach the AWS endpoint for DescribeAutoScalingGroups \(TimeoutError\)/m,
    );
    expect(outcome.stderr).not.toContain('Observing ');
    expect(outcome.stdout).not.toContain('no target-tracking policy found');
    expect(outcome.stdout).toMatch(/^ {2}nothing read from AWS \(unreachable\): see the gaps below$/m);
    // Before: the default 60 s linger, plus ~14 s of waiting on the dead endpoint.
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('a group that does not exist: a warning at once naming it, no linger', async () => {
    const outcome = await runAbx(['-n', '5', '--asg', 'does-not-exist', '--endpoint-url', fake.url, target.url], { env: keys });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(unwrapped(outcome.stderr)).toMatch(/^abx: warning: Auto Scaling group does-not-exist does not exist in us-east-1$/m);
    expect(outcome.stderr).not.toContain('Observing ');
  });

  it('Ctrl-C during the linger exits promptly (its budget is a second)', async () => {
    const run = startAbx(['-n', '5', '--asg', ASG, '--endpoint-url', fake.url, '--linger', '60s', target.url], { env: keys });
    await run.waitFor('Observing 60 s more', 'stderr');
    const sentAt = performance.now();
    run.child.kill('SIGINT');
    const outcome = await run.done;
    expect(performance.now() - sentAt).toBeLessThan(CTRL_C_EXIT_BOUND_MS);
    expect(outcome.stdout).toContain('Complete requests:      5');
  });
});

describe('abx watch', () => {
  it('--once exits 1 with the reason when the endpoint hangs', async () => {
    const outcome = await runAbx(['watch', '--asg', ASG, '--once', '--endpoint-url', hangUrl()], { env: keys, timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(1);
    expect(outcome.stderr).toMatch(/^abx: watch: could not read the Auto Scaling group: cannot reach the AWS endpoint/m);
    expect(outcome.stdout).not.toMatch(/no scaling activity/);
  });

  it('--once exits 1 for a group that does not exist', async () => {
    const outcome = await runAbx(['watch', '--asg', 'nope', '--once', '--endpoint-url', fake.url], { env: keys });
    expect(outcome.code, outcome.stderr).toBe(1);
    // Said once, as the error: not first as a warning too.
    expect(stderrLines(outcome)).toEqual(['abx: watch: Auto Scaling group nope does not exist in us-east-1']);
    expect(outcome.stdout).toBe('');
  });

  it('--once still exits 0 for a group it read', async () => {
    const outcome = await runAbx(['watch', '--asg', ASG, '--once', '--endpoint-url', fake.url], { env: keys });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain(ASG);
  });

  it('without credentials exits 2 naming what is missing, instead of running forever', async () => {
    const outcome = await runAbx(['watch', '--asg', ASG, '--endpoint-url', fake.url], { env: noCredentials, timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(stderrLines(outcome).at(-1)).toMatch(
      /^abx: watch: no AWS credentials found: set AWS_PROFILE \(or --profile\), AWS_ACCESS_KEY_ID/,
    );
    expect(stderrLines(outcome).filter((l) => /no AWS credentials/.test(l))).toHaveLength(1);
  });

  it('--once without credentials: the error once, exit 2', async () => {
    const outcome = await runAbx(['watch', '--asg', ASG, '--once', '--endpoint-url', fake.url], { env: noCredentials, timeoutMs: 30_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(stderrLines(outcome)).toEqual([
      'abx: watch: no AWS credentials found: set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CloudShell',
    ]);
  });
});

describe('abx check without credentials', () => {
  it('exits 2 with one line that says what to set, and nothing about an observation it never makes', async () => {
    const outcome = await runAbx(['check', '--asg', ASG, '--endpoint-url', fake.url], { env: noCredentials, timeoutMs: 30_000 });
    expect(outcome.code).toBe(2);
    expect(stderrLines(outcome)).toEqual([
      'abx: check: no AWS credentials found: set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CloudShell',
    ]);
    expect(outcome.stderr).not.toContain('observation is off');
  });

  it('an invalid region is called invalid, exit 2', async () => {
    const outcome = await runAbx(['watch', '--asg', ASG, '--region', 'no such region!'], { env: keys });
    expect(outcome.code).toBe(2);
    expect(stderrLines(outcome)).toEqual(['abx: --region "no such region!" is not a valid AWS region: use a name such as us-east-1']);
    const run = await runAbx(['--asg', ASG, '--region', 'no such region!', target.url], { env: keys });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a valid AWS region');
  });

  it('Ctrl-C ends a watch on a hanging endpoint promptly (its budget is a second)', async () => {
    const run = startAbx(['watch', '--asg', ASG, '--poll-interval', '1s', '--endpoint-url', hangUrl()], { env: keys, timeoutMs: 30_000 });
    await run.waitFor('abx: watching', 'stderr');
    const sentAt = performance.now();
    run.child.kill('SIGINT');
    const outcome = await run.done;
    expect(performance.now() - sentAt).toBeLessThan(CTRL_C_EXIT_BOUND_MS);
    expect(outcome.code).toBe(0);
  });

  it("condenses the SDK's multi-line credential warning to one abx line", async () => {
    expect(
      condenseSdkWarning(
        '@aws-sdk/credential-provider-node - defaultProvider::fromEnv WARNING:\n    Multiple credential sources detected: \n    Both AWS_PROFILE and the pair ...',
      ),
    ).toBe(
      'AWS_PROFILE (or --profile) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are both set: the AWS SDK uses the profile; unset one of them',
    );
    const outcome = await runAbx(['watch', '--asg', ASG, '--once', '--profile', 'nope', '--endpoint-url', fake.url], {
      env: { ...keys, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/abx-credentials', AWS_CONFIG_FILE: '/nonexistent/abx-config' },
    });
    expect(outcome.stderr).not.toContain('Multiple credential sources detected');
    expect(outcome.stderr).not.toContain('@aws-sdk');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/^abx: watch: no AWS credentials for profile "nope"/m);
  });
});
