/**
 * abx's entry point: builds the commander program, runs it, and maps errors to
 * exit codes. ConfigError (and commander's usage errors) → one line, exit 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, EXIT } from '../errors.js';
import { abxVersion } from '../version.js';
import { collect } from './parse.js';
import type { RawRunOptions } from './options.js';

export function buildProgram(): Command {
  const program = new Command('abx');
  program
    .usage('[options] <url>   |   abx <command> ...')
    .description(
      'ApacheBench-compatible HTTP load tester that shows an AWS Auto Scaling group scaling while it runs.\n' +
        'Try `abx demo`: load + scaling against a local simulated ALB and Auto Scaling group, no AWS account needed.',
    )
    .argument('[url]', 'http:// or https:// URL to load')
    .version(abxVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .showSuggestionAfterError(true)
    // Options after a subcommand belong to it (`abx demo -t 20s` is demo's -t, not the run's).
    .enablePositionalOptions()
    .allowExcessArguments(false);

  program
    .option('-n, --requests <n>', 'number of requests to perform (default 1; no cap with -t alone)')
    .option('-c, --concurrency <n>', 'requests in flight at a time (default 1; in --rate mode the in-flight cap, default 1000)')
    .option('-t, --duration <time>', 'run for at most this long: 30 (seconds), 30s, 2m')
    .option('-s, --timeout <time>', 'per-request timeout: no headers or next body chunk within it (default 30s)')
    .option('-k, --keepalive', 'reuse connections (HTTP keep-alive); otherwise one connection per request, as ab')
    .option('-H, --header <line>', 'extra header "Name: value" (repeatable)', collect)
    .option('-C, --cookie <name=value>', 'cookie (repeatable; all are sent, unlike ab)', collect)
    .option('-A, --auth <user:pass>', 'basic authentication')
    .option('-P, --proxy-auth <user:pass>', 'basic proxy authentication')
    .option('-X, --proxy <host:port>', 'send through this HTTP proxy')
    .option('-p, --post-file <file>', 'POST this file as the body (set -T)')
    .option('-u, --put-file <file>', 'PUT this file as the body (set -T)')
    .option('-T, --content-type <type>', 'Content-Type for -p/-u (default text/plain)')
    .option('-m, --method <name>', 'HTTP method')
    .option('-i, --head', 'use HEAD instead of GET')
    .option('-v, --verbosity <level>', 'troubleshooting output: 2 prints the request headers (secrets redacted)')
    .option('-q, --quiet', 'no progress output')
    .option('-r', 'accepted for ab compatibility: abx never aborts on receive errors')
    .option('-l, --variable-length', 'accept variable document length (no Length failures)')
    .option('-d', 'do not print the percentile table')
    .option('-S', 'print min/avg/max only, no deviation or warnings')
    .option('-e <file>', "write ab's CSV of the percentage of requests served within each time")
    .option('-g <file>', "write ab's gnuplot TSV, one row per request (streamed)")
    .option('--json', 'print the JSON result instead of the text report')
    .option('--out <file>', 'also write the JSON result to this file (atomically)')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--junit <file>', 'also write JUnit XML, one test case per --assert')
    .option('--assert <expr>', 'fail (exit 1) unless this holds, e.g. "p99<250ms", "errors<1%", "scale-outs>=1" (repeatable)', collect)
    .option('--insecure', 'do not verify TLS certificates (ab never verifies; abx does by default)')
    .option('--no-color', 'no colour in the output')
    .option('--rate <r>', 'open loop: r requests per second in total, latency measured from each intended send time')
    .option('--workers <n>', 'worker threads generating load (default: 1, or more for high concurrency)')
    .option('--resolve <host:port:addr>', "curl's --resolve: send to addr, keep host in the URL and Host header")
    .option('--asg <name>', 'observe this Auto Scaling group during the run')
    .option('--target-group <arn>', 'observe the Auto Scaling group behind this target group')
    .option('--region <region>', 'AWS region (else AWS_REGION, AWS_DEFAULT_REGION, or the ALB DNS name)')
    .option('--profile <name>', 'AWS profile for the observer')
    .option('--endpoint-url <url>', 'AWS API endpoint (as the AWS CLI; AWS_ENDPOINT_URL also works)')
    .option('--poll-interval <time>', 'how often to poll CloudWatch and Auto Scaling (default 15s, min 1s)')
    .option('--linger <time>', 'keep observing this long after the load (default 60s when observing; 0 = off)')
    .option('--no-observe', 'do not observe AWS even for an ALB URL');
  // ab flags with no meaning on undici: accepted by the parser only to say why they are refused.
  for (const flag of ['-w', '-I']) program.addOption(new Option(flag).hideHelp());
  for (const flag of ['-x', '-y', '-z', '-b', '-B', '-Z', '-f', '-E']) program.addOption(new Option(`${flag} <value>`).hideHelp());

  program.action(async (url: string | undefined, options: RawRunOptions) => {
    const { runCommand } = await import('./run.js');
    process.exitCode = await runCommand(url, options);
  });
  return program;
}

async function registerSubcommands(program: Command): Promise<void> {
  const [{ registerLabCommand }, { registerWatchCommand }, { registerReportCommands }, { registerDemoCommand }] = await Promise.all([
    import('./lab.js'),
    import('./watch.js'),
    import('./report.js'),
    import('./demo.js'),
  ]);
  registerDemoCommand(program);
  registerLabCommand(program);
  registerWatchCommand(program);
  registerReportCommands(program);
}

export async function main(argv: string[]): Promise<void> {
  // The one call scripts make at start-up: answer it before loading any command.
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '-V' || args[0] === '--version')) {
    process.stdout.write(`${abxVersion()}\n`);
    return;
  }
  const program = buildProgram();
  await registerSubcommands(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    process.stderr.write(`abx: ${error.message.replace(/^error: /, '')} (see abx --help)\n`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`abx: ${error.message}\n`);
    return EXIT.usage;
  }
  // A bug, not bad input: say so in one line; the stack only with ABX_DEBUG.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `abx: internal error: ${message.split('\n')[0]}${process.env.ABX_DEBUG ? `\n${(error as Error).stack}` : ' (set ABX_DEBUG=1 for details)'}\n`,
  );
  return EXIT.failed;
}

await main(process.argv);
