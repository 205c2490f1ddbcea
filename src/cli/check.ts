/**
 * `abx check [--asg NAME | --target-group ARN | URL]`: reads the group, its
 * load balancer, security groups, subnets, launch template and policies, and
 * says what will bite under load or under attack (security, failure,
 * scalability). A check whose inputs could not be read is a SKIP with the
 * reason (--strict makes it a FAIL). Exit 0 when nothing FAILs, 1 when a
 * check FAILs, 2 on bad usage or missing credentials. With --from result.json, the run's measured
 * peak is checked against the group's MaxSize too.
 */
import type { CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError, EXIT, ObserverError } from '../errors.js';
import { wantsObservation } from '../observe/options.js';
import type { AwsCredentials } from '../aws/clients.js';
import { parseAwsTargetFlags } from '../aws/target-flags.js';
import { terminalWidth } from '../report/width.js';
import { PRINCIPLES, type Principle } from '../check/types.js';
import type { AwsFlags } from './options.js';
import { awsFlags } from './run-flags.js';

/** The AWS flags typed from their one declaration (check polls nothing), and check's own. */
export interface CheckFlags extends Omit<AwsFlags, 'pollInterval'> {
  json?: boolean;
  only?: string;
  /** A result file (`abx --out`): adds the checks that need a measurement. */
  from?: string;
  /** Every SKIP (a check that could not be read) becomes a FAIL: for CI. */
  strict?: boolean;
}

export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Columns of the table (default: the terminal's, else COLUMNS, else 80). */
  width?: number;
  /** Explicit credentials (tests and the lab); default: the SDK's chain. */
  credentials?: AwsCredentials;
  /** SDK attempts per call; tests use 1. */
  maxAttempts?: number;
}

/** --only security,failure → the principles; ConfigError on anything else. */
export function parseOnly(raw: string | undefined): Principle[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = parts.find((p) => !(PRINCIPLES as readonly string[]).includes(p));
  if (bad !== undefined || parts.length === 0)
    throw new ConfigError(`--only ${bad !== undefined ? `"${bad}"` : 'is empty'}: use a comma-separated list of ${PRINCIPLES.join(', ')}`);
  return parts as Principle[];
}

function parseUrl(url: string | undefined): URL | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url);
  } catch {
    throw new ConfigError(
      `check: "${url}" is not a URL; give an ALB URL such as http://my-alb-123.us-east-1.elb.amazonaws.com/ or --asg NAME`,
    );
  }
}

/** Runs the checks; resolves with the exit code. ConfigError is left to the caller (exit 2). */
export async function runCheck(url: string | undefined, flags: CheckFlags, io: CheckIo): Promise<number> {
  const only = parseOnly(flags.only);
  const parsedUrl = parseUrl(url);
  const aws = parseAwsTargetFlags(flags);
  if (!wantsObservation({ asg: aws.asg, targetGroupArn: aws.targetGroupArn, url: parsedUrl })) {
    throw new ConfigError(
      parsedUrl
        ? `check: ${parsedUrl.hostname} is not an ALB DNS name (*.elb.amazonaws.com); pass --asg NAME or --target-group ARN`
        : 'check needs --asg NAME, --target-group ARN or an ALB URL (http://<name>.<region>.elb.amazonaws.com/)',
    );
  }
  // Read before AWS: a bad file is bad usage (exit 2) and should not wait for the API.
  const measured = flags.from !== undefined ? await (await import('./result-file.js')).readResultFile(flags.from) : undefined;
  const [
    { readSnapshot, CheckReadError },
    { runChecks, checksExitCode, strictChecks },
    { formatCheckTable },
    { chooseRegion },
    { parseAlbHost },
  ] = await Promise.all([
    import('../check/read.js'),
    import('../check/index.js'),
    import('../check/table.js'),
    import('../aws/region.js'),
    import('../observe/arn.js'),
  ]);
  const albRegion = parsedUrl ? parseAlbHost(parsedUrl.hostname)?.region : undefined;
  const chosen = chooseRegion(aws.region, process.env, albRegion, !aws.asg && !aws.targetGroupArn);
  if (chosen.note) io.err(`abx: check: ${chosen.note}\n`);
  let snapshot;
  try {
    snapshot = await readSnapshot(
      {
        ...(chosen.region ? { region: chosen.region } : {}),
        ...(aws.profile ? { profile: aws.profile } : {}),
        ...(aws.endpointUrl ? { endpointUrl: aws.endpointUrl } : {}),
        ...(io.credentials ? { credentials: io.credentials } : {}),
        ...(io.maxAttempts ? { maxAttempts: io.maxAttempts } : {}),
        onWarning: (m) => io.err(`abx: warning: ${m}\n`),
      },
      {
        ...(aws.asg ? { asg: aws.asg } : {}),
        ...(aws.targetGroupArn ? { targetGroupArn: aws.targetGroupArn } : {}),
        ...(parsedUrl ? { url: parsedUrl } : {}),
      },
    );
  } catch (error) {
    if (error instanceof ObserverError) throw new ConfigError(error.message);
    if (error instanceof CheckReadError) {
      io.err(`abx: check: ${error.message}\n`);
      return error.kind === 'credentials' ? EXIT.usage : EXIT.failed;
    }
    throw error;
  }
  if (!snapshot.group && !snapshot.loadBalancer) {
    const why = snapshot.unread?.group ?? snapshot.troubles[0]?.message ?? snapshot.notes[0] ?? 'nothing found';
    io.err(`abx: check: found no Auto Scaling group or load balancer to check: ${why}\n`);
    return EXIT.failed;
  }
  const all = runChecks(snapshot, only, measured);
  const checks = flags.strict ? strictChecks(all) : all;
  if (flags.json) {
    io.out(
      `${JSON.stringify(
        {
          schema: 'abx.check/v1',
          region: snapshot.region,
          asg: snapshot.group?.AutoScalingGroupName ?? null,
          loadBalancerArn: snapshot.loadBalancer?.LoadBalancerArn ?? null,
          targetGroupArn: snapshot.targetGroup?.TargetGroupArn ?? null,
          strict: flags.strict === true,
          notes: snapshot.notes,
          // The reads that failed, each with its IAM action: the SKIPs name them too.
          troubles: snapshot.troubles,
          checks,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const width = io.width ?? terminalWidth(process.stdout, process.env);
    io.out(`${formatCheckTable(snapshot, checks, width).join('\n')}\n`);
  }
  return checksExitCode(checks);
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('check the group, its load balancer and policy for security, failure and scalability mistakes (exit 1 on a FAIL)')
    .argument('[url]', 'an ALB URL (*.elb.amazonaws.com) to find the group from')
    .addOption(awsFlags.asg('check'))
    .addOption(awsFlags.targetGroup('check'))
    .addOption(awsFlags.region())
    .addOption(awsFlags.profile())
    .addOption(awsFlags.endpointUrl())
    .option('--json', 'print {"schema": "abx.check/v1", "checks": [...]}')
    .option('--only <principles>', 'comma-separated: security, failure, scalability')
    .option('--from <result.json>', "add the checks that need a measurement, from a run's result file (abx --out)")
    .option('--strict', 'a check that could not be read (SKIP) FAILs: for CI')
    .action(async (url, _flags, command) => {
      // Flags shared with the main command (--asg, --region...) may land on either; optsWithGlobals sees both.
      const flags = command.optsWithGlobals() as CheckFlags;
      process.exitCode = await runCheck(url, flags, {
        out: (text) => void process.stdout.write(text),
        err: (text) => void process.stderr.write(text),
      });
    });
}
