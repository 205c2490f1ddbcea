/**
 * Result-file subcommands: `abx report` re-renders a saved result without
 * re-running, `abx merge` folds shards or repeated runs into one exact result,
 * `abx compare` says whether a new run regressed against a baseline (exit 1).
 * Reporters are loaded lazily so `abx <url>` does not pay for them.
 */
import { Option, type CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError, EXIT } from '../errors.js';
import type { Comparison } from '../stats/compare.js';
import type { Result } from '../stats/result.js';
import { oneOf } from './parse.js';
import { readResultFile, writeFileAtomic } from './result-file.js';

const FORMATS = ['text', 'json', 'markdown', 'csv', 'tsv', 'junit'] as const;
type Format = (typeof FORMATS)[number];

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('re-render a result file written with --out, without re-running it')
    .argument('<file>', 'a JSON result written by abx --out or abx merge (a path or an s3:// object)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).argParser(oneOf('--format', FORMATS)).default('text'))
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--no-color', 'no colour in the output')
    .action(async (file, options) => {
      const format: Format = options.format;
      const result = await readResultFile(file);
      process.stdout.write(await render(result, format, await colorFor(options.color)));
      if (options.html) {
        const { renderHtml } = await import('../report/html.js');
        await writeFileAtomic(options.html, renderHtml(result));
      }
    });

  program
    .command('merge')
    .description('merge result files exactly (histograms, per-second timelines, counters, scaling events)')
    .argument('<files...>', 'two or more JSON results written by abx --out (an s3:// prefix stands for every .json under it)')
    .option('--out <file>', 'write the merged result here (default: print it)')
    .option('--force', 'merge results of different URLs, methods or load models (never the same run twice)')
    .option('--allow-partial', "merge a sharded run's results when some shards are missing (they are named)")
    .action(async (files, options) => {
      if (files.length < 2 && !files.some((f) => f.startsWith('s3://'))) {
        throw new ConfigError('abx merge needs at least two result files (abx merge A.json B.json --out M.json)');
      }
      // Loaded on use: registering subcommands must stay cheap for `abx --version`.
      const [{ mergeResults }, { checkMergeable, stampMerged }] = await Promise.all([
        import('../stats/merge.js'),
        import('./merge-checks.js'),
      ]);
      // An s3:// prefix stands for every result under it (a fleet's shards).
      const { expandResultPaths } = await import('./s3-results.js');
      files = await expandResultPaths(files, {});
      if (files.length < 2) throw new ConfigError(`abx merge needs at least two result files; found only ${files[0]}`);
      const results = await Promise.all(files.map((file) => readResultFile(file)));
      const notes = checkMergeable(files, results, { force: options.force === true, allowPartial: options.allowPartial === true });
      for (const note of notes) process.stderr.write(`${note}\n`);
      const json = `${JSON.stringify(stampMerged(mergeResults(results), results), null, 2)}\n`;
      if (options.out) await writeFileAtomic(options.out, json);
      else process.stdout.write(json);
    });

  program
    .command('compare')
    .description('compare a new result with a baseline; exit 1 when rps or latency regressed beyond the limit')
    .argument('<base>', 'the baseline result file (a path or an s3:// object)')
    .argument('<new>', 'the result file to judge (a path or an s3:// object)')
    .option('--max-regression <percent>', 'allowed change for the worse, e.g. 10%', '10%')
    .option('--no-color', 'no colour in the output')
    .action(async (baseFile, nextFile, options) => {
      const maxRegressionPct = parsePercent('--max-regression', options.maxRegression);
      const { compareResults } = await import('../stats/compare.js');
      const [base, next] = await Promise.all([readResultFile(baseFile), readResultFile(nextFile)]);
      const comparison = compareResults(base, next, maxRegressionPct);
      process.stdout.write(await renderComparison(comparison, maxRegressionPct, await colorFor(options.color)));
      process.exitCode = comparison.regressed ? EXIT.failed : EXIT.ok;
    });
}

/** "10%", "10" or "2.5%": a percentage of at least 0. */
function parsePercent(flag: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(String(raw).trim());
  if (!match) throw new ConfigError(`${flag} must be a percentage such as 10% or 2.5 (got "${raw}")`);
  return Number(match[1]);
}

async function colorFor(flagColor: boolean | undefined): Promise<boolean> {
  const { colorEnabled } = await import('../report/style.js');
  return colorEnabled(process.stdout, flagColor, process.env);
}

async function render(result: Result, format: Format, color: boolean): Promise<string> {
  switch (format) {
    case 'json':
      return `${JSON.stringify(result, null, 2)}\n`;
    case 'markdown':
      return (await import('../report/markdown.js')).renderMarkdown(result);
    case 'csv':
    case 'tsv':
      return (await import('../report/csv.js')).renderCsv(result, format === 'csv' ? ',' : '\t');
    case 'junit':
      return (await import('../report/junit.js')).renderJunit(result);
    case 'text':
      return (await import('../report/text.js')).renderTextReport(result, {
        color,
        width: (await import('../report/width.js')).terminalWidth(process.stdout, process.env),
      });
  }
}

async function renderComparison(comparison: Comparison, maxRegressionPct: number, color: boolean): Promise<string> {
  const { painter } = await import('../report/style.js');
  const paint = painter({ color });
  const number = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 1 : 3));
  const delta = (pct: number): string => (Number.isFinite(pct) ? `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%` : pct > 0 ? '+∞' : '−∞');
  const rows = comparison.rows.map((row) => [
    row.metric,
    number(row.base),
    number(row.next),
    delta(row.deltaPct),
    row.worse ? 'WORSE' : '',
  ]);
  const header = ['Metric', 'Base', 'New', 'Change', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : i === 4 ? cell : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map((cells) => (cells[4] ? paint.red(line(cells)) : line(cells)))];
  lines.push(
    comparison.regressed
      ? paint.bold(paint.red(`Regression: worse than the baseline by more than ${maxRegressionPct}%.`))
      : paint.green(`No regression beyond ${maxRegressionPct}%.`),
  );
  return `${lines.join('\n')}\n`;
}
