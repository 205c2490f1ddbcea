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
      const color = colorEnabled(process.stdout, options.color, process.env);
      process.stdout.write(await shardTable(results, color));
      process.stdout.write(renderTextReport(merged, { color, width: terminalWidth(process.stdout, process.env) }));
    });
}

/** The shard table of the results there are, in shard order (a result without --shard counts by its place). */
async function shardTable(results: Result[], color: boolean): Promise<string> {
  const [{ renderShardTable }, { painter }] = await Promise.all([import('../report/shard-table.js'), import('../report/style.js')]);
  const rows = results.map((result, i) => ({ index: result.shard?.index ?? i, task: null, result, problem: null }));
  return `Shards merged: ${results.length}\n${renderShardTable(rows, painter({ color }))}\n`;
}
