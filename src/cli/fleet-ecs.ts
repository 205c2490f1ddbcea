/**
 * `abx fleet` on ECS Fargate: N tasks, one shard each, started together.
 * It picks the task definition and the tasks' network, picks a start time a
 * margin ahead, launches one RunTask per shard, shows one live line while
 * they run and observes the group locally for the whole window, then reads
 * the shards' results back from S3, merges them exactly and reports them as
 * one run, with a line per shard. Ctrl-C stops every task and still collects
 * what they wrote.
 */
import {
  ABX_CONTAINER,
  ABX_FAMILY,
  LOG_STREAM_PREFIX,
  describeAll,
  EcsCallError,
  ecsCalls,
  ensureTaskDefinition,
  givenTaskDefinition,
  launchShards,
  stopAll,
  type ChosenTaskDefinition,
  type EcsCalls,
  type Launch,
  type WantedTaskDefinition,
} from '../fleet/ecs.js';
import { loadBalancerNetwork, type TaskNetwork } from '../fleet/ecs-network.js';
import { shardArgs, shardObjectKey } from '../fleet/shard-command.js';
import { allStopped, countPhases, shardStates, taskId, type ShardTaskState } from '../fleet/task-states.js';
import { createEcsApi, type AwsConfig } from '../aws/clients.js';
import { classifyAwsError } from '../aws/errors.js';
import { chooseRegion } from '../aws/region.js';
import { ConfigError, EXIT, ObserverError } from '../errors.js';
import { parseAlbHost } from '../observe/arn.js';
import { renderShardTable, type ShardRow } from '../report/shard-table.js';
import { colorEnabled, painter, type Paint } from '../report/style.js';
import { terminalWidth, wrapLine } from '../report/width.js';
import type { Observation, Result } from '../stats/result.js';
import { evaluateAssertions } from '../stats/thresholds.js';
import { abxVersion } from '../version.js';
import { liveLine } from './live-line.js';
import type { RunSettings } from './options.js';
import { readResultFile } from './result-file.js';
import { startObserverIfWanted, writeOutputs } from './run.js';
import { checkS3Writable, isS3Url, listS3Json, type S3Settings } from './s3-results.js';

/** What `abx fleet` asks of ECS, checked and filled in from its flags (fleet.ts). */
export interface EcsFleetPlan {
  /** Names this fleet's tasks (RunTask's startedBy, at most 36 characters) and their client tokens. */
  name: string;
  cluster: string;
  tasks: number;
  /** s3://bucket/prefix (no trailing slash). */
  results: string;
  startMarginMs: number;
  /** --task-definition, --image (registered or reused), or neither: the latest abx-fleet revision. */
  taskDefinition: { given: string } | { wanted: WantedTaskDefinition } | { family: string };
  /** --subnets; null: the load balancer's. */
  subnets: string[] | null;
  securityGroups: string[] | null;
  assignPublicIp: boolean;
  allowPartial: boolean;
  /** Every shard's load flags (the user's, without what the fleet does itself). */
  runArgs: string[];
  url: string;
  /** The whole run's settings: the observer, the assertions and the outputs apply to the merged result. */
  settings: RunSettings;
  /** --no-color gives false; undefined leaves it to the terminal and the environment. */
  color: boolean | undefined;
  /** Past the load's scheduled end (and drain), how long the tasks may run before abx stops them (default 120 s). */
  endMarginMs?: number;
  /** After StopTask, how long abx waits for the tasks to stop before collecting without them (default 45 s). */
  stopWaitMs?: number;
}

/** How often the tasks are described: the live line moves, and the API stays far below its limits. */
const POLL_MS = 2_000;
/** After Ctrl-C, how long the fleet waits for its tasks to stop (ECS gives a container 30 s after SIGTERM). */
const STOP_WAIT_MS = 45_000;
/**
 * The fleet's deadline is the load's scheduled end (start, -t or the load
 * shape, and --drain) plus this: time for each shard to write its result to
 * S3 and exit, with room for a slow one.
 */
const END_MARGIN_MS = 120_000;
/** Without a DescribeTasks answer for this long, the fleet stops waiting and collects. */
const DESCRIBE_GIVE_UP_MS = 120_000;
/** Default linger after the load when observing, as a run's: one more metric period lands. */
const DEFAULT_LINGER_MS = 60_000;

export async function runEcsFleet(plan: EcsFleetPlan): Promise<number> {
  const { settings } = plan;
  const stderr = process.stderr;
  const errWidth = (): number => terminalWidth(stderr, process.env);
  const errPaint = painter({ color: colorEnabled(stderr, plan.color, process.env) });
  const say = (line: string): void => {
    for (const piece of wrapLine(line, errWidth(), 2)) stderr.write(`${piece}\n`);
  };
  const o = settings.observe;
  // The observer's rule: the tasks launch where the group they load is found (the ALB's DNS name beats the environment).
  const choice = chooseRegion(
    o.region,
    process.env,
    parseAlbHost(settings.load.url.hostname)?.region,
    o.asg === undefined && o.targetGroupArn === undefined,
  );
  if (choice.note) say(`abx fleet: ${choice.note}`);
  const aws: AwsConfig = {
    ...(choice.region ? { region: choice.region } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}),
    ...(o.credentials !== undefined ? { credentials: o.credentials } : {}),
    onWarning: (message) => say(`abx: warning: ${message}`),
  };
  let api;
  try {
    api = await createEcsApi(aws);
  } catch (error) {
    if (error instanceof ObserverError) throw new ConfigError(`abx fleet: ${error.message}`);
    throw error;
  }
  const resolvedRegion = api.region;
  const ecs = ecsCalls(api);
  const s3: S3Settings = {
    region: resolvedRegion,
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}),
    ...(o.credentials !== undefined ? { credentials: o.credentials } : {}),
  };
  try {
    return await fleet(plan, ecs, { ...aws, region: resolvedRegion }, s3, { say, errPaint, errWidth });
  } finally {
    ecs.destroy();
  }
}

interface Io {
  say: (line: string) => void;
  errPaint: Paint;
  errWidth: () => number;
}

/** An ECS error as one line that names the call: AccessDenied says which action to allow. */
function ecsFailure(action: string, error: unknown): ConfigError {
  if (error instanceof EcsCallError) return ecsFailure(error.action, error.cause);
  return new ConfigError(`ECS ${classifyAwsError(error, action).message}`);
}

async function chooseTaskDefinition(plan: EcsFleetPlan, ecs: EcsCalls, region: string): Promise<ChosenTaskDefinition> {
  const td = plan.taskDefinition;
  try {
    if ('given' in td) return await givenTaskDefinition(ecs, td.given);
    if ('wanted' in td) return await ensureTaskDefinition(ecs, td.wanted, region);
    const latest = await ecs.describeTaskDefinition(td.family).catch((error: unknown) => {
      throw new EcsCallError('DescribeTaskDefinition', error);
    });
    if (!latest?.taskDefinitionArn) {
      throw new ConfigError(
        `abx fleet needs --image IMAGE the first time (no ${td.family} task definition yet), or --task-definition ARN: see the Dockerfile`,
      );
    }
    return { ...(await givenTaskDefinition(ecs, latest.taskDefinitionArn)), how: 'latest' };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // ensureTaskDefinition describes, then registers: the EcsCallError says which of the two failed.
    throw ecsFailure('DescribeTaskDefinition', error);
  }
}

async function chooseNetwork(plan: EcsFleetPlan, aws: AwsConfig): Promise<TaskNetwork> {
  if (plan.subnets !== null) return { subnets: plan.subnets, securityGroups: plan.securityGroups ?? [], source: '--subnets' };
  const o = plan.settings.observe;
  const target = {
    ...(o.asg !== undefined ? { asg: o.asg } : {}),
    ...(o.targetGroupArn !== undefined ? { targetGroupArn: o.targetGroupArn } : {}),
    url: plan.settings.load.url,
  };
  const network = await loadBalancerNetwork(aws, target);
  return plan.securityGroups !== null ? { ...network, securityGroups: plan.securityGroups } : network;
}

/**
 * Lists the results prefix before anything is launched: a bucket that does
 * not exist, or one abx may not read, is said now rather than after N tasks
 * ran and could not write there. Earlier results under the prefix are named:
 * this fleet's shards overwrite their own names, and the rest is not merged.
 */
async function checkResultsPrefix(plan: EcsFleetPlan, s3: S3Settings, say: (line: string) => void): Promise<void> {
  let found: string[];
  try {
    found = await listS3Json(`${plan.results}/`, s3);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}: the shards could not write their results there either`);
  }
  if (found.length > 0) {
    say(
      `abx fleet: ${plan.results}/ already holds ${found.length} results: this fleet writes shard-0 to shard-${plan.tasks - 1}.json over them, and merges only its own`,
    );
  }
}

async function fleet(plan: EcsFleetPlan, ecs: EcsCalls, aws: AwsConfig, s3: S3Settings, io: Io): Promise<number> {
  const { say, errPaint } = io;
  const taskDefinition = await chooseTaskDefinition(plan, ecs, aws.region!);
  const how = {
    registered: 'registered now',
    reused: 'reused: it runs the same',
    given: '--task-definition',
    latest: `the latest ${ABX_FAMILY}`,
  };
  say(`abx fleet: task definition ${taskDefinition.arn} (${how[taskDefinition.how]})`);
  const network = await chooseNetwork(plan, aws);
  say(
    `abx fleet: tasks in ${network.source}: subnets ${network.subnets.join(', ')}${network.securityGroups.length ? `; security groups ${network.securityGroups.join(', ')}` : ''}`,
  );

  await checkResultsPrefix(plan, s3, say);
  // The merged result's own --out, written here after the whole fleet: checked before anything is launched.
  const out = plan.settings.output.outPath;
  if (out && isS3Url(out)) await checkS3Writable(out, s3, (message) => say(`abx: warning: ${message}`));

  // Whole seconds: easy to read in every shard's command and log.
  const startAtMs = Math.ceil((Date.now() + plan.startMarginMs) / 1000) * 1000;
  const startAt = new Date(startAtMs).toISOString();
  const spec = { runArgs: plan.runArgs, url: plan.url, count: plan.tasks, startAtMs, results: plan.results };
  say(
    `abx fleet: ${plan.tasks} tasks on cluster ${plan.cluster}; the shards send their first requests together at ${startAt} (in ${Math.round((startAtMs - Date.now()) / 1000)} s)`,
  );

  // Ctrl-C: stop launching, stop every task, collect what they wrote. A second Ctrl-C leaves at once.
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) {
      say('abx fleet: interrupted again: leaving now; the tasks were told to stop');
      process.exit(EXIT.interrupted);
    }
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let launches: Launch[];
    const launched: string[] = [];
    try {
      launches = await launchShards(
        ecs,
        plan.tasks,
        (index) => ({
          cluster: plan.cluster,
          taskDefinition: taskDefinition.arn,
          containerName: taskDefinition.containerName,
          command: shardArgs(spec, index),
          // The region the shard writes its result in; never credentials: the task role gives those.
          environment: [
            { name: 'AWS_REGION', value: aws.region! },
            { name: 'NO_COLOR', value: '1' },
          ],
          subnets: network.subnets,
          securityGroups: network.securityGroups,
          assignPublicIp: plan.assignPublicIp,
          startedBy: plan.name,
          // Unique to this fleet and shard (a reused --name starts a new fleet), the same on a retry: at most 36 + 16 characters.
          clientToken: `${plan.name}-${startAtMs / 1000}-${index}`,
        }),
        {
          signal: abort.signal,
          onThrottled: (index, waitMs) => say(`abx fleet: RunTask throttled at shard ${index}: waiting ${(waitMs / 1000).toFixed(1)} s`),
          onLaunched: (launch) => {
            if ('taskArn' in launch) launched.push(launch.taskArn);
          },
        },
      );
    } catch (error) {
      // A launch that cannot go on (no such cluster, no permission): stop the tasks already running, then say why.
      if (launched.length > 0) await stopAll(ecs, plan.cluster, launched, 'abx fleet: the launch failed');
      throw ecsFailure('RunTask', error);
    }

    if (Date.now() > startAtMs) {
      say(
        errPaint.warn(
          `abx: warning: launching took until ${((Date.now() - startAtMs) / 1000).toFixed(1)} s after the start: the shards start late (see Late s); raise --start-margin`,
        ),
      );
    }
    const { states, observation, interrupted } = await follow(plan, ecs, launches, startAtMs, abort.signal, io);
    return await collect(plan, states, startAtMs, observation, interrupted, s3, io);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Describes the tasks until all have stopped, with one live line; starts the
 * observer when the load starts and stops it (after its linger) at the end.
 */
async function follow(
  plan: EcsFleetPlan,
  ecs: EcsCalls,
  launches: Launch[],
  startAtMs: number,
  signal: AbortSignal,
  io: Io,
): Promise<{ states: ShardTaskState[]; observation: Observation | null; interrupted: boolean }> {
  const { settings } = plan;
  const stderr = process.stderr;
  const status = liveLine(stderr, stderr.isTTY === true && process.env.CI !== 'true', io.errWidth);
  const arns = launches.flatMap((l) => ('taskArn' in l ? [l.taskArn] : []));
  let states = shardStates(launches, []);
  let observer: Awaited<ReturnType<typeof startObserverIfWanted>> = null;
  let observerStarted = false;
  let stopSentAtMs: number | null = null;
  const stopWaitMs = plan.stopWaitMs ?? STOP_WAIT_MS;
  // The overall deadline: a shard whose container does not exit must not hold the fleet (and its bill) for ever.
  const scheduledEndMs = settings.load.durationMs === null ? null : startAtMs + settings.load.durationMs + settings.load.drainMs;
  const deadlineMs = scheduledEndMs === null ? null : scheduledEndMs + (plan.endMarginMs ?? END_MARGIN_MS);
  let overdue = false;
  if (deadlineMs === null) {
    io.say('abx fleet: -n without -t: no overall deadline (a shard that never ends holds the fleet until Ctrl-C); add -t to bound it');
  }
  let describeWarned = false;
  const reported = new Set<number>();
  const logGroup = 'wanted' in plan.taskDefinition ? plan.taskDefinition.wanted.logGroup : null;

  let describedAtMs = Date.now();
  for (;;) {
    try {
      states = shardStates(launches, await describeAll(ecs, plan.cluster, arns));
      describedAtMs = Date.now();
    } catch (error) {
      // One warning; the next poll tries again (a throttled DescribeTasks must not end the fleet).
      if (!describeWarned) status.log(io.errPaint.warn(`abx: warning: ${ecsFailure('DescribeTasks', error).message}`));
      describeWarned = true;
      // Never wait blind for ever: after long enough without an answer, collect what the shards wrote.
      if (Date.now() - describedAtMs > DESCRIBE_GIVE_UP_MS) {
        status.log(
          io.errPaint.bad(
            `abx fleet: no DescribeTasks answer for ${DESCRIBE_GIVE_UP_MS / 1000} s: collecting what the shards wrote (the tasks may still run)`,
          ),
        );
        break;
      }
    }
    // A task abx stopped on Ctrl-C exits 130 with UserInitiated: that is the interruption, not the shard failing.
    // One abx stopped at the deadline did fail: it was still running long after its load should have ended.
    if (stopSentAtMs !== null) {
      states = states.map((s) =>
        s.stopCode !== 'UserInitiated' ? s : { ...s, failure: overdue ? "still running at the fleet's deadline: stopped by abx" : null },
      );
    }
    for (const s of states) {
      if (s.failure !== null && !reported.has(s.index)) {
        reported.add(s.index);
        const id = s.taskArn ? taskId(s.taskArn) : null;
        // Where the task's own output is, when abx put it somewhere: awslogs names the stream <prefix>/<container>/<task id>.
        const logs = id !== null && logGroup !== null ? `; its output: ${logGroup} ${LOG_STREAM_PREFIX}/${ABX_CONTAINER}/${id}` : '';
        status.log(io.errPaint.bad(`abx fleet: shard ${s.index}${id !== null ? ` (task ${id})` : ''}: ${s.failure}${logs}`));
      }
    }
    const nowMs = Date.now();
    if (!observerStarted && nowMs >= startAtMs && !signal.aborted) {
      observerStarted = true;
      observer = await startObserverIfWanted(
        settings,
        startAtMs,
        signal,
        (line) => status.log(line),
        (message) => status.log(io.errPaint.warn(`abx: warning: ${message}`)),
        io.errPaint,
      );
    }
    const counts = countPhases(states);
    const when =
      nowMs < startAtMs ? `start in ${Math.ceil((startAtMs - nowMs) / 1000)} s` : `started ${Math.floor((nowMs - startAtMs) / 1000)} s ago`;
    const phases = `${counts.pending} pending, ${counts.running} running, ${counts.stopped} stopped`;
    // Without a terminal a line is printed when the phases change, and once when the load starts.
    status.set(`  tasks: ${phases} · ${when}`, `${phases} ${nowMs < startAtMs ? 'before' : 'after'} the start`);
    if (allStopped(states)) break;

    if (deadlineMs !== null && nowMs > deadlineMs && stopSentAtMs === null && !signal.aborted) {
      overdue = true;
      stopSentAtMs = nowMs;
      const live = states.filter((s) => s.phase !== 'stopped' && s.taskArn !== null).map((s) => s.taskArn!);
      status.log(
        io.errPaint.bad(
          `abx fleet: ${live.length} task${live.length === 1 ? ' is' : 's are'} still running ${Math.round((nowMs - scheduledEndMs!) / 1000)} s after the load's scheduled end: stopping ${live.length === 1 ? 'it' : 'them'} and collecting what the shards wrote`,
        ),
      );
      const failed = await stopAll(ecs, plan.cluster, live, "abx fleet: still running at the fleet's deadline");
      for (const f of failed) status.log(io.errPaint.warn(`abx: warning: StopTask ${f}`));
    }
    if (signal.aborted && stopSentAtMs === null) {
      stopSentAtMs = nowMs;
      const live = states.filter((s) => s.phase !== 'stopped' && s.taskArn !== null).map((s) => s.taskArn!);
      status.log(`abx fleet: interrupted: stopping ${live.length} tasks (their shards write what they measured; Ctrl-C again leaves now)`);
      const failed = await stopAll(ecs, plan.cluster, live, 'abx fleet: interrupted (Ctrl-C)');
      for (const f of failed) status.log(io.errPaint.warn(`abx: warning: StopTask ${f}`));
    } else if (stopSentAtMs !== null) {
      if (nowMs - stopSentAtMs > stopWaitMs) {
        status.log(io.errPaint.warn(`abx: warning: tasks still running ${stopWaitMs / 1000} s after StopTask: collecting without them`));
        break;
      }
    }
    await pause(POLL_MS, signal, stopSentAtMs === null);
  }
  status.end();
  // Interrupted means the load was: a Ctrl-C during the linger below only ends the linger, as in a run.
  const interrupted = signal.aborted;

  let observation: Observation | null = null;
  if (observer) {
    const lingerMs = signal.aborted ? 0 : (settings.observe.lingerMs ?? DEFAULT_LINGER_MS);
    if (lingerMs > 0) io.say(`abx fleet: observing ${Math.round(lingerMs / 1000)} s more for late CloudWatch datapoints (Ctrl-C ends it)`);
    observation = await observer.stop({ lingerMs, signal });
  }
  return { states, observation, interrupted };
}

/** Waits `ms`, or less when `wakeOnAbort` and the signal fires (Ctrl-C stops the tasks at once). */
function pause(ms: number, signal: AbortSignal, wakeOnAbort: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    if (wakeOnAbort) signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Reads shard i's result; a missing, unreadable or stale one is a problem, not an error: the others still merge. */
async function readShard(plan: EcsFleetPlan, index: number, startAt: string, s3: S3Settings): Promise<Result | string> {
  const key = shardObjectKey(plan.results, index);
  let result: Result;
  try {
    result = await readResultFile(key, s3);
  } catch (error) {
    return `no result: ${(error as Error).message}`;
  }
  // The prefix may hold an earlier fleet's objects: only this fleet's shards merge.
  if (result.shard?.startAt !== startAt || result.shard.index !== index || result.shard.count !== plan.tasks) {
    return `${key} is from another run (shard ${result.shard ? `${result.shard.index}/${result.shard.count}` : 'none'}, start ${result.shard?.startAt ?? 'none'}): not merged`;
  }
  return result;
}

async function collect(
  plan: EcsFleetPlan,
  states: ShardTaskState[],
  startAtMs: number,
  observation: Observation | null,
  interrupted: boolean,
  s3: S3Settings,
  io: Io,
): Promise<number> {
  const { errPaint } = io;
  const { settings } = plan;
  const startAt = new Date(startAtMs).toISOString();
  const read = await Promise.all(states.map((s) => readShard(plan, s.index, startAt, s3)));
  const rows: ShardRow[] = states.map((s, i) => {
    const got = read[i];
    const result = typeof got === 'string' ? null : got;
    const problem = s.failure ?? (typeof got === 'string' ? got : null);
    return { index: s.index, task: s.taskArn ? taskId(s.taskArn) : null, result, problem };
  });
  const results = rows.flatMap((r) => (r.result ? [r.result] : []));
  const files = rows.flatMap((r) => (r.result ? [shardObjectKey(plan.results, r.index)] : []));
  const stdout = process.stdout;
  const color = colorEnabled(stdout, plan.color, process.env);
  const paint = painter({ color });
  if (results.length === 0) {
    stdout.write(renderShardTable(rows, paint));
    io.say(`abx fleet: no shard wrote a result under ${plan.results}: nothing to report`);
    return interrupted ? EXIT.interrupted : EXIT.failed;
  }

  const [{ mergeResults }, { checkMergeable, stampMerged }, { renderTextReport }] = await Promise.all([
    import('../stats/merge.js'),
    import('./merge-checks.js'),
    import('../report/text.js'),
  ]);
  // Missing shards are this fleet's failures, said above: merge the others (the notes name the missing).
  for (const note of checkMergeable(files, results, { force: false, allowPartial: true })) io.say(note);
  const late = results.filter((r) => (r.shard?.lateMs ?? 0) > 0);
  if (late.length > 0) {
    const worstS = Math.max(...late.map((r) => r.shard!.lateMs)) / 1000;
    io.say(
      errPaint.warn(
        `abx: warning: ${late.length} of ${results.length} shards started late, up to ${worstS.toFixed(1)} s after the start: their share of the schedule came late; raise --start-margin`,
      ),
    );
  }
  const merged = stampMerged(mergeResults(results), results);
  if (observation) merged.observation = observation;
  if (interrupted) merged.interrupted = true;
  if (settings.assertions.length > 0) merged.assertions = evaluateAssertions(settings.assertions, merged);

  if (settings.output.json) stdout.write(`${JSON.stringify(merged, null, 2)}\n`);
  else {
    stdout.write(`This is abx, Version ${abxVersion()} (ApacheBench 2.3 compatible report)\n`);
    stdout.write(`Fleet: ${plan.tasks} shards on ECS Fargate, started together at ${startAt}\n\n`);
    stdout.write(renderTextReport(merged, { color, width: terminalWidth(stdout, process.env) }));
    stdout.write(`\nShards\n${renderShardTable(rows, paint)}`);
  }
  await writeOutputs(settings, merged);

  if (interrupted) return EXIT.interrupted;
  const failed = rows.filter((r) => r.problem !== null).length;
  if (failed > 0 && !plan.allowPartial) {
    io.say(
      errPaint.bad(
        `abx fleet: ${failed} of ${plan.tasks} shards failed: the report holds the other shards' requests (--allow-partial accepts that)`,
      ),
    );
    return EXIT.failed;
  }
  if (merged.assertions?.some((a) => !a.passed)) return EXIT.failed;
  return EXIT.ok;
}
