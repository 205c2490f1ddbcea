/**
 * What `abx merge` refuses: the same run twice (it would count every request
 * twice), and, unless --force, results of different targets or load models,
 * whose merged percentiles describe nothing that happened.
 */
import { createHash, randomUUID } from 'node:crypto';
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

/** Throws a ConfigError naming the two files at fault. */
export function checkMergeable(files: string[], results: Result[], opts: { force: boolean }): void {
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
  if (opts.force) return;
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
}

/** Gives a merged result its own id and the ids of the runs in it. */
export function stampMerged(merged: Result, parts: Result[]): Result {
  return { ...merged, runId: randomUUID(), mergedFrom: parts.flatMap(runIdsOf) };
}
