import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendStepSummary } from '../../src/cli/ci-summary.js';
import { readResultFile, writeFileAtomic } from '../../src/cli/result-file.js';
import { ConfigError } from '../../src/errors.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { makeResult } from '../fixtures/make-result.js';

/**
 * A write that stops half-way. While `fault.current` is set, every way
 * node:fs/promises writes file contents (writeFile, appendFile, a FileHandle's
 * write/writeFile) writes the first half of what it was given and then either
 * fails as a full disk would, or waits for the test to let it go on (a run
 * caught mid-write). Whatever file the code under test writes to, its first
 * half is on disk at that moment, so a write straight to the target leaves a
 * truncated target behind for the test to see.
 */
type Fault = { kind: 'fail' } | { kind: 'pause'; reached: () => void; resume: Promise<void> };
const fault = vi.hoisted(() => ({ current: null as Fault | null }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  type Data = string | NodeJS.ArrayBufferView;
  const halfOf = (data: Data): string | Buffer =>
    typeof data === 'string' ? data.slice(0, data.length >> 1) : Buffer.from(data.buffer, data.byteOffset, data.byteLength >> 1);
  const isData = (data: unknown): data is Data => typeof data === 'string' || ArrayBuffer.isView(data);
  /** Writes half through `writeHalf`, then trips the fault; the second half is never written. */
  async function halfThenTrip(writeHalf: () => Promise<unknown>): Promise<never> {
    const armed = fault.current!;
    await writeHalf();
    if (armed.kind === 'pause') {
      armed.reached();
      await armed.resume;
    }
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  function faulty(handle: FileHandle): FileHandle {
    return new Proxy(handle, {
      get(target, prop) {
        if ((prop === 'writeFile' || prop === 'write' || prop === 'appendFile') && fault.current) {
          return (data: unknown, ...rest: unknown[]) =>
            isData(data)
              ? halfThenTrip(() => target.write(halfOf(data) as string))
              : (target[prop] as (...a: unknown[]) => unknown)(data, ...rest);
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  const mocked = {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      return fault.current ? faulty(handle) : handle;
    },
    writeFile: (file: Parameters<typeof real.writeFile>[0], data: Parameters<typeof real.writeFile>[1], ...rest: unknown[]) =>
      fault.current && isData(data)
        ? halfThenTrip(() => real.writeFile(file, halfOf(data)))
        : real.writeFile(file, data, ...(rest as [undefined])),
    appendFile: (file: Parameters<typeof real.appendFile>[0], data: string | Uint8Array, ...rest: unknown[]) =>
      fault.current && isData(data)
        ? halfThenTrip(() => real.appendFile(file, halfOf(data)))
        : real.appendFile(file, data, ...(rest as [undefined])),
  };
  return { ...mocked, default: mocked };
});

let dir: string;
afterEach(() => {
  fault.current = null;
});
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

  it('a write that fails half-way leaves the old file whole, and no temp file', async () => {
    const path = join(dir, 'out.json');
    const old = JSON.stringify(makeResult({ secondsMs: [[1, 2, 3]] }));
    await writeFile(path, old);
    fault.current = { kind: 'fail' };
    const message = await configError(writeFileAtomic(path, JSON.stringify(makeResult({ secondsMs: [[4, 5, 6, 7]] }))));
    fault.current = null;
    expect(message).toMatch(/^cannot write .*out\.json: ENOSPC/);
    expect(await readFile(path, 'utf8')).toBe(old);
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('never exposes a truncated file: caught mid-write, the target still holds the old contents, whole', async () => {
    const path = join(dir, 'big.json');
    await writeFile(path, 'old contents');
    let reached!: () => void;
    const midWrite = new Promise<void>((resolve) => (reached = resolve));
    let resume!: () => void;
    fault.current = { kind: 'pause', reached, resume: new Promise<void>((resolve) => (resume = resolve)) };
    const writing = writeFileAtomic(path, 'new contents, a lot longer than the old ones');
    await midWrite;
    // Half the new contents are on disk somewhere; a reader of the target sees none of them.
    expect(await readFile(path, 'utf8')).toBe('old contents');
    fault.current = null;
    resume();
    await expect(writing).rejects.toBeInstanceOf(ConfigError);
    expect(await readFile(path, 'utf8')).toBe('old contents');
    // And without the fault, the new contents arrive whole.
    await writeFileAtomic(path, 'new contents, a lot longer than the old ones');
    expect(await readFile(path, 'utf8')).toBe('new contents, a lot longer than the old ones');
    expect(await readdir(dir)).toEqual(['big.json']);
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
