/**
 * -g streams ab's gnuplot rows to a file. A write that fails (here a file-size
 * limit, which fails the write with EFBIG as a full disk fails it with ENOSPC)
 * must not stop the run or its report: abx says once, at the end, that the
 * file is incomplete, and exits as the run would have.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatGnuplotRow, GNUPLOT_HEADER } from '../../src/report/gnuplot.js';
import { openGnuplotFile } from '../../src/report/gnuplot-file.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { abField, ABX_BIN } from './abx-process.js';

let server: TestServer | null = null;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'abx-gnuplot-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = null;
});

const row = { startedAtMs: Date.UTC(2026, 10, 26, 17, 10, 9, 400), connectMs: 1.4, processingMs: 2.6, totalMs: 4, waitingMs: 2.5 };

describe('the -g writer', () => {
  it('formats a row as ab does: ctime, start second, whole milliseconds', () => {
    const cells = formatGnuplotRow(row).split('\t');
    expect(cells[0]).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \d{4}$/);
    expect(cells.slice(1)).toEqual([String(Math.floor(row.startedAtMs / 1000)), '1', '3', '4', '3\n']);
  });

  it('writes every row, across many chunks, in order', async () => {
    const path = join(dir, 'rows.tsv');
    const file = openGnuplotFile(path);
    for (let i = 0; i < 5_000; i++) file.write({ ...row, totalMs: i });
    expect(await file.close()).toEqual({ complete: true });
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0] + '\n').toBe(GNUPLOT_HEADER);
    expect(lines).toHaveLength(5_002);
    expect(lines.slice(1, -1).map((line) => Number(line.split('\t')[4]))).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });
});

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** abx with a 16-block file-size limit and SIGXFSZ ignored, so a write past it fails with EFBIG. */
function runAbxWithFileSizeLimit(args: string[]): Promise<Spawned> {
  const script = 'trap "" XFSZ; ulimit -f 16; exec "$@"';
  return new Promise((resolve) => {
    execFile(
      'sh',
      ['-c', script, 'sh', process.execPath, ABX_BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('-g when the file cannot be written', () => {
  it('finishes the run and its report, then says in one line that the file is incomplete', async () => {
    server = await startServer();
    const tsv = join(dir, 'full.tsv');
    const outcome = await runAbxWithFileSizeLimit(['-n', '3000', '-c', '4', '-k', '-g', tsv, server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(server.requests).toBe(3000);
    expect(abField(outcome.stdout, 'Complete requests')).toBe('3000');
    const said = outcome.stderr.split('\n').filter((line) => line.includes('incomplete'));
    expect(said).toEqual([`abx: the -g file ${tsv} is incomplete: writing it failed (EFBIG: file too large, write)`]);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    // Cut short by the limit: fewer rows than requests, and what is there starts with the header.
    const written = readFileSync(tsv, 'utf8');
    expect(written.startsWith(GNUPLOT_HEADER)).toBe(true);
    expect(written.split('\n').length).toBeLessThan(3001);
  });
});
