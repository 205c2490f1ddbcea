/** `abx lab` as a user runs it: the built CLI (npm test builds it first) in a child process. */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runAbx, startAbx, type AbxRun } from '../cli/abx-process.js';
import { driveLoad } from '../helpers/drive.js';

let running: AbxRun | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL');
    await running.done;
  }
  running = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

function exportsOf(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) vars[m[1]] = m[2]!;
  }
  return vars;
}

describe('abx lab', () => {
  it('prints shell exports first, logs scale-out activities as comments, and stops cleanly on SIGINT', async () => {
    running = startAbx(
      ['lab', '--port', '0', '--period', '300ms', '--high-periods', '1', '--target', '10', '--asg-name', 'cli-lab-asg', '--with-policy'],
      {
        timeoutMs: 20_000,
      },
    );
    let stdout = '';
    running.child.stdout!.on('data', (s: string) => (stdout += s));
    await running.waitFor(/# try: .*\n/, 'stdout');
    const vars = exportsOf(stdout);
    expect(vars.ABX_LAB_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // 300 requests over two instances in a period or two: far above 10 per target.
    const load = await driveLoad(vars.ABX_LAB_URL, { requests: 300, concurrency: 8, timeLimitMs: 10_000 });
    expect(load.statuses[200]).toBe(300);
    await running.waitFor(/PreInService Launching a new EC2 instance: i-0[0-9a-f]{16}\n/, 'stdout');
    running.child.kill('SIGINT');
    const outcome = await running.done;
    expect(outcome.code).toBe(0);

    const lines = outcome.stdout.split('\n');
    expect(lines.slice(0, 9).map((l) => l.split('=')[0])).toEqual([
      'export AWS_ENDPOINT_URL',
      'export AWS_REGION',
      'export AWS_DEFAULT_REGION',
      'export AWS_ACCESS_KEY_ID',
      'export AWS_SECRET_ACCESS_KEY',
      'export AWS_EC2_METADATA_DISABLED',
      'export ABX_LAB_URL',
      'export ABX_LAB_URL_90',
      'export ABX_LAB_ASG',
    ]);
    expect(vars.AWS_DEFAULT_REGION).toBe('us-east-1');
    expect(vars.ABX_LAB_URL_90).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(vars.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(vars.AWS_REGION).toBe('us-east-1');
    expect(vars.ABX_LAB_ASG).toBe('cli-lab-asg');
    // Everything after the shell lines is a comment, so `source` stays valid as the file grows.
    const rest = lines.slice(9).filter(Boolean);
    expect(rest[0]).toBe('unset AWS_PROFILE AWS_SESSION_TOKEN');
    for (const line of rest.slice(1)) expect(line.startsWith('#')).toBe(true);
    expect(outcome.stdout).toMatch(/^# try: abx .*--asg cli-lab-asg \$ABX_LAB_URL$/m);
    expect(outcome.stdout).toMatch(
      /^# or: {2}abx fleet --tasks 3 .*--asg cli-lab-asg .*--results s3:\/\/abx-lab-results\/try \$ABX_LAB_URL$/m,
    );
    expect(outcome.stdout).toMatch(
      /^# {3}At \S+Z a monitor alarm TargetTracking-cli-lab-asg-AlarmHigh-\S+ in state ALARM triggered policy \S+ changing the desired capacity from 2 to \d\./m,
    );
    // A scale-out's activities share one Cause: it is printed once, not once per instance.
    const causes = lines.filter((l) => l.startsWith('#   At '));
    expect(causes.length).toBeGreaterThan(0);
    expect(new Set(causes).size).toBe(causes.length);
    expect(outcome.stderr).toBe('');
  });

  it('a port in use is one line on stderr and exit 2', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    const outcome = await runAbx(['lab', '--port', String(port)], { timeoutMs: 15_000 });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^abx: load balancer port ${port} on 127\\.0\\.0\\.1 is in use`)),
    ]);
  });

  it('bad flags are one-line usage errors', async () => {
    const outcome = await runAbx(['lab', '--port', '0', '--min', '5', '--max', '3'], { timeoutMs: 15_000 });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trim()).toBe('abx: lab --min (5) must not exceed --max (3)');
    const outage = await runAbx(['lab', '--port', '0', '--az-outage', 'us-west-2a@+10s'], { timeoutMs: 15_000 });
    expect(outage.code).toBe(2);
    expect(outage.stderr.trim()).toBe('abx: lab --az-outage zone must be us-east-1a or us-east-1b (got "us-west-2a")');
  });
});
