/**
 * What one shard of a fleet runs: the user's load flags, then its part of
 * the run (--shard), the agreed first-request time (--start-at), where it
 * writes its result (--out under the fleet's results prefix) and -q (nobody
 * reads a container's progress line). Every engine builds its shards'
 * commands here, and `abx fleet collect` reads the same object names.
 */

/** Where shard `index` writes its result under the results prefix (s3://bucket/prefix, no trailing slash). */
export function shardObjectKey(results: string, index: number | string): string {
  return `${results}/shard-${index}.json`;
}

export interface ShardCommandSpec {
  /** The load flags every shard runs with, before the URL (no --shard, --start-at or --out). */
  runArgs: string[];
  url: string;
  /** How many shards. */
  count: number;
  /** The agreed first-request time, epoch ms. */
  startAtMs: number;
  /** s3://bucket/prefix (no trailing slash). */
  results: string;
}

/**
 * The arguments after `abx` for one shard. `index` is the shard's number, or
 * 'auto' with `outIndex` an expression the engine expands (Kubernetes'
 * $(VAR)), when each shard learns its index only where it runs.
 */
export function shardArgs(spec: ShardCommandSpec, index: number | 'auto', outIndex: number | string = index): string[] {
  return [
    ...spec.runArgs,
    '--shard',
    `${index}/${spec.count}`,
    '--start-at',
    new Date(spec.startAtMs).toISOString(),
    '--out',
    shardObjectKey(spec.results, outIndex),
    '-q',
    spec.url,
  ];
}
