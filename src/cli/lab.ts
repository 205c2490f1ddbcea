/**
 * `abx lab`: runs the simulated ALB + Auto Scaling group and its AWS APIs in
 * the foreground. Stdout starts with shell lines, so
 *   abx lab > lab.env &   then   source lab.env
 * points the AWS SDK (and abx's observer) at the lab. Everything after them
 * is a `#` comment (a ready abx command, then scaling activities as they
 * happen), so the file stays valid shell while it grows.
 */
import type { CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError, EXIT } from '../errors.js';
import { LAB_DEFAULTS } from '../lab/defaults.js';
import { collect, parseDurationMs, parseInteger, parsePositiveNumber } from './parse.js';
import { parseAzOutage } from './az-outage.js';

/** Shell-quotes a value only when it needs it. */
function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function registerLabCommand(program: Command): void {
  declareLabCommand(program);
}

/** No commander defaults: an unset flag stays undefined and startLab fills in LAB_DEFAULTS, which the help shows. */
function declareLabCommand(program: Command) {
  const d = LAB_DEFAULTS;
  return program
    .command('lab')
    .description(
      'run a local simulated ALB + Auto Scaling group behind the CloudWatch, Auto Scaling, ELBv2, EC2, S3 and ECS APIs (prints shell exports first)',
    )
    .option('--host <addr>', `loopback address the servers bind (default ${d.host})`)
    .option('--port <n>', `local port of the load balancer's listener on 80 (default ${d.port}; 0 = any free port)`)
    .option('--port-90 <n>', 'local port of the listener on 90, the private page (default: --port + 10; 0 = any free port)')
    .option('--api-port <n>', `AWS API port (default ${d.apiPort}; 0 = any free port)`)
    .option('--period <time>', `one lab period, standing for one CloudWatch minute (default ${d.periodMs / 1000}s)`)
    .option('--warmup <time>', 'health checks and warm-up before a new instance serves (default: one period)')
    .option('--launch-delay <time>', 'launch time before health checks start (default: one period)')
    .option('--min <n>', `group minimum size (default ${d.min})`)
    .option('--max <n>', `group maximum size (default ${d.max})`)
    .option('--desired <n>', `initial desired capacity (default ${d.desired})`)
    .option('--target <n>', `target requests per target per period (ALBRequestCountPerTarget; default ${d.targetValue})`)
    .option('--instance-capacity <r>', 'requests/second one instance serves before queueing (default: target/period/0.6)')
    .option('--high-periods <n>', `consecutive periods above target before AlarmHigh (default ${d.highEvaluationPeriods})`)
    .option('--low-periods <n>', `consecutive periods below 0.9 x target before AlarmLow (default ${d.lowEvaluationPeriods})`)
    .option('--region <region>', `region in ARNs and names (default ${d.region})`)
    .option('--asg-name <name>', `Auto Scaling group name (default ${d.asgName})`)
    .option('--with-policy', 'start with the target-tracking policy in place (the course lab starts without one)')
    .option('--az-outage <zone@+start[/duration]>', 'take a zone down, e.g. us-east-1a@+60s/120s (repeatable)', collect)
    .action(async (raw) => {
      process.exitCode = await runLab(raw);
    });
}

type LabFlags = ReturnType<ReturnType<typeof declareLabCommand>['opts']>;

async function runLab(raw: LabFlags): Promise<number> {
  if (raw.host !== undefined && !/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(raw.host)) {
    throw new ConfigError(`--host must be a loopback address such as 127.0.0.1 (got "${raw.host}")`);
  }
  const duration = (flag: string, value: string | undefined, allowZero = false): number | undefined =>
    value === undefined ? undefined : parseDurationMs(flag, value, { bareUnit: 's', allowZero });
  const integer = (flag: string, value: string | undefined, opts: { min: number; max?: number }): number | undefined =>
    value === undefined ? undefined : parseInteger(flag, value, opts);
  const positive = (flag: string, value: string | undefined): number | undefined =>
    value === undefined ? undefined : parsePositiveNumber(flag, value);
  const [{ resolveLabOptions }, { startLab }] = await Promise.all([import('../lab/index.js'), import('../library.js')]);
  // Unset flags stay undefined; resolveLabOptions fills the defaults and checks how the values fit together.
  const options = resolveLabOptions({
    host: raw.host,
    port: integer('--port', raw.port, { min: 0, max: 65535 }),
    privatePort: integer('--port-90', raw.port90, { min: 0, max: 65535 }),
    apiPort: integer('--api-port', raw.apiPort, { min: 0, max: 65535 }),
    periodMs: duration('--period', raw.period),
    warmupMs: duration('--warmup', raw.warmup, true),
    launchDelayMs: duration('--launch-delay', raw.launchDelay, true),
    min: integer('--min', raw.min, { min: 0 }),
    max: integer('--max', raw.max, { min: 1 }),
    desired: integer('--desired', raw.desired, { min: 0 }),
    targetValue: positive('--target', raw.target),
    instanceCapacity: positive('--instance-capacity', raw.instanceCapacity),
    highEvaluationPeriods: integer('--high-periods', raw.highPeriods, { min: 1 }),
    lowEvaluationPeriods: integer('--low-periods', raw.lowPeriods, { min: 1 }),
    region: raw.region,
    asgName: raw.asgName,
    withPolicy: raw.withPolicy === true,
    azOutages: (raw.azOutage ?? []).map(parseAzOutage),
  });
  const periodMs = options.periodMs;
  const lab = await startLab(options);

  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out(`export AWS_ENDPOINT_URL=${sh(lab.apiUrl)}`);
  out(`export AWS_REGION=${sh(lab.region)}`);
  // AWS CLI v1 and older boto3 read only AWS_DEFAULT_REGION.
  out(`export AWS_DEFAULT_REGION=${sh(lab.region)}`);
  out(`export AWS_ACCESS_KEY_ID=${sh(lab.credentials.accessKeyId)}`);
  out(`export AWS_SECRET_ACCESS_KEY=${sh(lab.credentials.secretAccessKey)}`);
  out(`export AWS_EC2_METADATA_DISABLED=true`);
  out(`export ABX_LAB_URL=${sh(lab.url)}`);
  out(`export ABX_LAB_URL_90=${sh(lab.privateUrl)}`);
  out(`export ABX_LAB_ASG=${sh(lab.asgName)}`);
  // A profile would make the SDK skip the exported keys.
  out(`unset AWS_PROFILE AWS_SESSION_TOKEN`);
  // 2.5x the target on the initial instances: target tracking asks for
  // ceil(2.5 x desired) instances, so a scale-out shows within a few periods.
  const ratePerSec = Math.max(1, Math.ceil((2.5 * Math.max(1, options.desired) * options.targetValue * 1000) / periodMs));
  // One thing per line, so the banner fits 80 columns; the try line stays whole, to copy.
  out(`# lab: load balancer ${lab.url} (listener 80)`);
  out(`#      private listener ${lab.privateUrl} (listener 90)`);
  out(`#      AWS APIs ${lab.apiUrl}, group ${lab.asgName}`);
  out(`#      period ${periodMs} ms = one CloudWatch minute`);
  for (const o of options.azOutages ?? [])
    out(
      `# zone outage: ${o.zone} down at +${o.atMs / 1000}s${o.durationMs === undefined ? ', stays down' : ` for ${o.durationMs / 1000}s`}`,
    );
  if (!options.withPolicy) {
    out('# no scaling policy yet: add one with aws autoscaling put-scaling-policy,');
    out('#   or start the lab with --with-policy');
  }
  out(`# try: abx --rate ${ratePerSec} -t 60s -k --asg ${sh(lab.asgName)} $ABX_LAB_URL`);
  // The lab's ECS runs each task as a local abx process: the same load, as shards.
  out(
    `# or:  abx fleet --tasks 3 --rate ${ratePerSec} -t 60s -k --asg ${sh(lab.asgName)} --start-margin 5s --results s3://abx-lab-results/try $ABX_LAB_URL`,
  );

  // The activities of one scale-out share one Cause: it is said once, not once per instance and status.
  const saidCauses = new Set<string>();
  lab.onActivity((a) => {
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    out(`# ${stamp} ${a.statusCode} ${a.description}`);
    if (a.cause && !saidCauses.has(a.cause)) {
      saidCauses.add(a.cause);
      out(`#   ${a.cause}`);
    }
  });

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await lab.close();
  return EXIT.ok;
}
