/**
 * `abx fleet` (ECS, the default engine) refuses bad fleets before it calls
 * AWS: one line that says what to fix, exit 2. The AWS endpoint is a closed
 * loopback port, so a check that slipped through would fail differently.
 */
import { describe, expect, it } from 'vitest';
import { runAbx, stderrLines } from './abx-process.js';

const env = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDFAKEFLEETTEST000',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
  AWS_EC2_METADATA_DISABLED: 'true',
};
const base = ['--tasks', '3', '--results', 's3://abx-r/p', '-n', '30', '-c', '3'];
const arn = 'arn:aws:iam::123456789012:role/abx';

describe('abx fleet on ECS: bad flags', () => {
  it.each([
    [['--results', 's3://abx-r/p'], /needs --tasks N/],
    [['--tasks', '3'], /needs --results s3:\/\/bucket\/prefix/],
    [[...base, '--image', 'abx:1', '--task-definition', 'abx-fleet:1'], /--image .* or --task-definition, not both/],
    [[...base, '--task-definition', 'abx-fleet:1', '--cpu', '2'], /--task-definition already sets the roles, CPU and memory/],
    [[...base, '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/abx:1'], /needs --execution-role ARN/],
    [[...base, '--image', 'abx:1', '--task-role', 'abx-role'], /--task-role must be an IAM role ARN/],
    [[...base, '--image', 'abx:1', '--cpu', '3'], /Fargate offers 0.25, 0.5, 1, 2, 4, 8 or 16 vCPUs/],
    [[...base, '--image', 'abx:1', '--memory', 'lots'], /--memory must be a size such as 2Gi/],
    [[...base, '--image', 'abx:1', '--execution-role', arn, '--memory', '256Mi'], /at least 512 MiB/],
    [[...base, '--subnets', 'subnet-0123456789abcdef0,vpc-1'], /--subnets takes ids such as subnet-/],
    [[...base, '--security-groups', 'default'], /--security-groups takes ids such as sg-/],
    [[...base, '--namespace', 'load'], /--namespace is for --engine k8s/],
    [[...base, '--name', 'a name with spaces'], /--name must be 1-36 letters/],
    [[...base, '--start-at', '+30s'], /takes no --start-at: abx fleet picks the start time/],
    [[...base, '-g', 'rows.tsv'], /takes no -g/],
    [['--tasks', '3', '--results', 's3://abx-r/p', '-n', '2'], /-n 2 is fewer than the 3 shards/],
    [[...base, '--image', 'abx:1'], /needs --subnets \(and --security-groups\) for the tasks, or --asg/],
  ])('refuses %o: exit 2, one line', async (flags, says) => {
    const outcome = await runAbx(['fleet', ...flags, 'http://127.0.0.1:9/'], { env, timeoutMs: 20_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(stderrLines(outcome)).toHaveLength(1);
    expect(outcome.stderr).toMatch(says);
  });
});
