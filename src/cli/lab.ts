/**
 * `abx lab`: runs the simulated ALB + Auto Scaling group and its AWS APIs in
 * the foreground. Stdout starts with shell lines, so
 *   abx lab > lab.env &   then   source lab.env
 * points the AWS SDK (and abx's observer) at the lab. Everything after them
 * is a `#` comment (a ready abx command, then scaling activities as they
 * happen), so the file stays valid shell while it grows.
 */
import type { Command } from 'commander';
import { ConfigError, EXIT } from '../errors.js';
import { collect, parseDurationMs, parseInteger, parsePositiveNumber } from './parse.js';
import { parseAzOutage } from './az-outage.js';

interface RawLabOptions {
  host: string;
  port: string;
  port90?: string;
  apiPort: string;
  period: string;
  warmup?: string;
  launchDelay?: string;
  min: string;
  max: string;
  desired: string;
  target: string;
  instanceCapacity?: string;
  highPeriods: string;
  lowPeriods: string;
  region: string;
  asgName: string;
  withPolicy?: boolean;
  azOutage?: string[];
}

/** Shell-quotes a value only when it needs it. */
function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description(
      'run a local simulated ALB + Auto Scaling group behind the CloudWatch, Auto Scaling, ELBv2 and EC2 APIs (prints shell exports first)',
    )
    .option('--host <addr>', 'loopback address the servers bind', '127.0.0.1')
    .option('--port <n>', "local port of the load balancer's listener on 80 (0 = any free port)", '8080')
    .option('--port-90 <n>', 'local port of the listener on 90, the private page (default: --port + 10; 0 = any free port)')
    .option('--api-port <n>', 'AWS API port (0 = any free port)', '0')
    .option('--period <time>', 'one lab period, standing for one CloudWatch minute', '5s')
    .option('--warmup <time>', 'health checks and warm-up before a new instance serves (default: one period)')
    .option('--launch-delay <time>', 'launch time before health checks start (default: one period)')
    .option('--min <n>', 'group minimum size', '2')
    .option('--max <n>', 'group maximum size', '6')
    .option('--desired <n>', 'initial desired capacity', '2')
    .option('--target <n>', 'target requests per target per period (ALBRequestCountPerTarget)', '60')
    .option('--instance-capacity <r>', 'requests/second one instance serves before queueing (default: target/period/0.6)')
    .option('--high-periods <n>', 'consecutive periods above target before AlarmHigh', '3')
    .option('--low-periods <n>', 'consecutive periods below 0.9 x target before AlarmLow', '15')
    .option('--region <region>', 'region in ARNs and names', 'us-east-1')
    .option('--asg-name <name>', 'Auto Scaling group name', 'abx-lab-asg')
    .option('--with-policy', 'start with the target-tracking policy in place (the course lab starts without one)')
    .option('--az-outage <zone@+start[/duration]>', 'take a zone down, e.g. us-east-1a@+60s/120s (repeatable)', collect)
    .action(async (raw: RawLabOptions) => {
      process.exitCode = await runLab(raw);
    });
}

async function runLab(raw: RawLabOptions): Promise<number> {
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(raw.host)) {
    throw new ConfigError(`--host must be a loopback address such as 127.0.0.1 (got "${raw.host}")`);
  }
  const periodMs = parseDurationMs('--period', raw.period, { bareUnit: 's' });
  const options = {
    host: raw.host,
    port: parseInteger('--port', raw.port, { min: 0, max: 65535 }),
    ...(raw.port90 !== undefined ? { privatePort: parseInteger('--port-90', raw.port90, { min: 0, max: 65535 }) } : {}),
    apiPort: parseInteger('--api-port', raw.apiPort, { min: 0, max: 65535 }),
    periodMs,
    ...(raw.warmup !== undefined ? { warmupMs: parseDurationMs('--warmup', raw.warmup, { bareUnit: 's', allowZero: true }) } : {}),
    ...(raw.launchDelay !== undefined
      ? { launchDelayMs: parseDurationMs('--launch-delay', raw.launchDelay, { bareUnit: 's', allowZero: true }) }
      : {}),
    min: parseInteger('--min', raw.min, { min: 0 }),
    max: parseInteger('--max', raw.max, { min: 1 }),
    desired: parseInteger('--desired', raw.desired, { min: 0 }),
    targetValue: parsePositiveNumber('--target', raw.target),
    ...(raw.instanceCapacity !== undefined ? { instanceCapacity: parsePositiveNumber('--instance-capacity', raw.instanceCapacity) } : {}),
    highEvaluationPeriods: parseInteger('--high-periods', raw.highPeriods, { min: 1 }),
    lowEvaluationPeriods: parseInteger('--low-periods', raw.lowPeriods, { min: 1 }),
    region: raw.region,
    asgName: raw.asgName,
    withPolicy: raw.withPolicy === true,
    azOutages: (raw.azOutage ?? []).map(parseAzOutage),
  };
  const { startLab } = await import('../lab/index.js');
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
  out(
    `# lab: load balancer ${lab.url} (listener 80), ${lab.privateUrl} (listener 90)  AWS APIs ${lab.apiUrl}  group ${lab.asgName}  period ${periodMs} ms = one CloudWatch minute`,
  );
  for (const o of options.azOutages)
    out(
      `# zone outage: ${o.zone} goes down ${o.atMs / 1000} s after start${o.durationMs === undefined ? ' and stays down' : ` for ${o.durationMs / 1000} s`}`,
    );
  if (!options.withPolicy) out(`# no scaling policy yet: add one with aws autoscaling put-scaling-policy, or start with --with-policy`);
  out(`# try: abx --rate ${ratePerSec} -t 60s -k --asg ${sh(lab.asgName)} $ABX_LAB_URL`);

  const described = new Set<string>();
  lab.onActivity((a) => {
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (!described.has(a.activityId)) {
      described.add(a.activityId);
      out(`# ${stamp} ${a.statusCode} ${a.description}`);
      out(`#   ${a.cause}`);
    } else {
      out(`# ${stamp} ${a.statusCode} ${a.description}`);
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
