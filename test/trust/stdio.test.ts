/**
 * stdout and stderr that go away: `abx … | head -1` (the reader closes the
 * pipe) ends abx quietly with its normal exit code; `abx … > /dev/full` is one
 * line naming the stream and exit 2. Never an unhandled 'error' event or a
 * stack trace, for every command that writes to stdout.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResult } from '../fixtures/make-result.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { startFakeAws, type FakeAws } from '../observe/fake-aws.js';
import { ASG, newWorld, worldHandlers, type World } from '../observe/scenario.js';
import { ABX_BIN } from '../cli/abx-process.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true' };
delete env.GITHUB_STEP_SUMMARY;

/**
 * Runs abx with stdout piped to a reader that closes its end after the first
 * `keepBytes` bytes, as `| head -c N` does; `onClosed` runs then.
 */
function runClosingStdout(args: string[], keepBytes = 1, onClosed?: () => void): Promise<Ended> {
  const child = spawn(process.execPath, [ABX_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.length >= keepBytes && !child.stdout.destroyed) {
      child.stdout.destroy();
      onClosed?.();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs abx with one stream sent to a file descriptor (e.g. /dev/full) and the other piped. */
function runWithStream(args: string[], stream: 'stdout' | 'stderr', path: string): Promise<Ended> {
  const fd = openSync(path, 'w');
  const stdio: Array<'ignore' | 'pipe' | number> = stream === 'stdout' ? ['ignore', fd, 'pipe'] : ['ignore', 'pipe', fd];
  const child = spawn(process.execPath, [ABX_BIN, ...args], { env, stdio });
  closeSync(fd);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

let server: TestServer;
let fake: FakeAws;
let world: World;
let dir: string;
let resultA: string;
let resultB: string;
beforeAll(async () => {
  server = await startServer();
  world = newWorld(60);
  fake = await startFakeAws(worldHandlers(world));
  dir = mkdtempSync(join(tmpdir(), 'abx-stdio-'));
  resultA = join(dir, 'a.json');
  resultB = join(dir, 'b.json');
  // Big enough (hundreds of KiB) that the output outlives a 64 KiB pipe buffer.
  const seconds = Array.from({ length: 400 }, (_, s) => [1 + (s % 7), 2 + (s % 5), 30]);
  writeFileSync(resultA, JSON.stringify(makeResult({ secondsMs: seconds })));
  writeFileSync(resultB, JSON.stringify({ ...makeResult({ secondsMs: seconds, startedAtMs: Date.UTC(2026, 10, 27) }), runId: 'other' }));
});
afterAll(async () => {
  await server.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectQuiet(outcome: Ended): void {
  expect(outcome.stderr).not.toMatch(/EPIPE|Unhandled|internal error|^\s+at /m);
  expect(outcome.stderr).not.toMatch(/^abx: /m);
}

describe('a closed pipe ends abx quietly', () => {
  it('abx -n 200 -c 5 URL | head -1: exit 0, no error, every request still made', async () => {
    const outcome = await runClosingStdout(['-q', '-n', '200', '-c', '5', server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(server.requests).toBeGreaterThanOrEqual(200);
  });

  it('abx report big.json --format json | head -c 10', async () => {
    const outcome = await runClosingStdout(['report', resultA, '--format', 'json'], 10);
    expect(outcome.code, outcome.stderr).toBe(0);
    expectQuiet(outcome);
  });

  it('abx report big.json (text) | head -1', async () => {
    const outcome = await runClosingStdout(['report', resultA]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expectQuiet(outcome);
  });

  it('abx merge a.json b.json | head -c 10', async () => {
    const outcome = await runClosingStdout(['merge', resultA, resultB], 10);
    expect(outcome.code, outcome.stderr).toBe(0);
    expectQuiet(outcome);
  });

  it('abx watch --asg X --once --json | head -c 10', async () => {
    const outcome = await runClosingStdout(['watch', '--asg', ASG, '--once', '--json', '--endpoint-url', fake.url], 10);
    expect(outcome.code, outcome.stderr).toBe(0);
    expectQuiet(outcome);
  });

  it('abx watch --asg X --json (follow) | head -c 10 ends the watch at its next line', async () => {
    // As for any program under `head`, the closed pipe shows on the next write: the group scales, so watch writes again.
    const outcome = await runClosingStdout(
      ['watch', '--asg', ASG, '--json', '--poll-interval', '1s', '--endpoint-url', fake.url],
      10,
      () => {
        world.desired = 3;
      },
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expectQuiet(outcome);
  });
});

describe('any other write error: one line naming the stream, exit 2', () => {
  it('abx -n 1 URL > /dev/full', async () => {
    const outcome = await runWithStream(['-n', '1', server.url], 'stdout', '/dev/full');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe('abx: cannot write to stdout: ENOSPC (no space left on device)\n');
  });

  it('abx report r.json > /dev/full', async () => {
    const outcome = await runWithStream(['report', resultA], 'stdout', '/dev/full');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe('abx: cannot write to stdout: ENOSPC (no space left on device)\n');
  });

  it('abx merge a b > /dev/full', async () => {
    const outcome = await runWithStream(['merge', resultA, resultB], 'stdout', '/dev/full');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toBe('abx: cannot write to stdout: ENOSPC (no space left on device)\n');
  });

  it('abx -n 1 -v 2 URL 2> /dev/full: the line goes to stdout', async () => {
    const outcome = await runWithStream(['-n', '1', '-v', '2', server.url], 'stderr', '/dev/full');
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toContain('Complete requests:');
    expect(outcome.stdout).toMatch(/^abx: cannot write to stderr: ENOSPC \(no space left on device\)$/m);
  });
});
