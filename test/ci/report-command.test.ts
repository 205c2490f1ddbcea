import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerReportCommands } from '../../src/cli/report.js';
import { readResultFile } from '../../src/cli/result-file.js';
import { ConfigError } from '../../src/errors.js';
import { mergeResults } from '../../src/stats/merge.js';
import type { Result } from '../../src/stats/result.js';
import { evaluateAssertions, parseAssertion } from '../../src/stats/thresholds.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

const T0 = Date.UTC(2026, 10, 26, 16, 0, 0);
let dir: string;
let stdout: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'abx-report-'));
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = undefined;
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function abx(...args: string[]): Promise<void> {
  const program = new Command('abx').exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
  registerReportCommands(program);
  await program.parseAsync(['node', 'abx', ...args]);
}

async function save(name: string, result: Result): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(result));
  return path;
}

function run(perSecond: number, lowMs: number, highMs: number, startedAtMs = T0): Result {
  const second = Array.from({ length: perSecond }, (_, i) => lowMs + ((highMs - lowMs) * i) / perSecond);
  return makeResult({ secondsMs: [second, second, second], startedAtMs });
}

describe('abx report', () => {
  const observed = makeResult({
    secondsMs: [
      [5, 6, 7],
      [8, 9, 10],
    ],
    startedAtMs: T0,
    observation: makeObservation(T0),
  });
  observed.assertions = evaluateAssertions(
    ['p99<250ms', 'instances>=5'].map((e) => parseAssertion(e, { observing: true })),
    observed,
  );

  it('--format json prints the result as read', async () => {
    await abx('report', await save('r.json', observed), '--format', 'json');
    expect(JSON.parse(stdout)).toEqual(observed);
  });

  it('--format markdown, csv and junit use the CI reporters', async () => {
    const path = await save('r.json', observed);
    await abx('report', path, '--format', 'markdown');
    expect(stdout).toContain('#### Assertions: 1 of 2 failed');
    expect(stdout).toContain('#### Scaling: abx-lab-asg');
    stdout = '';
    await abx('report', path, '--format', 'csv');
    expect(stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(stdout.split('\n')[0]).toMatch(/^second,time,completed,/);
    stdout = '';
    await abx('report', path, '--format', 'junit');
    expect(stdout).toContain('<testsuite name="abx" tests="2" failures="1"');
  });

  it('--format text is the ab-style report followed by the assertion table', async () => {
    await abx('report', await save('r.json', observed), '--no-color');
    expect(stdout).toContain('Requests per second:');
    expect(stdout).toContain('Complete requests:');
    expect(stdout).toMatch(/instances>=5\s+4 {2}FAIL/);
    expect(stdout).toContain('1 of 2 assertions failed.');
    expect(stdout.indexOf('Requests per second:')).toBeLessThan(stdout.indexOf('1 of 2 assertions failed.'));
  });

  it('--html writes a self-contained HTML report', async () => {
    const html = join(dir, 'r.html');
    await abx('report', await save('r.json', observed), '--format', 'json', '--html', html);
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('abx-lab-asg');
  });

  it('bad input is a one-line ConfigError', async () => {
    const path = await save('r.json', observed);
    await expect(abx('report', path, '--format', 'xml')).rejects.toThrow(
      new ConfigError('--format must be one of text, json, markdown, csv, tsv, junit (got "xml")'),
    );
    const other = join(dir, 'other.json');
    await writeFile(other, '{"hello": "world"}');
    await expect(abx('report', other)).rejects.toBeInstanceOf(ConfigError);
    expect(stdout).toBe('');
  });
});

describe('abx merge', () => {
  it('writes the exact merge of the files with --out', async () => {
    const a = run(100, 5, 25);
    const b = run(60, 10, 40, T0 + 1500);
    const out = join(dir, 'm.json');
    await abx('merge', await save('a.json', a), await save('b.json', b), '--out', out);
    const { runId, mergedFrom, ...merged } = await readResultFile(out);
    expect(merged).toEqual(JSON.parse(JSON.stringify(mergeResults([a, b]))));
    // A merged result is a run of its own, made of the two.
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mergedFrom).toHaveLength(2);
    expect(merged.totals.completed).toBe(480);
    expect(merged.timeline.map((bucket) => bucket.completed)).toEqual([100, 160, 160, 60]);
    expect(stdout).toBe('');
  });

  it('prints the merged result without --out; needs two files', async () => {
    const a = await save('a.json', run(10, 5, 25));
    const b = await save('b.json', run(10, 5, 25, T0 + 1500));
    await abx('merge', a, b);
    expect(JSON.parse(stdout).totals.completed).toBe(60);
    await expect(abx('merge', a)).rejects.toThrow(/needs at least two result files/);
  });
});

describe('abx compare', () => {
  it('exit code 1 and a verdict on a regression beyond the limit', async () => {
    const base = await save('base.json', run(100, 10, 30));
    const slower = await save('new.json', run(100, 12, 36));
    await abx('compare', base, slower);
    expect(process.exitCode).toBe(1);
    expect(stdout).toMatch(/^Metric\s+Base\s+New\s+Change/);
    expect(stdout).toMatch(/p99 ms\s+[\d.]+\s+[\d.]+\s+\+\d+\.\d%\s+WORSE/);
    expect(stdout).toContain('Regression: worse than the baseline by more than 10%.');
  });

  it('exit code 0 within the limit, --max-regression accepts 25 or 25%', async () => {
    const base = await save('base.json', run(100, 10, 30));
    const slower = await save('new.json', run(100, 12, 36));
    await abx('compare', base, slower, '--max-regression', '25%');
    expect(process.exitCode).toBe(0);
    expect(stdout).toContain('No regression beyond 25%.');
    await abx('compare', base, slower, '--max-regression', '25');
    expect(process.exitCode).toBe(0);
    await expect(abx('compare', base, slower, '--max-regression', 'ten')).rejects.toThrow(
      new ConfigError('--max-regression must be a percentage such as 10% or 2.5 (got "ten")'),
    );
  });
});
