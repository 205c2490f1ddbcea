/**
 * `abx fleet collect s3://bucket/prefix`: merges a fleet's shard results
 * (every .json under the prefix) exactly, with the checks `abx merge` makes,
 * and prints one ab report and a line per shard.
 */
import type { CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError } from '../errors.js';
import type { Result } from '../stats/result.js';
import { readResultFile, writeFileAtomic } from './result-file.js';
import { expandResultPaths, isS3Url } from './s3-results.js';

export function registerFleetCollect(fleet: Command): void {
  fleet
    .command('collect')
    .description("merge a fleet's shard results from s3://bucket/prefix into one report")
    .argument('<prefix>', 'the --results prefix the fleet wrote to (or result files)')
    .option('--out <file>', 'also write the merged JSON result here')
    .option('--json', 'print the merged JSON result instead of the text report')
    .option('--allow-partial', 'merge the shards there are when some are missing (they are named)')
    .option('--no-color', 'no colour in the output')
    .action(async (prefix, options) => {
      if (!isS3Url(prefix)) throw new ConfigError(`abx fleet collect needs the s3://bucket/prefix the shards wrote to (got "${prefix}")`);
      const files = await expandResultPaths([prefix.endsWith('/') ? prefix : `${prefix}/`], {});
      const results = await Promise.all(files.map((file) => readResultFile(file)));
      const [{ mergeResults }, { checkMergeable, stampMerged }] = await Promise.all([
        import('../stats/merge.js'),
        import('./merge-checks.js'),
      ]);
      const notes = checkMergeable(files, results, { force: false, allowPartial: options.allowPartial === true });
      for (const note of notes) process.stderr.write(`${note}\n`);
      const merged = stampMerged(mergeResults(results), results);
      const json = `${JSON.stringify(merged, null, 2)}\n`;
      if (options.out) await writeFileAtomic(options.out, json);
      if (options.json) {
        process.stdout.write(json);
        return;
      }
      const [{ renderTextReport }, { colorEnabled }, { terminalWidth }] = await Promise.all([
        import('../report/text.js'),
        import('../report/style.js'),
        import('../report/width.js'),
      ]);
      process.stdout.write(shardLines(results, files));
      process.stdout.write(
        renderTextReport(merged, {
          color: colorEnabled(process.stdout, options.color, process.env),
          width: terminalWidth(process.stdout, process.env),
        }),
      );
    });
}

/** One line per shard: what it sent and how late it started, so a lagging machine stands out. */
function shardLines(results: Result[], files: string[]): string {
  const rows = results
    .map((r, i) => ({ r, file: files[i] }))
    .sort((a, b) => (a.r.shard?.index ?? 0) - (b.r.shard?.index ?? 0))
    .map(({ r, file }) => {
      const name = r.shard ? `shard ${r.shard.index}/${r.shard.count}` : file;
      const late = r.shard && r.shard.lateMs > 0 ? `, started ${(r.shard.lateMs / 1000).toFixed(1)} s late` : '';
      return `${name}: ${r.totals.requests} requests, ${r.totals.rps.toFixed(1)} rps, p99 ${r.latencyMs.p99.toFixed(1)} ms${late}  (${file})`;
    });
  return `Shards merged: ${results.length}\n${rows.join('\n')}\n\n`;
}
