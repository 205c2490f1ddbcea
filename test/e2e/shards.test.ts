/**
 * Three shards of one run, started as three abx processes with the same
 * --start-at (as three machines would be), merged by `abx merge`: the server
 * sees exactly -n requests and the merged result counts them all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/stats/result.js';
import { abField, runAbx } from '../cli/abx-process.js';
import { startServer, type TestServer } from '../helpers/servers.js';

const SHARDS = 3;
const REQUESTS = 300;

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'abx-shards-e2e-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shards on one machine, as on many', () => {
  it(`${SHARDS} shards with one --start-at send exactly -n ${REQUESTS} in all, and merge into one run`, async () => {
    // Epoch seconds, the same for every shard: "+3s" would be read against each process's own clock.
    const startAt = String((Date.now() + 3000) / 1000);
    const files = Array.from({ length: SHARDS }, (_, i) => join(dir, `shard-${i}.json`));
    const outcomes = await Promise.all(
      files.map((file, i) =>
        runAbx(['-n', String(REQUESTS), '-c', '6', '-k', '--shard', `${i}/${SHARDS}`, '--start-at', startAt, '--out', file, server.url], {
          timeoutMs: 60_000,
        }),
      ),
    );
    outcomes.forEach((outcome) => {
      expect(outcome.code, outcome.stderr).toBe(0);
      // On a busy machine a shard may start after the agreed time: either way it says so.
      expect(outcome.stderr).toMatch(/abx: (waiting [\d.]+ s until --start-at|started [\d.]+ s after --start-at)/);
      expect(abField(outcome.stdout, 'Complete requests')).toBe(String(REQUESTS / SHARDS));
    });
    expect(server.requests).toBe(REQUESTS);

    const shards = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Result);
    expect(shards.map((s) => s.shard?.index)).toEqual([0, 1, 2]);
    for (const s of shards) {
      expect(s.shard).toMatchObject({ count: SHARDS, startAt: new Date(Number(startAt) * 1000).toISOString() });
      expect(s.shard!.lateMs).toBeGreaterThanOrEqual(0);
      expect(s.options.requests).toBe(REQUESTS / SHARDS);
      expect(s.options.concurrency).toBe(2);
    }

    const merged = join(dir, 'merged.json');
    const merge = await runAbx(['merge', ...files, '--out', merged], { timeoutMs: 30_000 });
    expect(merge.code, merge.stderr).toBe(0);
    const report = await runAbx(['report', merged], { timeoutMs: 30_000 });
    expect(abField(report.stdout, 'Complete requests')).toBe(String(REQUESTS));
    const result = JSON.parse(readFileSync(merged, 'utf8')) as Result;
    expect(result.totals.requests).toBe(REQUESTS);
    expect(result.options.requests).toBe(REQUESTS);
    expect(result.options.concurrency).toBe(6);

    // Two of the three are not one run: the merge names the missing shard.
    const partial = await runAbx(['merge', files[0], files[2]], { timeoutMs: 30_000 });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/shard 1 of 3 missing/);
  }, 120_000);
});
