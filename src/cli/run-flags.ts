/**
 * The main command's flags, declared once. `RunFlags` (what commander hands
 * the action) is inferred from this declaration, so a flag added here is typed
 * everywhere and a misspelt flag name is a compile error.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { ConfigError } from '../errors.js';
import { collect, parseInteger } from './parse.js';

/** -v levels: 2 prints the request headers; above 2 adds nothing yet but is accepted, as ab accepts it. */
export const VERBOSITY_LEVELS = ['0', '1', '2', '3', '4', '5'] as const;

/** The output flags a run and `abx demo` share. */
export const outputFlags = {
  json: () => new Option('--json', 'print the JSON result instead of the text report'),
  out: () => new Option('--out <file>', 'also write the JSON result to this file (atomically)'),
  html: () => new Option('--html <file>', 'also write a self-contained HTML report with charts'),
  assert: (description: string) => new Option('--assert <expr>', description).argParser(collect),
  noColor: () => new Option('--no-color', 'no colour in the output'),
};

/**
 * The AWS flags a run, `abx watch` and `abx check` share: one spelling and
 * one description each. `verb` says what the command does with the group
 * ("observe", "follow", "check").
 */
export const awsFlags = {
  asg: (verb: string) => new Option('--asg <name>', `${verb} this Auto Scaling group`),
  targetGroup: (verb: string) => new Option('--target-group <arn>', `${verb} the Auto Scaling group behind this target group`),
  region: () => new Option('--region <region>', 'AWS region (else AWS_REGION, AWS_DEFAULT_REGION, or the ALB DNS name)'),
  profile: () => new Option('--profile <name>', 'AWS profile'),
  endpointUrl: () => new Option('--endpoint-url <url>', 'AWS API endpoint (as the AWS CLI; AWS_ENDPOINT_URL also works)'),
};

/** ab flags with no sensible meaning on undici: the parser refuses them and says what to do instead. */
const UNSUPPORTED: ReadonlyArray<[flags: string, reason: string]> = [
  ['-w', '-w (HTML tables) is not supported: use --html FILE for a report with charts'],
  ['-x <value>', '-x (HTML table attributes) is not supported: use --html FILE'],
  ['-y <value>', '-y (HTML row attributes) is not supported: use --html FILE'],
  ['-z <value>', '-z (HTML cell attributes) is not supported: use --html FILE'],
  ['-b <value>', '-b (TCP buffer size) is not supported: undici uses the operating system default'],
  ['-B <value>', '-B (bind address) is not supported: abx connects from the default address'],
  ['-I', '-I (disable SNI) is not supported: abx sends SNI for host names and never for IP addresses, as ab does'],
  ['-Z <value>', '-Z (cipher suite) is not supported: abx uses Node.js TLS defaults'],
  ['-f <value>', '-f (TLS protocol) is not supported: abx negotiates TLS 1.2 or 1.3'],
  ['-E <value>', '-E (client certificate) is not supported'],
];

/** Declares every flag of a load run on `command` (the program itself). */
export function declareRunFlags<Args extends unknown[]>(command: Command<Args>) {
  return (
    command
      .option('-n, --requests <n>', 'number of requests to perform (default 1; no cap with -t alone)')
      .option('-c, --concurrency <n>', 'requests in flight at a time (default 1; in --rate mode the in-flight cap, default 1000)')
      .option('-t, --duration <time>', 'run for at most this long: 30 (seconds), 30s, 2m')
      .option('-s, --timeout <time>', 'per-request timeout: no headers or next body chunk within it (default 30s)')
      .option('-k, --keepalive', 'reuse connections (HTTP keep-alive); otherwise one connection per request, as ab')
      .option('-H, --header <line>', 'extra header "Name: value" (repeatable)', collect)
      .option('-C, --cookie <name=value>', 'cookie (repeatable; all are sent, unlike ab)', collect)
      .option(
        '--redact-header <name>',
        "never print or store this header's value (repeatable; Authorization, Cookie and names with key/token/secret/auth/session/password always are)",
        collect,
      )
      .option('-A, --auth <user:pass>', 'basic authentication')
      .option('-P, --proxy-auth <user:pass>', 'basic proxy authentication')
      .option('-X, --proxy <host:port>', 'send through this HTTP proxy')
      // One body source or HEAD: commander refuses any two of them together.
      .addOption(new Option('-p, --post-file <file>', 'POST this file as the body (set -T)').conflicts(['putFile', 'head']))
      .addOption(new Option('-u, --put-file <file>', 'PUT this file as the body (set -T)').conflicts(['postFile', 'head']))
      .option('-T, --content-type <type>', 'Content-Type for -p/-u (default text/plain)')
      .option('-m, --method <name>', 'HTTP method')
      .addOption(new Option('-i, --head', 'use HEAD instead of GET').conflicts(['postFile', 'putFile']))
      .addOption(
        new Option('-v, --verbosity <level>', 'troubleshooting output: 2 prints the request headers (secrets redacted)')
          .choices(VERBOSITY_LEVELS)
          .argParser((raw) => String(parseInteger('-v', raw, { min: 0, max: 5 })) as (typeof VERBOSITY_LEVELS)[number]),
      )
      .option('-q, --quiet', 'no progress output')
      .option('-r', 'accepted for ab compatibility: abx never aborts on receive errors')
      .option('-l, --variable-length', 'accept variable document length (no Length failures)')
      .option('-d', 'do not print the percentile table')
      .option('-S', 'print min/avg/max only, no deviation or warnings')
      .option('-e <file>', "write ab's CSV of the percentage of requests served within each time")
      .option('-g <file>', "write ab's gnuplot TSV, one row per request (streamed)")
      .addOption(outputFlags.json())
      .addOption(outputFlags.out())
      .addOption(outputFlags.html())
      .option('--junit <file>', 'also write JUnit XML, one test case per --assert')
      .addOption(outputFlags.assert('fail (exit 1) unless this holds, e.g. "p99<250ms", "errors<1%", "scale-outs>=1" (repeatable)'))
      .option('--insecure', 'do not verify TLS certificates (ab never verifies; abx does by default)')
      .addOption(outputFlags.noColor())
      .option('--rate <r>', 'open loop: r requests per second in total, latency measured from each intended send time')
      .option('--stage <duration:rate>', 'open loop: move the rate linearly to RATE over DURATION, e.g. 2m:300 (repeatable)', collect)
      .option('--ramp <from..to/duration>', 'open loop: ramp from one rate to another, e.g. 10..500/10m (= --rate 10 --stage 10m:500)')
      .option('--steps <start..end/step/every>', 'open loop: hold each rate for EVERY, e.g. 50..400/50/2m')
      .option('--drain <time>', 'at the deadline, wait up to this long for requests in flight and count them')
      .option(
        '--abort-on <expr>',
        'stop early (exit 1) when this holds over the last --abort-window, e.g. "errors>20%" (repeatable)',
        collect,
      )
      .option('--abort-window <time>', 'the sliding window --abort-on is evaluated over (default 10s)')
      .option('--abort-grace <time>', '--abort-on is armed only after this long (default 5s)')
      .option('--workers <n>', 'worker threads generating load: auto (default; every core, one left for a local server) or a number')
      .option(
        '--shard <I/N>',
        'run shard I (0 to N-1) of N: its share of -n, -c and the rate; auto/N reads I from JOB_COMPLETION_INDEX or ABX_SHARD_INDEX',
      )
      .option('--start-at <time>', 'wait until this time before the first request: ISO 8601, epoch seconds, or +30s')
      .option('--resolve <host:port:addr>', "curl's --resolve: send to addr, keep host in the URL and Host header")
      .addOption(awsFlags.asg('observe'))
      .addOption(awsFlags.targetGroup('observe'))
      .addOption(awsFlags.region())
      .addOption(awsFlags.profile())
      .addOption(awsFlags.endpointUrl())
      .option('--poll-interval <time>', 'how often to poll CloudWatch and Auto Scaling (default 15s, min 1s)')
      .option('--linger <time>', 'keep observing this long after the load (default 60s when observing; 0 = off)')
      .option('--no-observe', 'do not observe AWS even for an ALB URL')
      .option('--check', 'run `abx check` on the observed group before the load and print it above the report')
  );
}

/** Accepts ab's unsupported flags only to refuse them with the reason, before anything runs. */
export function refuseUnsupportedAbFlags<Args extends unknown[]>(command: Command<Args>): void {
  for (const [flags, reason] of UNSUPPORTED) {
    const option = new Option(flags).hideHelp();
    command.addOption(option);
    command.on(`option:${option.name()}`, () => {
      throw new ConfigError(reason);
    });
  }
}

/** What commander hands the main action: every flag, typed from the declaration above. */
export type RunFlags = ReturnType<ReturnType<typeof declareRunFlags<[]>>['opts']>;
