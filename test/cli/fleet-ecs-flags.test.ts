/**
 * `abx fleet` (ECS, the default engine) refuses bad fleets before it calls
 * AWS: one line that says what to fix, exit 2. The AWS endpoint is a closed
 * loopback port, so a check that slipped through would fail differently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretsInShardCommands } from '../../src/cli/fleet.js';
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

describe('secrets in the shards’ commands', () => {
  it('names the flags whose values the shards carry (-A, -P, -C and secret headers), never the values', () => {
    expect(
      secretsInShardCommands({
        auth: 'u:p4ss',
        cookie: ['session=abc'],
        header: ['Authorization: Bearer s3cr3t', 'Accept: text/html', 'X-Api-Key: k', 'X-Trace: 1'],
        redactHeader: ['X-Trace'],
      }),
    ).toEqual(['-A', '-C', '-H Authorization', '-H X-Api-Key', '-H X-Trace']);
    expect(secretsInShardCommands({ header: ['Accept: text/html'] })).toEqual([]);
  });

  it('the k8s manifest says where the values went, and stderr holds none of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abx-fleet-secrets-'));
    try {
      const manifest = join(dir, 'job.yaml');
      const outcome = await runAbx(
        ['fleet', '--engine', 'k8s', '--tasks', '2', '--image', 'abx:1', '--results', 's3://abx-r/p', '--manifest', manifest].concat([
          '-n',
          '4',
          '-c',
          '2',
          '-H',
          'Authorization: Bearer s3cr3t',
          'http://127.0.0.1:9/',
        ]),
        { env, timeoutMs: 20_000 },
      );
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stderr).toMatch(
        /warning: the values of -H Authorization are in .*job\.yaml and each pod's spec: keep the file private/,
      );
      expect(outcome.stderr + outcome.stdout).not.toContain('s3cr3t');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
