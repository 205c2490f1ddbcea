import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendStepSummary } from '../../src/cli/ci-summary.js';
import { readResultFile, writeFileAtomic } from '../../src/cli/result-file.js';
import { ConfigError } from '../../src/errors.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { makeResult } from '../fixtures/make-result.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'abx-ci-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('readResultFile', () => {
  it('reads back what was written', async () => {
    const result = makeResult({ secondsMs: [[1, 2, 3]] });
    const path = join(dir, 'r.json');
    await writeFileAtomic(path, JSON.stringify(result));
    expect(await readResultFile(path)).toEqual(result);
  });

  it('rejects a JSON file that is not an abx result', async () => {
    const path = join(dir, 'package.json');
    await writeFile(path, JSON.stringify({ name: 'something', version: '1.0.0' }));
    expect(await configError(readResultFile(path))).toBe(
      `${path} is not an abx result (expected "schema": "abx.result/v1"); give a file written by abx --out`,
    );
    await writeFile(path, '[1,2,3]');
    expect(await configError(readResultFile(path))).toContain('is not an abx result');
  });

  it('rejects a result from a newer abx', async () => {
    const path = join(dir, 'new.json');
    await writeFile(path, JSON.stringify({ ...makeResult({ secondsMs: [[1]] }), schema: 'abx.result/v2' }));
    expect(await configError(readResultFile(path))).toBe(
      `${path} was written by a newer abx (abx.result/v2); this abx reads abx.result/v1: upgrade abx to read it`,
    );
  });

  it('rejects invalid JSON, a missing file and a damaged result with one line', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"schema": "abx.result/v1",\n  "totals": ');
    expect(await configError(readResultFile(path))).toMatch(/bad\.json is not valid JSON \(.+\); give a file written by abx --out$/);
    expect(await configError(readResultFile(join(dir, 'missing.json')))).toBe(
      `cannot read result file ${join(dir, 'missing.json')}: no such file`,
    );
    await writeFile(path, JSON.stringify({ schema: 'abx.result/v1', startedAtMs: 1 }));
    expect(await configError(readResultFile(path))).toBe(`${path} is not a valid abx result: /: "tool" is missing`);
  });
});

describe('writeFileAtomic', () => {
  it('replaces an existing file and leaves no temp file behind', async () => {
    const path = join(dir, 'out.json');
    await writeFile(path, 'old contents that are longer than the new ones');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('never exposes a truncated file: a reader sees the old or the new contents, whole', async () => {
    const path = join(dir, 'big.json');
    const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(4 * 1024 * 1024));
    await writeFile(path, versions[0]);
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const seen = await readFile(path, 'utf8');
        expect(versions).toContain(seen);
        reads++;
      }
    })();
    for (const contents of versions.slice(1)) await writeFileAtomic(path, contents);
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(await readFile(path, 'utf8')).toBe(versions[3]);
  });

  it('refuses a directory and a FIFO', async () => {
    const folder = join(dir, 'folder');
    await mkdir(folder);
    expect(await configError(writeFileAtomic(folder, '{}'))).toBe(
      `refusing to write ${folder}: it is a directory; give a file name for the result`,
    );
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await configError(writeFileAtomic(fifo, '{}'))).toBe(`refusing to write ${fifo}: it is a FIFO; give a file name for the result`);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  });

  it('follows a symbolic link and keeps it', async () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeFileAtomic(link, 'new');
    expect(await readFile(real, 'utf8')).toBe('new');
    expect((await readdir(dir)).sort()).toEqual(['link.json', 'real.json']);
  });
});

describe('appendStepSummary', () => {
  const result = makeResult({ secondsMs: [[1, 2]] });

  it('appends the markdown summary when GITHUB_STEP_SUMMARY is set', async () => {
    const path = join(dir, 'summary.md');
    await writeFile(path, '# earlier step\n');
    expect(await appendStepSummary(result, { GITHUB_STEP_SUMMARY: path })).toBe(true);
    expect(await appendStepSummary(result, { GITHUB_STEP_SUMMARY: path })).toBe(true);
    const expected = `${renderMarkdown(result)}\n`;
    expect(await readFile(path, 'utf8')).toBe(`# earlier step\n${expected}${expected}`);
  });

  it('writes nothing when the variable is unset or empty', async () => {
    expect(await appendStepSummary(result, {})).toBe(false);
    expect(await appendStepSummary(result, { GITHUB_STEP_SUMMARY: '' })).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });
});
