/**
 * Result files read back are validated against the JSON Schema, histograms
 * included: a damaged file is one line, exit 2. `abx merge` refuses the same
 * run twice, and different targets or load models unless --force.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultProblem } from '../../src/cli/result-validate.js';
import type { Result } from '../../src/stats/result.js';
import { makeResult } from '../fixtures/make-result.js';
import { schemaErrors } from '../helpers/schema.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { runAbx, stderrLines } from '../cli/abx-process.js';

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'abx-results-'));
  server = await startServer();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const good = (): Result => makeResult({ secondsMs: [[1, 2, 3]] });

async function expectInvalid(args: string[], message: string): Promise<void> {
  const outcome = await runAbx(args);
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(stderrLines(outcome)).toEqual([`abx: ${message}`]);
  expect(outcome.stdout).toBe('');
}

describe('validation on read', () => {
  it('finds the first problem with its place in the document', () => {
    expect(resultProblem(good())).toBeNull();
    expect(resultProblem({ ...good(), totals: { ...good().totals, completed: 'lots' } })).toBe('/totals/completed: must be integer');
    expect(resultProblem({ ...good(), histogram: 'abc' })).toMatch(/^\/histogram: not a valid encoded histogram \(.+\)$/);
    expect(resultProblem({ ...good(), surprise: 1 })).toBe('/: unknown field "surprise"');
  });

  it('abx merge a.json damaged.json: exit 2, one line naming the file, the place and the problem', async () => {
    const a = write('a.json', good());
    const damaged = write('damaged.json', { ...good(), startedAtMs: 1, histogram: 'HISTFAAAA' });
    const outcome = await runAbx(['merge', a, damaged]);
    expect(outcome.code).toBe(2);
    expect(stderrLines(outcome)).toHaveLength(1);
    expect(outcome.stderr).toMatch(
      new RegExp(
        `^abx: ${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a valid abx result: /histogram: not a valid encoded histogram`,
      ),
    );
    expect(outcome.stderr).not.toContain('internal error');
  });

  it('abx report on "completed": "lots" is refused, not printed', async () => {
    const bad = good() as unknown as { totals: Record<string, unknown> };
    bad.totals.completed = 'lots';
    const path = write('lots.json', bad);
    await expectInvalid(['report', path], `${path} is not a valid abx result: /totals/completed: must be integer`);
  });

  it('abx report never shows a secret header stored in an older file', async () => {
    const path = write('secret.json', { ...good(), options: { ...good().options, headers: ['X-Api-Key: topsecret', 'Accept: */*'] } });
    const outcome = await runAbx(['report', path, '--format', 'json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).not.toContain('topsecret');
    expect((JSON.parse(outcome.stdout) as Result).options.headers).toEqual(['X-Api-Key: [redacted]', 'Accept: */*']);
  });
});

describe('abx merge', () => {
  it('refuses the same file twice', async () => {
    const a = write('same.json', good());
    const outcome = await runAbx(['merge', a, a]);
    expect(outcome.code).toBe(2);
    expect(stderrLines(outcome)).toHaveLength(1);
    expect(outcome.stderr).toMatch(/hold the same run \(sha256:[0-9a-f]{16}\): merging would count its requests twice/);
  });

  it('refuses different URLs and load models unless --force', async () => {
    const a = write('url-a.json', good());
    const b = write('url-b.json', { ...good(), startedAtMs: good().startedAtMs + 5000, url: 'http://127.0.0.1:9090/other' });
    const rate = write('rate.json', { ...good(), startedAtMs: good().startedAtMs + 9000, options: { ...good().options, ratePerSec: 50 } });
    const urls = await runAbx(['merge', a, b]);
    expect(urls.code).toBe(2);
    expect(urls.stderr).toMatch(/measured different targets; add --force to merge them anyway/);
    const models = await runAbx(['merge', a, rate]);
    expect(models.code).toBe(2);
    expect(models.stderr).toMatch(/is a closed loop \(-c\) run and .*rate\.json a open loop \(--rate\) run; add --force/);
    const forced = await runAbx(['merge', '--force', a, b]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(schemaErrors(JSON.parse(forced.stdout))).toEqual([]);
  });

  it('two real runs merge; a merged result merged again with one of its parts is refused', async () => {
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    const merged = join(dir, 'merged.json');
    expect((await runAbx(['-n', '3', '--out', one, server.url])).code).toBe(0);
    expect((await runAbx(['-n', '2', '--out', two, server.url])).code).toBe(0);
    const outcome = await runAbx(['merge', one, two, '--out', merged]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const report = await runAbx(['report', merged, '--format', 'json']);
    const result = JSON.parse(report.stdout) as Result;
    expect(result.totals.completed).toBe(5);
    expect(result.mergedFrom).toHaveLength(2);
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await runAbx(['merge', merged, one]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/hold the same run/);
  });
});
