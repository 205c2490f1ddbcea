/**
 * `abx fleet` ends by itself: a task still running well past the load's
 * scheduled end (its container never exits) is stopped at the fleet's
 * deadline, what the other shards wrote is collected, and abx says so. The
 * lab's ECS runs the tasks as local abx processes; its 'hang' fault makes one
 * wait an hour. The fleet runs in this process with a short margin.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEcsFleet } from '../../src/cli/fleet-ecs.js';
import { ecsFleetPlan } from '../../src/cli/fleet.js';
import { startLab, type Lab } from '../../src/lab/index.js';

let lab: Lab | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await lab?.close();
  lab = undefined;
});

describe('the fleet deadline', () => {
  it('a shard that never ends is stopped at the deadline, the others are reported, and the exit is 1', async () => {
    lab = await startLab({ port: 0, taskStartDelayMs: 200, taskFaults: [{ task: 0, fault: 'hang' }] });
    const runArgs = ['-t', '2s', '-c', '2'];
    const plan = ecsFleetPlan(
      lab.url,
      {
        tasks: '2',
        results: 's3://abx-lab-results/deadline',
        subnets: ['subnet-0123456789abcdef0'],
        startMargin: '3s',
        duration: '2s',
        concurrency: '2',
        region: lab.region,
        endpointUrl: lab.apiUrl,
        observe: false,
        color: false,
      },
      runArgs,
      Date.now(),
    );
    // Seconds instead of the defaults' minutes: the rule is the same.
    plan.endMarginMs = 4_000;
    plan.stopWaitMs = 20_000;
    let stderr = '';
    let stdout = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    const started = Date.now();
    const code = await runEcsFleet(plan);
    vi.restoreAllMocks();
    const said = stderr.replace(/\n {2}(?=\S)/g, ' ');
    expect(code, said).toBe(1);
    expect(said).toMatch(
      /abx fleet: 1 task is still running \d+ s after the load's scheduled end: stopping it and collecting what the shards wrote/,
    );
    expect(said).toMatch(/shard 0 \(task [0-9a-f]+\): still running at the fleet's deadline: stopped by abx/);
    expect(said).toMatch(/1 of 2 shards failed/);
    // The other shard's requests are in the report.
    expect(stdout).toMatch(/Complete requests: +[1-9]\d*/);
    // Start margin, the 2 s load, the margin and a few polls: far from the hour the shard would wait.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
