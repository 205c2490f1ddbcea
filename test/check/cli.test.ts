/**
 * `abx check` and `abx … --check` from the built CLI against the lab: exit 1
 * on the starting state's FAILs, exit 2 on bad usage, and the checks printed
 * above a run's report.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { runAbx } from '../cli/abx-process.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

describe('abx check from the CLI', () => {
  let lab: Lab;
  let env: Record<string, string>;
  beforeAll(async () => {
    lab = await startLab({ port: 0, apiPort: 0 });
    env = {
      COLUMNS: '80',
      AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey,
      AWS_ENDPOINT_URL: lab.apiUrl,
      AWS_REGION: lab.region,
    };
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('--from result.json sizes the group against the measured peak; a bad file is exit 2 with one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'abx-check-from-'));
    try {
      const startedAtMs = Date.UTC(2026, 10, 26, 16, 0, 0);
      const at = (minute: number): string => new Date(startedAtMs + minute * 60_000).toISOString();
      // One-minute periods: 1,500 per target on 6 InService instances, the lab's MaxSize.
      const observation = {
        ...makeObservation(startedAtMs),
        asg: lab.asgName,
        periodSec: 60,
        samples: [
          { at: at(0), metric: 'InServiceInstances', value: 6, provisional: false },
          { at: at(0), metric: 'RequestCountPerTarget', value: 1500, provisional: false },
        ],
      };
      const file = join(dir, 'result.json');
      await writeFile(file, JSON.stringify(makeResult({ secondsMs: [[1, 2]], startedAtMs, observation })));
      const { code, stdout, stderr } = await runAbx(['check', '--asg', lab.asgName, '--from', file, '--json'], { env, timeoutMs: 20_000 });
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const peak = (JSON.parse(stdout) as { checks: { id: string; status: string; summary: string; fix: string | null }[] }).checks.find(
        (c) => c.id === 'scalability.peak-capacity',
      );
      expect(peak).toEqual({
        id: 'scalability.peak-capacity',
        principle: 'scalability',
        status: 'FAIL',
        summary: 'at target 60 per target per minute, your measured peak of 9,000 requests/min needs 150 instances; MaxSize is 6',
        evidence: expect.any(Array) as unknown,
        fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${lab.asgName} --max-size 150`,
      });

      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{"schema": "abx.result/v1"');
      const invalid = await runAbx(['check', '--asg', lab.asgName, '--from', bad], { env, timeoutMs: 20_000 });
      expect(invalid.code).toBe(2);
      expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
      expect(invalid.stderr).toContain('is not valid JSON');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('exits 1 on the lab as it starts, the table within 80 columns but for unbreakable command words', async () => {
    const { code, stdout, stderr } = await runAbx(['check', '--asg', lab.asgName], { env, timeoutMs: 20_000 });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}FAIL {2}alb-sg-world/m);
    expect(stdout).toMatch(/^ {2}PASS {2}group-azs/m);
    for (const line of stdout.split('\n')) if ([...line].length > 80) expect(line).toMatch(/^ +\S+( (&& )?\\)?$/);
  }, 30_000);

  it('exits 2 on bad usage with one line', async () => {
    const bad = await runAbx(['check', '--asg', lab.asgName, '--only', 'speed'], { env, timeoutMs: 20_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('security, failure, scalability');
    const none = await runAbx(['check'], { env, timeoutMs: 20_000 });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/check needs --asg NAME/);
  }, 30_000);

  it('--check prints the checks above the report; the run still exits 0', async () => {
    const { code, stdout } = await runAbx(['-n', '10', '--check', '--asg', lab.asgName, '--linger', '0', lab.url], {
      env,
      timeoutMs: 30_000,
    });
    expect(code).toBe(0);
    const checkAt = stdout.indexOf('abx check: group abx-lab-asg');
    expect(checkAt).toBeGreaterThanOrEqual(0);
    expect(checkAt).toBeLessThan(stdout.indexOf('Requests per second:'));
  }, 40_000);
});
