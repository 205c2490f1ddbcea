/**
 * What `abx merge` refuses: the same run twice (it would count every request
 * twice), and, unless --force, results of different targets or load models,
 * whose merged percentiles describe nothing that happened; and shards
 * (--shard I/N) that are not the parts of one run, or a run missing some of
 * its shards unless --allow-partial.
 */
import { createHash, randomUUID } from 'node:crypto';
import { shardShare } from '../engine/split.js';
import { ConfigError } from '../errors.js';
import type { Result } from '../stats/result.js';

/**
 * The runs a result holds: its merged-from ids, its own id, or (for a file
 * written before run ids existed) a fingerprint of its start and histogram.
 */
export function runIdsOf(result: Result): string[] {
  if (result.mergedFrom && result.mergedFrom.length > 0) return result.mergedFrom;
  if (result.runId) return [result.runId];
  return [`sha256:${createHash('sha256').update(`${result.startedAtMs}\n${result.histogram}`).digest('hex').slice(0, 16)}`];
}

function loadModel(result: Result): string {
  return result.options.ratePerSec === null ? 'closed loop (-c)' : 'open loop (--rate)';
}

export interface MergeCheckOptions {
  force: boolean;
  /** Merge the shards there are when some of a run's are missing (a machine failed); the missing are named. */
  allowPartial?: boolean;
}

/**
 * Throws a ConfigError naming the files at fault. Returns notes to print
 * (shards missing from a merge that --allow-partial let through).
 */
export function checkMergeable(files: string[], results: Result[], opts: MergeCheckOptions): string[] {
  const seen = new Map<string, string>();
  results.forEach((result, i) => {
    for (const id of runIdsOf(result)) {
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        throw new ConfigError(
          `${earlier} and ${files[i]} hold the same run (${id}): merging would count its requests twice; give each run once`,
        );
      }
      seen.set(id, files[i]);
    }
  });
  if (opts.force) return [];
  const first = results[0];
  results.forEach((result, i) => {
    if (result.url !== first.url || result.method !== first.method) {
      throw new ConfigError(
        `${files[0]} (${first.method} ${first.url}) and ${files[i]} (${result.method} ${result.url}) measured different targets; add --force to merge them anyway`,
      );
    }
    if (loadModel(result) !== loadModel(first)) {
      throw new ConfigError(
        `${files[0]} is a ${loadModel(first)} run and ${files[i]} a ${loadModel(result)} run; add --force to merge them anyway`,
      );
    }
  });
  return checkShards(files, results, opts.allowPartial === true);
}

/** The settings every shard of one run was started with (the whole run's, not a shard's share). */
function shardSettings(result: Result): Array<[name: string, value: string]> {
  const o = result.options;
  return [
    ['--rate', String(o.ratePerSec)],
    ['load shape', JSON.stringify(result.load?.stages ?? result.load?.model ?? null)],
    ['-t', String(o.durationMs)],
    ['-s', String(o.timeoutMs)],
    ['-k', String(o.keepAlive)],
    ['-n', o.requests === null ? 'none' : 'a number'],
    ['headers', o.headers.join('\n')],
    ['--start-at', String(result.shard?.startAt ?? null)],
  ];
}

const shardName = (result: Result): string => `shard ${result.shard!.index}/${result.shard!.count}`;

function checkShards(files: string[], results: Result[], allowPartial: boolean): string[] {
  const sharded = results.findIndex((r) => r.shard !== undefined);
  if (sharded < 0) return [];
  const first = results[sharded];
  const count = first.shard!.count;
  const byIndex = new Map<number, string>();
  results.forEach((result, i) => {
    if (result.shard === undefined) {
      throw new ConfigError(
        `${files[sharded]} is ${shardName(first)} of a run and ${files[i]} is not a shard; merge one run's shards together, or add --force`,
      );
    }
    if (result.shard.count !== count) {
      throw new ConfigError(
        `${files[sharded]} is ${shardName(first)} and ${files[i]} ${shardName(result)}: shards of one run share one count; add --force to merge them anyway`,
      );
    }
    const earlier = byIndex.get(result.shard.index);
    if (earlier !== undefined) {
      throw new ConfigError(`${earlier} and ${files[i]} are both ${shardName(result)}: give each shard once`);
    }
    byIndex.set(result.shard.index, files[i]);
    const mine = shardSettings(result);
    shardSettings(first).forEach(([name, value], k) => {
      if (mine[k][1] !== value) {
        throw new ConfigError(
          `${files[sharded]} and ${files[i]} were started with different ${name}: they are not shards of one run; add --force to merge them anyway`,
        );
      }
    });
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const list = `${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${count}`;
    if (!allowPartial) {
      throw new ConfigError(`${list} missing: give every shard's result, or add --allow-partial to merge the ${byIndex.size} there are`);
    }
    return [`abx: merging ${byIndex.size} of ${count} shards: ${list} missing, so the totals are short of the run's`];
  }
  // A whole set: each shard's -n and -c must be its share of the totals, or they were started with different ones.
  for (const [name, values] of [
    ['-n', results.map((r) => r.options.requests)],
    ['-c', results.map((r) => r.options.concurrency)],
  ] as const) {
    if (values.some((v) => v === null)) continue;
    const total = values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    const odd = results.findIndex((r, i) => values[i] !== shardShare(total, { part: r.shard!.index, parts: count }));
    if (odd >= 0) {
      throw new ConfigError(
        `${files[odd]} (${shardName(results[odd])}) has ${name} ${values[odd]}, not its share of ${total}: the shards were started with different ${name}; add --force to merge them anyway`,
      );
    }
  }
  return [];
}

/** Gives a merged result its own id and the ids of the runs in it. */
export function stampMerged(merged: Result, parts: Result[]): Result {
  return { ...merged, runId: randomUUID(), mergedFrom: parts.flatMap(runIdsOf) };
}
