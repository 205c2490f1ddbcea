/**
 * `abx fleet`: one run as N shards on an engine the user already has. On ECS
 * Fargate (the default) abx launches the tasks, follows them, observes the
 * group and merges their results (fleet-ecs.ts). The Kubernetes engine writes
 * an Indexed Job manifest and says what to run; it never talks to the
 * cluster. Every load flag of a plain run is accepted and handed to each
 * shard unchanged; abx adds --shard, --start-at and --out.
 */
import { writeFile } from 'node:fs/promises';
import { Option, type CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError } from '../errors.js';
import { isSecretHeader } from '../redact.js';
import { parseAlbHost } from '../observe/arn.js';
import type { K8sFleetSpec } from '../fleet/k8s.js';
import { ABX_FAMILY } from '../fleet/ecs.js';
import type { EcsFleetPlan } from './fleet-ecs.js';
import { registerFleetCollect } from './fleet-collect.js';
import { buildRunSettings, type RawRunOptions } from './options.js';
import { collect, oneOf, parseDurationMs, parseInteger } from './parse.js';
import { declareRunFlags } from './run-flags.js';

const ENGINES = ['ecs', 'k8s'] as const;
type Engine = (typeof ENGINES)[number];

/** Each engine's own flags (attribute, flag): the other engine refuses them rather than ignore them. */
const ENGINE_FLAGS: Record<Engine, ReadonlyArray<readonly [attribute: string, flag: string]>> = {
  ecs: [
    ['cluster', '--cluster'],
    ['taskDefinition', '--task-definition'],
    ['subnets', '--subnets'],
    ['securityGroups', '--security-groups'],
    ['assignPublicIp', '--assign-public-ip'],
    ['executionRole', '--execution-role'],
    ['taskRole', '--task-role'],
    ['logGroup', '--log-group'],
    ['allowPartial', '--allow-partial'],
  ],
  k8s: [
    ['namespace', '--namespace'],
    ['manifest', '--manifest'],
    ['serviceAccount', '--service-account'],
  ],
};

/** A fleet's own flags (attribute names): never handed to the shards. */
const FLEET_ONLY = new Set([
  'engine',
  'tasks',
  'image',
  'results',
  'name',
  'startMargin',
  'cpu',
  'memory',
  ...ENGINE_FLAGS.ecs.map(([attribute]) => attribute),
  ...ENGINE_FLAGS.k8s.map(([attribute]) => attribute),
]);

/**
 * Run flags the ECS fleet acts on itself, here, for the merged run: the
 * observer (one, local, for the whole fleet), the assertions and the outputs.
 * Each shard gets --no-observe instead.
 */
const ECS_LOCAL = new Set([
  'asg',
  'targetGroup',
  'region',
  'profile',
  'endpointUrl',
  'pollInterval',
  'linger',
  'observe',
  'assert',
  'out',
  'e',
  'html',
  'junit',
  'json',
  'color',
]);

/** Run flags a shard's container cannot honour as given: abx sets them itself, or they name local files. */
const REFUSED: ReadonlyArray<[attribute: string, flag: string, reason: string]> = [
  ['shard', '--shard', 'abx fleet gives each task its own --shard'],
  ['startAt', '--start-at', 'abx fleet picks the start time: use --start-margin'],
  ['postFile', '-p', "the file is not in the task's container: build it into the image and load the run there"],
  ['putFile', '-u', "the file is not in the task's container: build it into the image and load the run there"],
  ['g', '-g', 'per-request rows stay in each task'],
  ['check', '--check', 'run abx check on the group before the fleet'],
];

/** What the Kubernetes engine cannot write: it never sees the merged result (abx fleet collect does). */
const REFUSED_K8S: ReadonlyArray<[attribute: string, flag: string, reason: string]> = [
  ['out', '--out', 'each shard writes to --results; merge them with abx fleet collect --out'],
  ['e', '-e', 'it is written from the merged result: give it to abx report after collecting'],
  ['html', '--html', 'it is written from the merged result: abx report --html after collecting'],
  ['junit', '--junit', 'it is written from the merged result: abx report --format junit after collecting'],
];

/** Many more tasks than this is a typo, and a bill. */
const MAX_TASKS = 1000;

export function registerFleetCommand(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('run one load as N shards on ECS Fargate (or write a Kubernetes Indexed Job); every load flag of a run applies')
    .argument('[url]', 'the URL every shard loads')
    .addOption(
      new Option('--engine <engine>', 'where the shards run: ecs (Fargate tasks, the default) or k8s (writes a Job manifest)')
        .choices(ENGINES)
        .argParser(oneOf('--engine', ENGINES)),
    )
    .option('--tasks <n>', 'how many shards (tasks or pods), each running its exact share of -n, -c and the rate')
    .option('--results <s3://bucket/prefix>', 'where each shard writes its JSON result (shard-I.json)')
    .option('--image <image>', "the abx container image (the repository's Dockerfile builds it)")
    .option('--start-margin <time>', 'the shards start together this long from now: time to launch and pull (default 90s; k8s 5m)')
    .option('--cpu <cpu>', 'vCPUs per shard: 0.25 to 16 on Fargate (default 1), a Kubernetes quantity for pods (default 1)')
    .option('--memory <size>', 'memory per shard, e.g. 2Gi or 2048 (MiB) (default 2Gi on Fargate, 1Gi for pods)')
    .option('--name <name>', "names the run: the Job, or the tasks' startedBy (default: abx-YYYYMMDD-HHMMSS)")
    .option('--cluster <name>', 'ECS cluster (default: default)')
    .option('--task-definition <arn>', 'ECS: run this task definition (its container "abx", or its only one) instead of --image')
    .option('--subnets <ids>', "ECS: the tasks' subnets, comma-separated (default: the load balancer's)", collect)
    .option('--security-groups <ids>', "ECS: the tasks' security groups, comma-separated (default: the load balancer's)", collect)
    .option('--assign-public-ip', 'ECS: give each task a public IP (public subnets without a NAT gateway need it to pull the image)')
    .option('--execution-role <arn>', 'ECS: the task execution role (pulls the image from ECR, writes logs)')
    .option('--task-role <arn>', 'ECS: the role the shards run as: it must allow s3:PutObject on --results')
    .option('--log-group <name>', "ECS: keep each shard's output in this CloudWatch Logs group (the execution role writes it)")
    .option('--allow-partial', 'ECS: exit 0 when some shards failed (the report merges the others, and names them)')
    .option('--namespace <name>', 'k8s: Kubernetes namespace (default: default)')
    .option('--manifest <file>', 'k8s: where to write the Job manifest (default: abx-fleet-job.yaml)')
    .option('--service-account <name>', 'k8s: service account for the pods (e.g. bound to an IAM role that may write --results)');
  // Options after `collect` are collect's, not the fleet's (`abx fleet collect s3://… --out m.json`).
  fleet.enablePositionalOptions();
  registerFleetCollect(fleet);
  declareRunFlags(fleet).action(async (url, flags, command) => {
    const raw = flags as Record<string, unknown>;
    for (const [attribute, flag, reason] of REFUSED) {
      if (raw[attribute] !== undefined) throw new ConfigError(`abx fleet takes no ${flag}: ${reason}`);
    }
    const engine: Engine = (raw.engine as Engine | undefined) ?? 'ecs';
    const secrets = secretsInShardCommands(raw);
    const warnSecrets = (where: string): void => {
      if (secrets.length > 0) process.stderr.write(`abx: warning: the values of ${secrets.join(', ')} are in ${where}\n`);
    };
    if (engine === 'ecs') {
      const plan = ecsFleetPlan(url, raw, runArgsOf(command, ECS_LOCAL), Date.now());
      warnSecrets("each task's command: whoever may ecs:DescribeTasks can read them");
      const { runEcsFleet } = await import('./fleet-ecs.js');
      process.exitCode = await runEcsFleet(plan);
      return;
    }
    for (const [attribute, flag, reason] of REFUSED_K8S) {
      if (raw[attribute] !== undefined) throw new ConfigError(`abx fleet --engine k8s takes no ${flag}: ${reason}`);
    }
    const spec = fleetSpec(url, raw, runArgsOf(command), Date.now());
    const manifestPath = typeof raw.manifest === 'string' ? raw.manifest : 'abx-fleet-job.yaml';
    // Loaded here: every abx start registers this command, and only `abx fleet --engine k8s` needs the YAML writer.
    const { k8sNextSteps, renderK8sManifest } = await import('../fleet/k8s.js');
    try {
      await writeFile(manifestPath, renderK8sManifest(spec));
    } catch (error) {
      throw new ConfigError(`cannot write --manifest ${manifestPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    warnSecrets(`${manifestPath} and each pod's spec: keep the file private`);
    process.stdout.write(k8sNextSteps(spec, manifestPath, Date.now()));
  });
}

/**
 * A shard needs the run's secrets (-A, -P, -C, a secret -H) in its own
 * command: they then sit in the task's overrides (ECS) or the manifest (k8s),
 * readable by whoever may describe tasks or read the file. abx never prints
 * them; it says once where they are, so that is a choice, not a surprise.
 */
export function secretsInShardCommands(raw: Record<string, unknown>): string[] {
  const extra = (raw.redactHeader as string[] | undefined) ?? [];
  const headers = ((raw.header as string[] | undefined) ?? []).map((line) => line.split(':')[0].trim());
  return [
    ...(raw.auth !== undefined ? ['-A'] : []),
    ...(raw.proxyAuth !== undefined ? ['-P'] : []),
    ...(raw.cookie !== undefined ? ['-C'] : []),
    ...headers.filter((name) => isSecretHeader(name, extra)).map((name) => `-H ${name}`),
  ];
}

/** The flags both engines read the same way. */
function commonFleetFlags(raw: Record<string, unknown>) {
  const tasksRaw = text(raw, 'tasks');
  if (tasksRaw === undefined) throw new ConfigError('abx fleet needs --tasks N: how many shards to run');
  const tasks = parseInteger('--tasks', tasksRaw, { max: MAX_TASKS });
  const resultsRaw = text(raw, 'results');
  if (resultsRaw === undefined) throw new ConfigError('abx fleet needs --results s3://bucket/prefix: where the shards write their results');
  const results = parseResultsPrefix(resultsRaw);
  return { tasks, results };
}

/** Every shard refuses what the first refuses (one URL, one set of load flags): say it now, not in N tasks. */
function checkShardFlags(url: string | undefined, raw: Record<string, unknown>, tasks: number): string {
  buildRunSettings(url, { ...(raw as RawRunOptions), shard: `0/${tasks}` });
  return url!.trim();
}

function refuseOtherEnginesFlags(engine: Engine, raw: Record<string, unknown>): void {
  const other: Engine = engine === 'ecs' ? 'k8s' : 'ecs';
  const given = ENGINE_FLAGS[other].find(([attribute]) => raw[attribute] !== undefined);
  if (given === undefined) return;
  const own = ENGINE_FLAGS[engine]
    .map(([, flag]) => flag)
    .slice(0, 3)
    .join(', ');
  throw new ConfigError(`${given[1]} is for --engine ${other}; --engine ${engine} takes ${own} and the like (see abx fleet --help)`);
}

function text(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Checks the ECS fleet's flags and the shards' load flags before anything is launched. */
export function ecsFleetPlan(url: string | undefined, raw: Record<string, unknown>, runArgs: string[], nowMs: number): EcsFleetPlan {
  const { tasks, results } = commonFleetFlags(raw);
  refuseOtherEnginesFlags('ecs', raw);
  const image = text(raw, 'image');
  const given = text(raw, 'taskDefinition');
  if (image !== undefined && given !== undefined) {
    throw new ConfigError('give --image (abx registers a task definition for it) or --task-definition, not both');
  }
  const executionRoleArn = roleArn('--execution-role', text(raw, 'executionRole'));
  const taskRoleArn = roleArn('--task-role', text(raw, 'taskRole'));
  if (given !== undefined && (executionRoleArn || taskRoleArn || raw.cpu !== undefined || raw.memory !== undefined)) {
    throw new ConfigError(
      '--task-definition already sets the roles, CPU and memory: drop --execution-role, --task-role, --cpu and --memory',
    );
  }
  if (image !== undefined && /\.dkr\.ecr\./.test(image) && !executionRoleArn) {
    throw new ConfigError(`pulling ${image} from ECR needs --execution-role ARN (usually ecsTaskExecutionRole)`);
  }
  const target = checkShardFlags(url, raw, tasks);
  const name = text(raw, 'name') ?? defaultJobName(nowMs);
  // startedBy holds at most 36 characters; the client tokens add the start time and the index to it (at most 64).
  if (!/^[a-zA-Z0-9_-]{1,36}$/.test(name)) throw new ConfigError(`--name must be 1-36 letters, digits, "-" or "_" (got "${name}")`);
  const settings = buildRunSettings(target, raw);
  const subnets = idList('--subnets', raw.subnets, 'subnet-');
  const plan: EcsFleetPlan = {
    name,
    cluster: text(raw, 'cluster') || 'default',
    tasks,
    results,
    startMarginMs: parseDurationMs('--start-margin', text(raw, 'startMargin') ?? '90s', { bareUnit: 's' }),
    taskDefinition:
      given !== undefined
        ? { given }
        : image !== undefined
          ? {
              wanted: {
                family: ABX_FAMILY,
                image,
                cpu: fargateCpu(text(raw, 'cpu') ?? '1'),
                memory: fargateMemory(text(raw, 'memory') ?? '2Gi'),
                executionRoleArn,
                taskRoleArn,
                logGroup: logGroup(text(raw, 'logGroup')),
              },
            }
          : { family: ABX_FAMILY },
    subnets,
    securityGroups: idList('--security-groups', raw.securityGroups, 'sg-'),
    assignPublicIp: raw.assignPublicIp === true,
    allowPartial: raw.allowPartial === true,
    // Each shard runs without an observer: the fleet observes once, here.
    runArgs: [...runArgs, '--no-observe'],
    url: target,
    settings,
    color: raw.color === false ? false : undefined,
  };
  // Checked last: a bad value in any flag above is the first thing to fix.
  const o = settings.observe;
  if (subnets === null && o.asg === undefined && o.targetGroupArn === undefined && !parseAlbHost(settings.load.url.hostname)) {
    throw new ConfigError(
      "abx fleet needs --subnets (and --security-groups) for the tasks, or --asg, --target-group or an ALB URL to take the load balancer's",
    );
  }
  return plan;
}

function roleArn(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value)) {
    throw new ConfigError(`${flag} must be an IAM role ARN, arn:aws:iam::123456789012:role/NAME (got "${value}")`);
  }
  return value;
}

function logGroup(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^[\w./#-]{1,512}$/.test(value))
    throw new ConfigError(`--log-group must be a CloudWatch Logs group name: letters, digits, _ - / . # (got "${value}")`);
  return value;
}

/** "subnet-a,subnet-b" (repeatable) → ids; null when not given. */
function idList(flag: string, value: unknown, prefix: string): string[] | null {
  if (value === undefined) return null;
  const ids = (value as string[])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !new RegExp(`^${prefix}[0-9a-f]{8,17}$`).test(id));
  if (ids.length === 0 || bad !== undefined) {
    throw new ConfigError(`${flag} takes ids such as ${prefix}0123456789abcdef, comma-separated (got "${bad ?? ''}")`);
  }
  return ids;
}

/** vCPUs (0.25 to 16) as Fargate's CPU units; 256 and up are taken as units already. */
function fargateCpu(value: string): string {
  const n = Number(value.replace(/\s*vcpu$/i, ''));
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`--cpu must be vCPUs such as 0.25, 1 or 4 (got "${value}")`);
  const units = n >= 128 ? n : n * 1024;
  if (![256, 512, 1024, 2048, 4096, 8192, 16384].includes(units)) {
    throw new ConfigError(`--cpu ${value}: Fargate offers 0.25, 0.5, 1, 2, 4, 8 or 16 vCPUs`);
  }
  return String(units);
}

/** 2Gi, 2GB, 512Mi or 2048 (MiB) → MiB, as Fargate takes memory. */
function fargateMemory(value: string): string {
  const match = /^(\d+(?:\.\d+)?)\s*(Gi|GiB|GB|G|Mi|MiB|MB|M)?$/i.exec(value);
  if (!match) throw new ConfigError(`--memory must be a size such as 2Gi, 512Mi or 2048 (MiB) (got "${value}")`);
  const mib = Math.round(Number(match[1]) * (/^g/i.test(match[2] ?? '') ? 1024 : 1));
  if (mib < 512) throw new ConfigError(`--memory ${value}: Fargate tasks have at least 512 MiB`);
  return String(mib);
}

/** Checks the fleet's flags and the shards' load flags (as shard 0 would) before anything is written. */
export function fleetSpec(url: string | undefined, raw: Record<string, unknown>, runArgs: string[], nowMs: number): K8sFleetSpec {
  const { tasks, results } = commonFleetFlags(raw);
  refuseOtherEnginesFlags('k8s', raw);
  const image = text(raw, 'image');
  if (!image) throw new ConfigError('abx fleet --engine k8s needs --image IMAGE: the abx image the pods run (see the Dockerfile)');
  const target = checkShardFlags(url, raw, tasks);
  const marginMs = parseDurationMs('--start-margin', text(raw, 'startMargin') ?? '5m', { bareUnit: 's' });
  const namespace = dnsLabel('--namespace', text(raw, 'namespace') ?? 'default');
  const name = dnsLabel('--name', text(raw, 'name') ?? defaultJobName(nowMs));
  return {
    name,
    namespace,
    image,
    tasks,
    runArgs,
    url: target,
    // Whole seconds: easy to read in the manifest and in every pod's log.
    startAtMs: Math.ceil((nowMs + marginMs) / 1000) * 1000,
    results,
    cpu: quantity('--cpu', text(raw, 'cpu') ?? '1'),
    memory: quantity('--memory', text(raw, 'memory') ?? '1Gi'),
    serviceAccount: text(raw, 'serviceAccount') !== undefined ? dnsLabel('--service-account', text(raw, 'serviceAccount')!) : null,
  };
}

/** "s3://bucket/prefix/" → "s3://bucket/prefix": the shards' objects go under it. */
export function parseResultsPrefix(text: string): string {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(text);
  if (!match) throw new ConfigError(`--results must be s3://bucket/prefix, with a valid bucket name (got "${text}")`);
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  return `s3://${match[1]}${prefix}`;
}

function dnsLabel(flag: string, value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw new ConfigError(`${flag} must be a Kubernetes name: lower-case letters, digits and "-", at most 63 (got "${value}")`);
  }
  return value;
}

function quantity(flag: string, value: string): string {
  if (!/^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.test(value)) {
    throw new ConfigError(`${flag} must be a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi (got "${value}")`);
  }
  return value;
}

function defaultJobName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `abx-${stamp}`;
}

/**
 * The load flags as the user gave them, rebuilt from what commander parsed
 * (so a flag's value is never mistaken for the URL), without the fleet's own
 * and without `alsoSkip` (what the engine does for the shards itself).
 */
export function runArgsOf(command: Command, alsoSkip: ReadonlySet<string> = new Set()): string[] {
  const args: string[] = [];
  const values = command.opts() as Record<string, unknown>;
  for (const option of command.options) {
    const key = option.attributeName();
    if (FLEET_ONLY.has(key) || alsoSkip.has(key) || command.getOptionValueSource(key) !== 'cli') continue;
    const flag = option.long ?? option.short!;
    const value = values[key];
    if (option.negate) {
      if (value === false) args.push(flag);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(flag, String(item));
    } else if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string' || typeof value === 'number') {
      // Every other run flag takes one value, kept as the user wrote it.
      args.push(flag, String(value));
    }
  }
  return args;
}
