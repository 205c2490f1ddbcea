/**
 * --shard and --start-at: parsing, the bad forms (exit 2, one line, nothing
 * sent), and what `abx merge` says about shards that do not make one run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMergeable } from '../../src/cli/merge-checks.js';
import { parseShard, parseStartAt } from '../../src/cli/shard.js';
import { ConfigError } from '../../src/errors.js';
import type { Result } from '../../src/stats/result.js';
import { makeResult } from '../fixtures/make-result.js';
import { okResponse, startRawServer, type FaultServer } from '../helpers/fault-servers.js';
import { runAbx, stderrLines } from './abx-process.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('--shard', () => {
  it('reads I/N, with I from 0 to N-1', () => {
    expect(parseShard('0/1', {})).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 15/16 ', {})).toEqual({ index: 15, count: 16 });
  });

  it('auto/N reads the index from JOB_COMPLETION_INDEX, else ABX_SHARD_INDEX', () => {
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3', ABX_SHARD_INDEX: '1' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('AUTO/4', { ABX_SHARD_INDEX: '2' })).toEqual({ index: 2, count: 4 });
  });

  it.each([
    ['3/3', {}, /index must be 0 to 2/],
    ['-1/2', {}, /must be I\/N/],
    ['a/b', {}, /must be I\/N/],
    ['1/0', {}, /N must be 1 to/],
    ['1', {}, /must be I\/N/],
    ['auto/4', {}, /set JOB_COMPLETION_INDEX or ABX_SHARD_INDEX/],
    ['auto/4', { JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX=4 is not below 4/],
    ['auto/4', { ABX_SHARD_INDEX: 'x' }, /ABX_SHARD_INDEX must be a whole number/],
  ] as const)('refuses %s %o', (raw, env, says) => {
    expect(() => parseShard(raw, env)).toThrow(ConfigError);
    expect(() => parseShard(raw, env)).toThrow(says);
  });
});

describe('--start-at', () => {
  it('reads ISO 8601 with a zone, epoch seconds and +duration from now', () => {
    expect(parseStartAt('2026-11-30T12:05:00Z', NOW)).toBe(NOW + 300_000);
    expect(parseStartAt('2026-11-30T13:05:00+01:00', NOW)).toBe(NOW + 300_000);
    expect(parseStartAt(String((NOW + 90_000) / 1000), NOW)).toBe(NOW + 90_000);
    expect(parseStartAt('+30s', NOW)).toBe(NOW + 30_000);
    expect(parseStartAt('+2m', NOW)).toBe(NOW + 120_000);
    expect(parseStartAt('+45', NOW)).toBe(NOW + 45_000);
  });

  it('accepts a time a little in the past (a late shard goes at once)', () => {
    expect(parseStartAt('2026-11-30T11:00:00Z', NOW)).toBe(NOW - 3_600_000);
  });

  it.each([
    ['2026-11-28T12:00:00Z', /more than a day in the past/],
    [String(NOW / 1000 - 90_000), /more than a day in the past/],
    ['2026-11-30T12:05:00', /ISO 8601 time with a zone/],
    ['tomorrow', /ISO 8601 time with a zone/],
    ['+soon', /ISO 8601 time with a zone/],
  ])('refuses %s', (raw, says) => {
    expect(() => parseStartAt(raw, NOW)).toThrow(says);
  });
});

describe('bad --shard and --start-at on the command line: exit 2, one line, nothing sent', () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startRawServer(okResponse());
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    [['--shard', '3/3'], /--shard 3\/3: the index must be 0 to 2/],
    [['--shard', '-1/2'], /--shard must be I\/N/],
    [['--shard', 'a/b'], /--shard must be I\/N/],
    [['--shard', '0/20', '-n', '10', '-c', '10'], /-n 10 is fewer than the 20 shards/],
    [['--start-at', '2020-01-01T00:00:00Z'], /--start-at .* more than a day in the past/],
  ])('%o', async (flags, says) => {
    const outcome = await runAbx([...flags, server.url], { timeoutMs: 15_000 });
    const lines = stderrLines(outcome);
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^abx: /);
    expect(lines[0]).toMatch(says);
    expect(server.connections).toBe(0);
  });
});

/** A result of shard `index` of `count`, with -n `requests` (its share) and the given overrides. */
function shard(index: number, count: number, requests: number, extra: Partial<Result> = {}): Result {
  const base = makeResult({ secondsMs: [[2, 3, 4]], startedAtMs: NOW + index });
  return {
    ...base,
    runId: `run-${index}-${count}-${requests}`,
    options: { ...base.options, requests, concurrency: 1 },
    shard: { index, count, startAt: '2026-11-30T12:00:00.000Z', lateMs: 0 },
    ...extra,
  };
}

describe('abx merge checks that shards make one run', () => {
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i}.json`);

  it('lets a whole set through', () => {
    const results = [shard(0, 3, 4), shard(1, 3, 3), shard(2, 3, 3)];
    expect(checkMergeable(names(3), results, { force: false })).toEqual([]);
  });

  it('names the missing shards, and lets them through with --allow-partial, saying so', () => {
    const results = [shard(0, 5, 2), shard(3, 5, 2)];
    expect(() => checkMergeable(names(2), results, { force: false })).toThrow(/shards 1, 2, 4 of 5 missing/);
    const notes = checkMergeable(names(2), results, { force: false, allowPartial: true });
    expect(notes.join('\n')).toMatch(/merging 2 of 5 shards: shards 1, 2, 4 of 5 missing/);
  });

  it.each([
    ['the same index twice', [shard(0, 2, 5), { ...shard(0, 2, 5), runId: 'other' }], /both shard 0\/2/],
    ['different counts', [shard(0, 2, 5), shard(1, 3, 5)], /shard 0\/2 and s1\.json shard 1\/3/],
    ['a shard and a plain run', [shard(0, 2, 5), { ...shard(1, 2, 5), shard: undefined }], /s1\.json is not a shard/],
    ['different -n', [shard(0, 2, 5), shard(1, 2, 3)], /has -n 5, not its share of 8: the shards were started with different -n/],
    [
      'different --start-at',
      [shard(0, 2, 5), { ...shard(1, 2, 5), shard: { index: 1, count: 2, startAt: '2026-11-30T12:01:00.000Z', lateMs: 0 } }],
      /different --start-at/,
    ],
    [
      'different --rate',
      [shard(0, 2, 5), { ...shard(1, 2, 5), options: { ...shard(1, 2, 5).options, ratePerSec: 10 } }],
      /open loop|different --rate/,
    ],
    [
      'different -k',
      [shard(0, 2, 5), { ...shard(1, 2, 5), options: { ...shard(1, 2, 5).options, keepAlive: !shard(1, 2, 5).options.keepAlive } }],
      /different -k/,
    ],
    ['different URLs', [shard(0, 2, 5), { ...shard(1, 2, 5), url: 'http://127.0.0.2/' }], /measured different targets/],
  ] as const)('refuses %s, with the reason', (_name, results, says) => {
    expect(() => checkMergeable(names(2), [...results], { force: false })).toThrow(says);
  });

  it('--force merges mixed shards anyway', () => {
    expect(checkMergeable(names(2), [shard(0, 2, 5), shard(1, 3, 5)], { force: true })).toEqual([]);
  });

  it('abx merge on the command line refuses a run with a shard missing: exit 2, one line naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abx-shards-'));
    try {
      const files = [shard(0, 3, 4), shard(2, 3, 3)].map((result, i) => {
        const file = join(dir, `shard-${i}.json`);
        writeFileSync(file, JSON.stringify(result));
        return file;
      });
      const outcome = await runAbx(['merge', ...files], { timeoutMs: 15_000 });
      expect(outcome.code, outcome.stderr).toBe(2);
      expect(stderrLines(outcome)).toHaveLength(1);
      expect(outcome.stderr).toMatch(/shard 1 of 3 missing.*--allow-partial/);
      const partial = await runAbx(['merge', '--allow-partial', ...files], { timeoutMs: 15_000 });
      expect(partial.code, partial.stderr).toBe(0);
      expect(partial.stderr).toMatch(/merging 2 of 3 shards/);
      expect(JSON.parse(partial.stdout).totals.requests).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
