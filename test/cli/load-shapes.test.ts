/**
 * Load shapes from the command line: --stage, --ramp and --steps parsed into
 * stages, their bad forms refused (exit 2, one line, nothing sent), and whole
 * runs against a local server: a shaped run's count and timeline targets,
 * --abort-on stopping early, and the requests in flight at the deadline
 * counted (or, with --drain, waited for).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { parseLoadShape } from '../../src/cli/load-shape.js';
import { ConfigError } from '../../src/errors.js';
import type { Result } from '../../src/stats/result.js';
import { startRawServer, okResponse, type FaultServer } from '../helpers/fault-servers.js';
import { schemaErrors } from '../helpers/schema.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { runAbx, stderrLines } from './abx-process.js';

const stage = (durationMs: number, fromRps: number, toRps: number) => ({ durationMs, fromRps, toRps });

describe('parsing load shapes', () => {
  it.each([
    // flags, stages
    [{ stage: ['3s:100', '3s:300', '2s:0'] }, [stage(3000, 0, 100), stage(3000, 100, 300), stage(2000, 300, 0)]],
    [{ rate: '50', stage: ['1m:50', '30:0'] }, [stage(60_000, 50, 50), stage(30_000, 50, 0)]],
    [{ ramp: '10..500/10m' }, [stage(600_000, 10, 500)]],
    [{ ramp: '0..100/5s', stage: ['5s:100', '2s:0'] }, [stage(5000, 0, 100), stage(5000, 100, 100), stage(2000, 100, 0)]],
    [{ steps: '50..200/50/2m' }, [stage(120_000, 50, 50), stage(120_000, 100, 100), stage(120_000, 150, 150), stage(120_000, 200, 200)]],
    [{ steps: '30..10/10/1s' }, [stage(1000, 30, 30), stage(1000, 20, 20), stage(1000, 10, 10)]],
    [{ rate: '10' }, null],
  ])('%j → stages', (flags, expected) => {
    expect(parseLoadShape(flags)).toEqual(expected);
  });

  it('a shaped run lasts the sum of its stages (or -t if shorter), opens the loop and caps in-flight at 1000', () => {
    const shaped = buildRunSettings('http://127.0.0.1:9/', { stage: ['3s:100', '2s:0'] });
    expect(shaped.load.durationMs).toBe(5000);
    expect(shaped.load.ratePerSec).toBeNull();
    expect(shaped.load.requests).toBeNull();
    expect(shaped.load.concurrency).toBe(1000);
    expect(buildRunSettings('http://127.0.0.1:9/', { stage: ['3s:100', '2s:0'], duration: '4s' }).load.durationMs).toBe(4000);
    expect(buildRunSettings('http://127.0.0.1:9/', { stage: ['3s:100'], requests: '10' }).load.requests).toBe(10);
  });

  it.each([
    [{ stage: ['5m'] }, /--stage "5m" must be DURATION:RATE/],
    [{ stage: ['x:10'] }, /--stage "x:10": the duration must be a duration/],
    [{ stage: ['0s:10'] }, /--stage "0s:10": the duration must be greater than zero/],
    [{ stage: ['-5s:10'] }, /--stage "-5s:10": the duration must be a duration/],
    [{ stage: ['5s:-1'] }, /--stage "5s:-1": the rate must be zero or more/],
    [{ ramp: '10..' }, /--ramp "10\.\." must be FROM\.\.TO\/DURATION/],
    [{ ramp: '10..50/0s' }, /--ramp "10\.\.50\/0s": the duration must be greater than zero/],
    [{ steps: '50..400/0/2m' }, /--steps "50\.\.400\/0\/2m": STEP must be greater than zero/],
    [{ steps: '50..400/-50/2m' }, /--steps "50\.\.400\/-50\/2m": STEP must be greater than zero/],
    [{ steps: '50..400/50' }, /--steps "50\.\.400\/50" must be START\.\.END\/STEP\/EVERY/],
    [{ steps: '50..400/50/2m', rate: '5' }, /--steps is a whole load shape/],
    [{ ramp: '1..2/1s', rate: '5' }, /--ramp FROM\.\.TO\/DURATION already sets the starting rate/],
    [{ stage: ['5s:0'] }, /the load shape sends nothing/],
  ])('%j is refused', (flags, message) => {
    expect(() => parseLoadShape(flags)).toThrow(ConfigError);
    expect(() => parseLoadShape(flags)).toThrow(message);
  });

  it.each([
    [{ abortOn: ['timeouts>1'] }, /--abort-on "timeouts>1": timeouts is not measured per second/],
    [{ abortOn: ['p99<<3'] }, /--abort-on "p99<<3" is not an assertion/],
    [{ abortWindow: '5s' }, /--abort-window and --abort-grace need an --abort-on condition/],
    [{ abortOn: ['errors>1%'], abortWindow: '0s' }, /--abort-window must be greater than zero/],
  ])('%j is refused', (flags, message) => {
    expect(() => buildRunSettings('http://127.0.0.1:9/', flags)).toThrow(message);
  });

  it('reads --abort-on with its window and grace in whole seconds', () => {
    const settings = buildRunSettings('http://127.0.0.1:9/', { abortOn: ['errors>20%', 'p99>2s'], abortWindow: '2500ms', abortGrace: '0' });
    expect(settings.abortOn).toMatchObject({ windowSec: 3, graceSec: 0 });
    expect(settings.abortOn!.conditions.map((c) => c.expression)).toEqual(['errors>20%', 'p99>2s']);
    expect(buildRunSettings('http://127.0.0.1:9/', { abortOn: ['errors>1'] }).abortOn).toMatchObject({ windowSec: 10, graceSec: 5 });
  });
});

describe('bad load shapes on the command line: exit 2, one line, nothing sent', () => {
  let raw: FaultServer;
  beforeAll(async () => {
    raw = await startRawServer(okResponse());
  });
  afterAll(async () => {
    await raw.close();
  });

  it.each([
    [['--stage', '5m'], /--stage "5m" must be DURATION:RATE/],
    [['--stage', 'x:10'], /--stage "x:10": the duration/],
    [['--ramp', '10..'], /--ramp "10\.\." must be FROM\.\.TO\/DURATION/],
    [['--stage', '0:10'], /greater than zero/],
    [['--steps', '50..400/0/2m'], /STEP must be greater than zero/],
    [['--abort-on', 'bogus>1'], /--abort-on "bogus>1": bogus is not measured per second; use one of p50, .*non2xx$/],
  ])('%j', async (args, says) => {
    const outcome = await runAbx([...args, raw.url], { timeoutMs: 10_000 });
    const lines = stderrLines(outcome);
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(says);
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
    expect(raw.connections).toBe(0);
  });
});

describe('shaped runs against a local server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abx-shapes-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(server: TestServer, args: string[], name: string): Promise<{ code: number | null; stdout: string; result: Result }> {
    const out = join(dir, `${name}.json`);
    const outcome = await runAbx([...args, '-q', '--out', out, server.url], { timeoutMs: 60_000 });
    const result = JSON.parse(readFileSync(out, 'utf8')) as Result;
    expect(schemaErrors(result)).toEqual([]);
    return { code: outcome.code, stdout: outcome.stdout, result };
  }

  it('--stage 3s:100 --stage 3s:300 --stage 2s:0 sends 1,050 ± 5 % with targets rising, then falling', async () => {
    const server = await startServer();
    try {
      const { code, stdout, result } = await run(server, ['-k', '--stage', '3s:100', '--stage', '3s:300', '--stage', '2s:0'], 'stages');
      expect(code).toBe(0);
      expect(server.requests).toBeGreaterThanOrEqual(1050 * 0.95);
      expect(server.requests).toBeLessThanOrEqual(1050 * 1.05);
      expect(result.totals.requests + (result.totals.droppedAtDeadline ?? 0)).toBeGreaterThanOrEqual(1050 * 0.95);
      expect(result.load).toEqual({
        model: 'stages',
        stages: [stage(3000, 0, 100), stage(3000, 100, 300), stage(2000, 300, 0)],
      });
      const targets = result.timeline.map((bucket) => bucket.targetRps ?? -1);
      const peak = targets.indexOf(Math.max(...targets));
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThan(7);
      for (let i = 1; i <= peak; i++) expect(targets[i]).toBeGreaterThan(targets[i - 1]);
      expect(targets[7]).toBeLessThan(targets[peak]);
      expect(result.rate?.targetPerSec).toBeCloseTo(1050 / 8, 6);
      expect(stdout).toMatch(/Load shape: +3 stages over 8 s/);
    } finally {
      await server.close();
    }
  });

  it('--abort-on "errors>10%" stops a run against a server failing every 3rd request early, exit 1', async () => {
    const server = await startServer((_req, res, index) => {
      res.statusCode = index % 3 === 2 ? 500 : 200;
      res.end('x');
    });
    try {
      const { code, stdout, result } = await run(
        server,
        ['-k', '--rate', '50', '-t', '30s', '--abort-on', 'errors>10%', '--abort-window', '2s', '--abort-grace', '1s'],
        'abort',
      );
      expect(code).toBe(1);
      expect(result.aborted?.condition).toBe('errors>10%');
      expect(result.interrupted).toBe(false);
      // Stopped long before 30 s (50/s would be 1,500 requests).
      expect(server.requests).toBeLessThan(1000);
      expect(result.durationMs).toBeLessThan(25_000);
      expect(stdout).toMatch(/Aborted: +"errors>10%" held at second \d+/);
    } finally {
      await server.close();
    }
  });

  it('-t 2 against a 1.5 s server counts the request in flight at the deadline; --drain 3s waits for it', async () => {
    const server = await startServer((_req, res) => {
      setTimeout(() => res.end('slow'), 1500);
    });
    try {
      const dropped = await run(server, ['-c', '2', '-t', '2'], 'dropped');
      expect(dropped.code).toBe(0);
      expect(dropped.result.totals.droppedAtDeadline).toBeGreaterThan(0);
      expect(dropped.stdout).toMatch(/\d+ requests? in flight at the deadline, not counted/);
      const before = server.requests;
      const drained = await run(server, ['-c', '2', '-t', '2', '--drain', '3s'], 'drained');
      expect(drained.code).toBe(0);
      expect(drained.result.totals.droppedAtDeadline).toBe(0);
      // Every request the server saw was waited for and counted.
      expect(drained.result.totals.completed).toBe(server.requests - before);
      expect(drained.result.totals.completed).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
    }
  });
});
