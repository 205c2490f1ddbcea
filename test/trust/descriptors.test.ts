/**
 * Open files: a run whose -c cannot fit in the open-file limit is refused
 * before it starts, with the `ulimit -n` to set; EMFILE is one error line
 * with its count; Ctrl-C exits within a second even with thousands of lanes
 * stuck on a server that never answers.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDescriptors, descriptorsNeeded, readOpenFileLimit } from '../../src/cli/descriptors.js';
import { classifyError, TOO_MANY_OPEN_FILES } from '../../src/engine/error-category.js';
import { ConfigError } from '../../src/errors.js';
import { neverRespond, startRawServer, type FaultServer } from '../helpers/fault-servers.js';
import { ABX_BIN, CTRL_C_EXIT_BOUND_MS, startAbx } from '../cli/abx-process.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startRawServer(neverRespond);
});
afterAll(async () => {
  await server.close();
});

describe('the open-file check', () => {
  it('passes a run that fits and refuses one that does not, with the ulimit to set', () => {
    expect(() => checkDescriptors(100, 1, { soft: 1024, hard: 4096 })).not.toThrow();
    expect(() => checkDescriptors(1000, 1, { soft: 1024, hard: 4096 })).toThrow(ConfigError);
    expect(() => checkDescriptors(1000, 1, { soft: 1024, hard: 4096 })).toThrow(
      '-c 1000 needs about 1072 open files but the limit is 1024: run `ulimit -n 2048` in this shell first, or lower -c to 952',
    );
    // The case: -c 20000 under ulimit -n 20000.
    expect(() => checkDescriptors(20_000, 4, { soft: 20_000, hard: 20_000 })).toThrow(/and the hard limit 20000: lower -c to 19904/);
    expect(() => checkDescriptors(20_000, 4, null)).not.toThrow();
    expect(descriptorsNeeded(10, 2)).toBe(10 + 64 + 16);
  });

  it('reads this process limit', () => {
    const limit = readOpenFileLimit();
    expect(limit).not.toBeNull();
    expect(limit!.soft).toBeGreaterThan(0);
  });

  it('abx under ulimit -n 256 refuses -c 300 before connecting, exit 2', async () => {
    const child = spawn('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${ABX_BIN}" -n 300 -c 300 ${server.url}`], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    // Node raises its soft limit to the hard one at start, so the hard limit is what counts.
    expect(stderr).toMatch(
      /^abx: -c 300 needs about \d+ open files but the limit is 256 and the hard limit 256: lower -c to \d+, or raise the hard limit .*`ulimit -n 1024`\n$/,
    );
    expect(server.connections).toBe(0);
  });
});

describe('EMFILE during a run', () => {
  it('is one category with one plain message, whatever the socket said', () => {
    const a = classifyError({ code: 'EMFILE', message: 'connect EMFILE 127.0.0.1:80 - Local (undefined:undefined)' }, false);
    const b = classifyError({ message: 'fetch failed', cause: { code: 'EMFILE', message: 'socket EMFILE' } }, false);
    expect(a).toEqual({ category: 'connect', code: 'EMFILE', message: TOO_MANY_OPEN_FILES });
    expect(b).toEqual(a);
  });
});

describe('Ctrl-C with thousands of lanes stuck', () => {
  it('exits promptly (its budget is a second)', async () => {
    const run = startAbx(['-c', '3000', '-t', '60', server.url], { timeoutMs: 30_000 });
    await run.waitFor('Benchmarking', 'stdout');
    await expect.poll(() => server.connections, { timeout: 20_000 }).toBeGreaterThanOrEqual(1000);
    const sentAt = performance.now();
    run.child.kill('SIGINT');
    const outcome = await run.done;
    const tookMs = performance.now() - sentAt;
    expect(tookMs, outcome.stderr).toBeLessThan(CTRL_C_EXIT_BOUND_MS);
    expect(outcome.code).toBe(130);
  });
});
