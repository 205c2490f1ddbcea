/**
 * `abx watch --asg NAME` / `abx watch <ALB URL>`: follows an Auto Scaling
 * group without load, like `kubectl get hpa --watch`: a state line whenever
 * requests per target, capacity or an alarm changes, and a line per scaling
 * activity, alarm transition and instance change. `--once` prints the
 * current state and recent history and exits; `--json` prints one JSON
 * object per line. Ctrl-C exits 0.
 */
import type { Command } from 'commander';
import { ConfigError, EXIT } from '../errors.js';
import { parseAwsTargetFlags } from '../aws/target-flags.js';
import { checkPollIntervalMs, DEFAULT_POLL_INTERVAL_MS, wantsObservation } from '../observe/options.js';
import type { ObservationBlock } from '../observe/observer.js';
import type { ObserverOptions } from '../observe/types.js';
import { EventFeed, formatDuration, shortAlarmName, summarizeEvents, type EventLine } from '../report/event-lines.js';
import { colorEnabled, painter, type Paint } from '../report/style.js';
import { fitLine, terminalWidth, wrapLine } from '../report/width.js';
import { policyMetric } from '../stats/policy-metric.js';
import type { Observation, ObservationEvent } from '../stats/result.js';
import type { AwsFlags } from './options.js';
import { parseDurationMs } from './parse.js';
import { awsFlags, outputFlags } from './run-flags.js';
import { onStdoutGone } from './stdio.js';

export interface WatchFlags extends AwsFlags {
  since?: string;
  once?: boolean;
  json?: boolean;
  /** --no-color gives false. */
  color?: boolean;
}

export interface WatchIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Ends follow mode (the command wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** SDK attempts per call; tests use 1. */
  maxAttempts?: number;
  /** Columns each text line is cut to (default: the terminal's, else COLUMNS, else 80). */
  width?: number;
  /** Colour the event lines (default: as the terminal, NO_COLOR and --no-color say). */
  color?: boolean;
}

/** --once without --since shows the last hour. */
const DEFAULT_ONCE_HISTORY_MS = 3_600_000;

/** Flags → observer options; ConfigError for anything the user must fix. */
export function watchOptions(url: string | undefined, flags: WatchFlags, nowMs: number): { options: ObserverOptions; sinceMs: number } {
  let parsedUrl: URL | undefined;
  if (url !== undefined) {
    try {
      parsedUrl = new URL(url);
    } catch {
      throw new ConfigError(
        `watch: "${url}" is not a URL; give an ALB URL such as http://my-alb-123.us-east-1.elb.amazonaws.com/ or --asg NAME`,
      );
    }
  }
  const aws = parseAwsTargetFlags(flags);
  if (!wantsObservation({ asg: aws.asg, targetGroupArn: aws.targetGroupArn, url: parsedUrl })) {
    throw new ConfigError(
      parsedUrl
        ? `watch: ${parsedUrl.hostname} is not an ALB DNS name (*.elb.amazonaws.com); pass --asg NAME or --target-group ARN`
        : 'watch needs --asg NAME, --target-group ARN or an ALB URL (http://<name>.<region>.elb.amazonaws.com/)',
    );
  }
  const pollIntervalMs =
    flags.pollInterval !== undefined
      ? checkPollIntervalMs(parseDurationMs('--poll-interval', flags.pollInterval), flags.pollInterval)
      : DEFAULT_POLL_INTERVAL_MS;
  const sinceMs = flags.since !== undefined ? parseDurationMs('--since', flags.since) : flags.once ? DEFAULT_ONCE_HISTORY_MS : 0;
  const options: ObserverOptions = {
    pollIntervalMs,
    // "New since the run started" becomes "since --since ago": history comes first.
    runStartedAtMs: nowMs - sinceMs,
    ...aws,
    ...(parsedUrl ? { url: parsedUrl } : {}),
  };
  return { options, sinceMs };
}

/** The group's state as one watch line reports it. */
export interface WatchState {
  at: string;
  asg: string | null;
  metric: string | null;
  value: number | null;
  provisional: boolean;
  targetValue: number | null;
  desired: number | null;
  inService: number | null;
  pending: number | null;
  alarms: Record<string, string>;
}

/**
 * The newest sample of a metric. With `settled`, the newest complete period
 * wins over a provisional one: the still-filling period's value climbs on
 * every poll, and a line per climb would drown the real changes.
 */
function latest(observation: Observation, metric: string, settled = false): { value: number; provisional: boolean } | null {
  let best: Observation['samples'][number] | null = null;
  let bestSettled: Observation['samples'][number] | null = null;
  for (const s of observation.samples) {
    if (s.metric !== metric) continue;
    if (!best || s.at >= best.at) best = s;
    if (!s.provisional && (!bestSettled || s.at >= bestSettled.at)) bestSettled = s;
  }
  const pick = settled && bestSettled ? bestSettled : best;
  return pick ? { value: pick.value, provisional: pick.provisional } : null;
}

export function watchState(observation: Observation, nowMs: number): WatchState {
  const metric = policyMetric(observation);
  const value = latest(observation, metric, true);
  const alarms: Record<string, string> = {};
  for (const a of observation.alarms)
    alarms[a.role === 'high' ? 'AlarmHigh' : a.role === 'low' ? 'AlarmLow' : shortAlarmName(a.name)] = a.state;
  return {
    at: new Date(nowMs).toISOString(),
    asg: observation.asg,
    metric: value ? metric : null,
    value: value ? value.value : null,
    provisional: value?.provisional ?? false,
    targetValue: observation.policy?.targetValue ?? null,
    desired: latest(observation, 'DesiredCapacity')?.value ?? null,
    inService: latest(observation, 'InServiceInstances')?.value ?? null,
    pending: latest(observation, 'PendingInstances')?.value ?? null,
    alarms,
  };
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** '16:20:05  RequestCountPerTarget 137.5/60 (229%)  desired 4  InService 2  Pending 2  AlarmHigh ALARM  AlarmLow OK' */
export function formatState(state: WatchState): string {
  const parts: string[] = [];
  if (state.metric && state.value !== null) {
    const target =
      state.targetValue !== null && state.targetValue > 0
        ? `/${round(state.targetValue)} (${Math.round((state.value / state.targetValue) * 100)}%)`
        : '';
    parts.push(`${state.metric} ${round(state.value)}${state.provisional ? '*' : ''}${target}`);
  } else if (state.targetValue !== null) {
    parts.push(`no datapoints yet (target ${round(state.targetValue)})`);
  }
  if (state.desired !== null)
    parts.push(`desired ${state.desired}`, `InService ${state.inService ?? '-'}`, `Pending ${state.pending ?? '-'}`);
  for (const [name, value] of Object.entries(state.alarms)) parts.push(`${name} ${value}`);
  return `${clock(state.at)}  ${parts.join('  ') || 'nothing observed yet'}`;
}

/** The part of the state that counts as "a change" (not the time). */
function stateKey(state: WatchState): string {
  return JSON.stringify({ ...state, at: undefined });
}

function eventLine(line: EventLine): string {
  return `${clock(new Date(line.atMs).toISOString())}  ${line.text}`;
}

/** "1h", "30m", "45s", "1h30m": how far back --since reaches, as the user would write it. */
export function formatSince(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s < 3600 && s % 60 === 0) return `${s / 60}m`;
  return formatDuration(ms);
}

/** The calls whose failure the observation's gaps record. */
function failedCalls(observation: Observation): Map<string, string> {
  const failed = new Map<string, string>();
  for (const gap of observation.gaps) {
    // The reason reads "kind: Action: a few words; Action: a few words" (one entry per failed call).
    const parts = gap.reason.replace(/^[a-z-]+: /, '').split('; ');
    for (const action of gap.actions ?? []) {
      const part = parts.find((p) => p.startsWith(`${action}: `));
      failed.set(action, part ? part.slice(action.length + 2) : gap.reason);
    }
  }
  return failed;
}

/**
 * What `--once` can say about the history window: what it read, and for
 * what it could not read (a call that failed, instance changes a single look
 * cannot see) it says so, never "no change".
 */
export function historyNote(observation: Observation, sinceMs: number): string[] {
  const since = formatSince(sinceMs);
  const failed = failedCalls(observation);
  const lines: string[] = [];
  const could: string[] = [];
  if (failed.has('DescribeScalingActivities'))
    lines.push(`could not read scaling activities (DescribeScalingActivities: ${failed.get('DescribeScalingActivities')})`);
  else could.push('scaling activity');
  if (observation.alarms.length === 0 && !failed.has('DescribeAlarms')) {
    lines.push('no alarm to follow (the policy names none, or none could be read)');
  } else if (failed.has('DescribeAlarmHistory') || failed.has('DescribeAlarms')) {
    const call = failed.has('DescribeAlarmHistory') ? 'DescribeAlarmHistory' : 'DescribeAlarms';
    lines.push(`could not read alarm changes (${call}: ${failed.get(call)})`);
  } else could.push('alarm change');
  if (observation.events.length === 0 && could.length) lines.unshift(`no ${could.join(' or ')} in the last ${since}`);
  lines.push('instance changes need two looks: abx watch without --once follows them');
  return lines;
}

/** Runs the watch; resolves with the exit code. */
export async function runWatch(url: string | undefined, flags: WatchFlags, io: WatchIo): Promise<number> {
  const { options, sinceMs } = watchOptions(url, flags, Date.now());
  const json = Boolean(flags.json);
  const width = io.width ?? terminalWidth(process.stdout, process.env);
  const paint: Paint = painter({ color: io.color ?? colorEnabled(process.stdout, flags.color, process.env) });
  const fit = (line: string): string => fitLine(line, width);
  // A state line wraps under its time rather than lose the alarms at its end.
  const stateText = (state: WatchState): string => wrapLine(formatState(state), width, 10).join('\n');
  const emit = (type: string, payload: object): void => io.out(`${JSON.stringify({ type, ...payload })}\n`);
  const say = (message: string): void => {
    if (json) emit('warning', { message });
    io.err(`abx: warning: ${message}\n`);
  };
  // Warnings wait until the first look is done: when it ends the watch (no credentials, no such group), its
  // reason is said once, as the error, not once as a warning and again as the error.
  let held: string[] | null = [];
  const warn = (message: string): void => {
    if (held) held.push(message);
    else say(message);
  };
  const release = (failure: { message: string } | null): void => {
    const pending = held ?? [];
    held = null;
    const same = (m: string): boolean =>
      failure !== null &&
      m.replace(/; observation is off$/, '') === failure.message.replace(/^could not read the Auto Scaling group: /, '');
    for (const message of pending) if (!same(message)) say(message);
  };
  const [{ startObserver }, { paintEventLine }] = await Promise.all([import('../observe/observer.js'), import('../report/scaling.js')]);
  const eventText = (line: EventLine, text: string): string => paintEventLine(text, line, paint);

  if (flags.once) {
    const observer = await startObserver(
      { ...options, onWarning: warn },
      { finalPoll: false, alarmHistory: sinceMs > 0, ...(io.maxAttempts ? { maxAttempts: io.maxAttempts } : {}) },
    );
    const observation = await observer.stop();
    const failure = unreadable(observer.blocked(), observation);
    release(failure);
    if (failure) {
      io.err(`abx: watch: ${failure.message}\n`);
      return failure.code;
    }
    const state = watchState(observation, Date.now());
    if (json) {
      emit('state', state);
      for (const event of observation.events) emit('event', event);
    } else {
      const where = `${observation.asg ?? 'no Auto Scaling group found'}${observation.region ? ` (${observation.region})` : ''}`;
      io.out(`${fit(where)}\n`);
      if (observation.policy)
        io.out(
          `${fit(`policy ${observation.policy.name}: ${observation.policy.metric} target ${round(observation.policy.targetValue)}`)}\n`,
        );
      io.out(`${stateText(state)}\n`);
      const history = observation.events;
      if (history.length) io.out(`history (last ${formatSince(sinceMs)}):\n`);
      for (const line of summarizeEvents(history)) io.out(`${eventText(line, fit(`  ${eventLine(line)}`))}\n`);
      for (const line of historyNote(observation, sinceMs)) io.out(`${fit(line)}\n`);
    }
    return EXIT.ok;
  }

  // The banner (which group, which policy, how often) comes first, then the state lines: it is printed on the
  // first look's answer, or after the start-up wait when that answer is slow.
  let bannerSaid = json;
  const banner = (seen: Observation): void => {
    if (bannerSaid) return;
    bannerSaid = true;
    const policy = seen.policy
      ? `; policy ${seen.policy.name}: ${seen.policy.metric} target ${round(seen.policy.targetValue)} per ${seen.periodSec} s`
      : '';
    io.err(
      `${wrapLine(`abx: watching ${seen.asg ?? 'no Auto Scaling group yet'}${seen.region ? ` (${seen.region})` : ''}${policy}; every ${options.pollIntervalMs / 1000} s, Ctrl-C to stop`, width, 2).join('\n')}\n`,
    );
  };
  let lastKey = '';
  const onPoll = (observation: Observation): void => {
    const state = watchState(observation, Date.now());
    const key = stateKey(state);
    if (key === lastKey) return;
    lastKey = key;
    banner(observation);
    if (json) emit('state', state);
    else io.out(`${stateText(state)}\n`);
  };
  // One line per happening, a poll's lines in time order: an activity when it starts and when it ends.
  const feed = new EventFeed();
  const onEvent = (event: ObservationEvent): void => {
    if (json) return emit('event', event);
    feed.add(event);
  };
  const onPollEnd = (): void => {
    for (const line of feed.flush(Date.now())) io.out(`${eventText(line, fit(eventLine(line)))}\n`);
  };
  // Ends the watch: Ctrl-C, a closed stdout, or a group that cannot be read at all.
  const ended = new AbortController();
  const end = (): void => ended.abort();
  if (io.signal?.aborted) end();
  else io.signal?.addEventListener('abort', end, { once: true });
  let observerRef: { blocked(): ObservationBlock | null } | null = null;
  let blockedBy: ObservationBlock | null = null;
  // Polls that answer while the observer is still starting wait for it: only then can their block be known.
  let early: Observation | null = null;
  const onPollChecked = (observation: Observation): void => {
    if (!observerRef) {
      early = observation;
      return;
    }
    blockedBy = observerRef.blocked();
    if (blockedBy) return end();
    if (held) release(null);
    onPoll(observation);
  };
  const observer = await startObserver(
    { ...options, onWarning: warn, onEvent, onPollEnd },
    {
      onPoll: onPollChecked,
      finalPoll: false,
      alarmHistory: sinceMs > 0,
      signal: ended.signal,
      ...(io.maxAttempts ? { maxAttempts: io.maxAttempts } : {}),
    },
  );
  observerRef = observer;
  blockedBy ??= observer.blocked();
  if (!blockedBy && early) onPollChecked(early);
  if (blockedBy) {
    await observer.stop({ signal: AbortSignal.abort() });
    const failure = unreadable(blockedBy, observer.snapshot())!;
    release(failure);
    io.err(`abx: watch: ${failure.message}\n`);
    return failure.code;
  }
  if (held) release(null);
  if (!json) banner(observer.snapshot());
  if (!ended.signal.aborted) {
    await new Promise<void>((resolve) => ended.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  await observer.stop({ signal: ended.signal });
  const late = blockedBy as ObservationBlock | null;
  if (late) {
    const failure = unreadable(late, observer.snapshot())!;
    io.err(`abx: watch: ${failure.message}\n`);
    return failure.code;
  }
  return EXIT.ok;
}

/**
 * Why the group could not be read, and the exit code: 2 for what the user
 * must set up (region, credentials), 1 for a group that is not there or an
 * endpoint that did not answer. Null when the group's state was read.
 */
function unreadable(block: ObservationBlock | null, observation: Observation): { message: string; code: number } | null {
  if (block) {
    const message = block.message.replace(/; observation is off$/, '');
    return { message, code: block.kind === 'region' || block.kind === 'credentials' ? EXIT.usage : EXIT.failed };
  }
  if (observation.samples.some((s) => s.metric === 'DesiredCapacity')) return null;
  const reason = observation.warnings[0] ?? 'no answer from AWS';
  return { message: `could not read the Auto Scaling group: ${reason}`, code: EXIT.failed };
}

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('follow an Auto Scaling group without load: requests per target vs target, capacity, alarms, scaling activities')
    .argument('[url]', 'an ALB URL (*.elb.amazonaws.com) to find the group from')
    .addOption(awsFlags.asg('follow'))
    .addOption(awsFlags.targetGroup('follow'))
    .addOption(awsFlags.region())
    .addOption(awsFlags.profile())
    .addOption(awsFlags.endpointUrl())
    .option('--poll-interval <time>', 'how often to poll (default 15s, min 1s)')
    .option('--since <time>', 'print history from this long ago first, e.g. 1h (default: none; 1h with --once)')
    .option('--once', 'print the current state and recent history, then exit')
    .option('--json', 'one JSON object per line')
    .addOption(outputFlags.noColor())
    .action(async (url: string | undefined, _flags: WatchFlags, command: Command) => {
      // Flags shared with the main command (--asg, --region...) may land on
      // either; optsWithGlobals sees both.
      const flags = command.optsWithGlobals<WatchFlags>();
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      // `abx watch --json | head` closes the pipe: the reader is done, so is the watch.
      const unsubscribe = onStdoutGone(() => abort.abort());
      try {
        process.exitCode = await runWatch(url, flags, {
          out: (text) => void process.stdout.write(text),
          err: (text) => void process.stderr.write(text),
          signal: abort.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        unsubscribe();
      }
    });
}
