/**
 * `abx fleet`: one run as N shards on an engine the user already has. The
 * Kubernetes engine writes an Indexed Job manifest and says what to run; it
 * never talks to the cluster. Every load flag of a plain run is accepted and
 * handed to each shard unchanged; abx adds --shard, --start-at and --out.
 */
import { writeFile } from 'node:fs/promises';
import { Option, type CommandUnknownOpts as Command } from '@commander-js/extra-typings';
import { ConfigError } from '../errors.js';
import { registerFleetCollect } from './fleet-collect.js';
import type { K8sFleetSpec } from './fleet-k8s.js';
import { buildRunSettings, type RawRunOptions } from './options.js';
import { oneOf, parseDurationMs, parseInteger } from './parse.js';
import { declareRunFlags } from './run-flags.js';

const ENGINES = ['k8s', 'ecs'] as const;

/** A fleet's own flags (attribute names): never handed to the shards. */
const FLEET_ONLY = new Set([
  'engine',
  'tasks',
  'image',
  'results',
  'namespace',
  'manifest',
  'name',
  'startMargin',
  'cpu',
  'memory',
  'serviceAccount',
]);

/** Run flags a shard's container cannot honour as given: abx sets them itself, or they name local files. */
const REFUSED: ReadonlyArray<[attribute: string, flag: string, reason: string]> = [
  ['shard', '--shard', 'abx fleet gives each task its own --shard'],
  ['startAt', '--start-at', 'abx fleet picks the start time: use --start-margin'],
  ['out', '--out', 'each shard writes to --results; merge them with abx fleet collect --out'],
  ['postFile', '-p', "the file is not in the task's container: build it into the image and load the run there"],
  ['putFile', '-u', "the file is not in the task's container: build it into the image and load the run there"],
  ['e', '-e', 'it is written from the merged result: give it to abx report after collecting'],
  ['g', '-g', 'per-request rows stay in each task'],
  ['html', '--html', 'it is written from the merged result: abx report --html after collecting'],
  ['junit', '--junit', 'it is written from the merged result: abx report --format junit after collecting'],
];

/** Many more tasks than this is a typo, and a bill. */
const MAX_TASKS = 1000;

export function registerFleetCommand(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('run one load as N shards on Kubernetes (an Indexed Job manifest); every load flag of a run applies')
    .argument('[url]', 'the URL every shard loads')
    .addOption(
      new Option('--engine <engine>', 'where the shards run: k8s (ecs is not built yet)')
        .choices(ENGINES)
        .argParser(oneOf('--engine', ENGINES)),
    )
    .option('--tasks <n>', 'how many shards (pods), each running its exact share of -n, -c and the rate')
    .option('--image <image>', "the abx container image (the repository's Dockerfile builds it)")
    .option('--results <s3://bucket/prefix>', 'where each shard writes its JSON result (shard-I.json)')
    .option('--namespace <name>', 'Kubernetes namespace (default: default)')
    .option('--manifest <file>', 'where to write the Job manifest (default: abx-fleet-job.yaml)')
    .option('--name <name>', 'the Job name (default: abx-YYYYMMDD-HHMMSS)')
    .option('--start-margin <time>', 'the shards start together this long from now: time to apply and pull (default 5m)')
    .option('--cpu <cpu>', 'CPU each pod requests (default 1)')
    .option('--memory <size>', 'memory each pod requests and is limited to (default 1Gi)')
    .option('--service-account <name>', 'service account for the pods (e.g. bound to an IAM role that may write --results)');
  // Options after `collect` are collect's, not the fleet's (`abx fleet collect s3://… --out m.json`).
  fleet.enablePositionalOptions();
  registerFleetCollect(fleet);
  declareRunFlags(fleet).action(async (url, flags, command) => {
    const raw = flags as Record<string, unknown>;
    for (const [attribute, flag, reason] of REFUSED) {
      if (raw[attribute] !== undefined) throw new ConfigError(`abx fleet takes no ${flag}: ${reason}`);
    }
    const engine = raw.engine as (typeof ENGINES)[number] | undefined;
    if (engine === undefined) throw new ConfigError('abx fleet needs --engine k8s (the ECS engine is not built yet)');
    if (engine === 'ecs') {
      throw new ConfigError('abx fleet --engine ecs is not built yet: use --engine k8s, or start --shard I/N runs on your own machines');
    }
    const spec = fleetSpec(url, raw, runArgsOf(command), Date.now());
    const manifestPath = typeof raw.manifest === 'string' ? raw.manifest : 'abx-fleet-job.yaml';
    // Loaded here: every abx start registers this command, and only `abx fleet` needs the YAML writer.
    const { k8sNextSteps, renderK8sManifest } = await import('./fleet-k8s.js');
    try {
      await writeFile(manifestPath, renderK8sManifest(spec));
    } catch (error) {
      throw new ConfigError(`cannot write --manifest ${manifestPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    process.stdout.write(k8sNextSteps(spec, manifestPath, Date.now()));
  });
}

/** Checks the fleet's flags and the shards' load flags (as shard 0 would) before anything is written. */
export function fleetSpec(url: string | undefined, raw: Record<string, unknown>, runArgs: string[], nowMs: number): K8sFleetSpec {
  const text = (key: string): string | undefined => {
    const value = raw[key];
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const tasksRaw = text('tasks');
  if (tasksRaw === undefined) throw new ConfigError('abx fleet needs --tasks N: how many shards to run');
  const tasks = parseInteger('--tasks', tasksRaw, { max: MAX_TASKS });
  const image = text('image');
  if (!image) throw new ConfigError('abx fleet --engine k8s needs --image IMAGE: the abx image the pods run (see the Dockerfile)');
  const resultsRaw = text('results');
  if (resultsRaw === undefined) throw new ConfigError('abx fleet needs --results s3://bucket/prefix: where the shards write their results');
  const results = parseResultsPrefix(resultsRaw);
  // Every shard refuses what the first refuses (one URL, one set of load flags): say it now, not in N pods.
  buildRunSettings(url, { ...(raw as RawRunOptions), shard: `0/${tasks}` });
  const marginMs = parseDurationMs('--start-margin', text('startMargin') ?? '5m', { bareUnit: 's' });
  const namespace = dnsLabel('--namespace', text('namespace') ?? 'default');
  const name = dnsLabel('--name', text('name') ?? defaultJobName(nowMs));
  return {
    name,
    namespace,
    image,
    tasks,
    runArgs,
    url: url!.trim(),
    // Whole seconds: easy to read in the manifest and in every pod's log.
    startAtMs: Math.ceil((nowMs + marginMs) / 1000) * 1000,
    results,
    cpu: quantity('--cpu', text('cpu') ?? '1'),
    memory: quantity('--memory', text('memory') ?? '1Gi'),
    serviceAccount: text('serviceAccount') !== undefined ? dnsLabel('--service-account', text('serviceAccount')!) : null,
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
 * (so a flag's value is never mistaken for the URL), without the fleet's own.
 */
export function runArgsOf(command: Command): string[] {
  const args: string[] = [];
  const values = command.opts() as Record<string, unknown>;
  for (const option of command.options) {
    const key = option.attributeName();
    if (FLEET_ONLY.has(key) || command.getOptionValueSource(key) !== 'cli') continue;
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
