/**
 * Interrupts and result files: Ctrl-C or SIGTERM mid-run prints the partial
 * ab report, writes --out completely, and exits 130 within a second, even when
 * an AWS endpoint hangs; --out never replaces something that is not a regular file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../src/stats/result.js';
import { neverRespond, startRawServer, startSlowServer, type FaultServer } from '../helpers/fault-servers.js';
import { schemaErrors } from '../helpers/schema.js';
import { abField, CTRL_C_EXIT_BOUND_MS, startAbx } from './abx-process.js';

let server: FaultServer | null = null;
let aws: FaultServer | null = null;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'abx-int-'));
});
afterEach(async () => {
  await server?.close();
  await aws?.close();
  server = aws = null;
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s mid-run', (signal) => {
  it('prints the partial report, writes a complete --out, exits 130', async () => {
    server = await startSlowServer(100);
    const out = join(dir, 'partial.json');
    const run = startAbx(['-n', '1000', '-c', '4', '--out', out, server.url]);
    await until(() => server!.requests >= 12);
    run.child.kill(signal);
    const outcome = await run.done;

    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.signal).toBeNull();
    const result = JSON.parse(readFileSync(out, 'utf8')) as Result;
    expect(schemaErrors(result)).toEqual([]);
    expect(result.schema).toBe('abx.result/v1');
    expect(result.interrupted).toBe(true);
    // Only what was measured: the 4 requests in flight at the signal are dropped, not failed.
    expect(result.totals.completed).toBeGreaterThanOrEqual(8);
    expect(result.totals.completed).toBeLessThan(1000);
    expect(result.totals.failed).toBe(0);
    expect(result.totals.completed).toBeLessThanOrEqual(server.requests);
    expect(result.timeline.reduce((sum, b) => sum + b.completed, 0)).toBe(result.totals.completed);

    // The partial ab report on stdout agrees with the file.
    expect(abField(outcome.stdout, 'Complete requests')).toBe(String(result.totals.completed));
    expect(abField(outcome.stdout, 'Failed requests')).toBe('0');
    expect(outcome.stdout).toContain('Percentage of the requests served within a certain time (ms)');
    expect(outcome.stdout).toContain('Interrupted:            yes');
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
    // Written through a temporary file and a rename: nothing else left in the folder.
    expect(readdirSync(dir)).toEqual(['partial.json']);
  });
});

describe('Ctrl-C with an AWS endpoint that never answers', () => {
  it('exits promptly (its budget is a second): the observer never holds the exit', async () => {
    server = await startSlowServer(100);
    aws = await startRawServer(neverRespond);
    const out = join(dir, 'never.json');
    const run = startAbx(
      [
        '-n',
        '1000',
        '-c',
        '2',
        '--out',
        out,
        '--asg',
        'abx-test-asg',
        '--endpoint-url',
        aws.url.replace(/\/$/, ''),
        '--region',
        'us-east-1',
        '--poll-interval',
        '1s',
        server.url,
      ],
      { env: { AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests' } },
    );
    await until(() => server!.requests >= 6 && aws!.requests >= 1);
    const sentAt = performance.now();
    run.child.kill('SIGINT');
    const outcome = await run.done;
    expect(performance.now() - sentAt).toBeLessThan(CTRL_C_EXIT_BOUND_MS);
    expect(outcome.code).toBe(130);
    // The partial result is still written whole.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(schemaErrors(JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
  });
});

describe('--out over something that is not a regular file', () => {
  it('refuses a directory that appeared during the run, after printing the report, and leaves it alone', async () => {
    server = await startSlowServer(50);
    const out = join(dir, 'late.json');
    // 100 requests, 2 at a time, 50 ms each: about 2.5 s to make the directory in, on any machine.
    const run = startAbx(['-n', '100', '-c', '2', '--out', out, server.url]);
    await until(() => server!.requests >= 2);
    mkdirSync(out);
    const outcome = await run.done;
    expect(abField(outcome.stdout, 'Complete requests')).toBe('100');
    const lines = outcome.stderr.split('\n').filter((l) => l.startsWith('abx:'));
    expect(lines).toEqual([
      expect.stringMatching(/^abx: refusing to write .*late\.json: it is a directory; give a file name for the result$/),
    ]);
    expect(outcome.code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['late.json']);
  });
});
