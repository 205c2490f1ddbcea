/**
 * The functions behind abx's library API (index.ts re-exports the public
 * ones). The CLI calls these same functions, so a program and `abx` measure
 * the same way: runLoad and the CLI's run both end in runPlannedLoad.
 *
 * Everything heavy (undici, the AWS SDK, the lab's servers) is loaded on first
 * use, so importing this module costs little.
 */
import { randomUUID } from 'node:crypto';
import type { LoadConfig } from './engine/config.js';
import type { RequestRow } from './stats/request-row.js';
import type { LabOptions, Lab } from './lab/index.js';
import type { Observer } from './observe/observer.js';
import type { ObserverOptions } from './observe/types.js';
import { mergeResults } from './stats/merge.js';
import type { RecordedOptions, Result } from './stats/result.js';
import type { AbortOnSettings } from './stats/abort-window.js';
import type { AwsCredentials } from './aws/clients.js';
import type { Check, Principle, Snapshot } from './check/types.js';

/** What to send. Unset fields take ab's defaults: one request, concurrency 1, a 30 s timeout, a new connection per request. */
export interface LoadOptions {
  /** http:// or https:// URL; user:password@ becomes basic authentication. */
  url: string;
  /** Requests to send (default 1, or no cap when durationMs is set). */
  requests?: number;
  /** Requests in flight at a time (default 1; 1000 with ratePerSec). */
  concurrency?: number;
  /** Stop after this long. */
  durationMs?: number;
  /** Open loop: requests per second in total, latency measured from each intended send time. */
  ratePerSec?: number;
  /**
   * Open loop with a shape (abx's --stage): each stage moves the rate linearly
   * from the previous stage's end (the first from ratePerSec, else 0) to toRps;
   * the run lasts their sum.
   */
  stages?: Array<{ durationMs: number; toRps: number }>;
  /** At the deadline, wait up to this long for requests in flight and count them (abx's --drain). */
  drainMs?: number;
  /** Stop early when one of these holds over the last 10 s, after 5 s (abx's --abort-on), e.g. "errors>20%". */
  abortOn?: string[];
  /** Per-request timeout (default 30 000). */
  timeoutMs?: number;
  /** Reuse connections (ab's -k). */
  keepAlive?: boolean;
  /** HTTP method (default GET). */
  method?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Do not verify TLS certificates. */
  insecure?: boolean;
  /** Worker threads generating load (default "auto": every core, or cores − 1 when the target is on this machine). */
  workers?: number | 'auto';
}

/** A progress event: counts so far. */
export interface LoadProgress {
  /** Requests finished (answered or failed). */
  finished: number;
  errors: number;
  /** p99 latency so far, in ms (0 before the first answer). */
  p99Ms: number;
  /** Requests sent so far (sent − finished are in flight). */
  sent?: number;
  /** --rate: requests sent after their due time because the in-flight cap was reached. */
  late?: number;
  /** Open loop: the schedule's target rate now, requests per second (null in a closed loop). */
  targetRps?: number | null;
}

/** How a running load reports back. */
export interface LoadEvents {
  /** Ends the load early; the Result then says `interrupted: true`. */
  signal?: AbortSignal;
  /** Called every progressIntervalMs while the load runs, and once at the end. */
  onProgress?: (progress: LoadProgress) => void;
  /** Default 1000. */
  progressIntervalMs?: number;
}

export interface RunLoadOptions extends LoadOptions, LoadEvents {}

/** A validated load: what `abx` builds from its flags and runLoad builds from LoadOptions. */
export interface LoadPlan {
  load: LoadConfig;
  recorded: RecordedOptions;
  workers: number;
  /** --abort-on: stop early when a condition holds over the sliding window. */
  abortOn?: AbortOnSettings | null;
  /** Why that many workers, as the report prints it. */
  workersReason?: string;
}

/** Hooks the CLI adds to a planned load (ab's -g rows, one start time shared with the observer). */
export interface PlannedLoadEvents extends LoadEvents {
  onRow?: (row: RequestRow) => void;
  /** -v 3: the first response's status line and headers, once. */
  onResponseHead?: (lines: string[]) => void;
  startAtEpochMs?: number;
}

/**
 * Runs one load and resolves with its Result (without observation: start
 * `observe` beside it for that). Bad options reject with a ConfigError whose
 * message names the matching abx flag.
 */
export async function runLoad(options: RunLoadOptions): Promise<Result> {
  return runPlannedLoad(await planLoad(options), options);
}

/** LoadOptions → a validated plan, through the same checks as abx's flags. */
export async function planLoad(options: LoadOptions): Promise<LoadPlan> {
  const { buildRunSettings } = await import('./cli/options.js');
  const ms = (value: number | undefined): string | undefined => (value === undefined ? undefined : `${value}ms`);
  const text = (value: number | undefined): string | undefined => (value === undefined ? undefined : String(value));
  const settings = buildRunSettings(options.url, {
    requests: text(options.requests),
    concurrency: text(options.concurrency),
    duration: ms(options.durationMs),
    rate: text(options.ratePerSec),
    timeout: ms(options.timeoutMs),
    workers: options.workers === 'auto' ? 'auto' : text(options.workers),
    method: options.method,
    header: Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    ...(options.keepAlive ? { keepalive: true } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.stages ? { stage: options.stages.map((s) => `${s.durationMs}ms:${s.toRps}`) } : {}),
    ...(options.drainMs !== undefined ? { drain: ms(options.drainMs) } : {}),
    ...(options.abortOn ? { abortOn: options.abortOn } : {}),
    // A library load never observes on its own: `observe` is separate.
    observe: false,
  });
  return {
    load: settings.load,
    recorded: settings.recorded,
    workers: settings.workers,
    workersReason: settings.workersReason,
    abortOn: settings.abortOn,
  };
}

/** Runs a plan: the one path from a validated load to its Result, for runLoad and the CLI alike. */
export async function runPlannedLoad(plan: LoadPlan, events: PlannedLoadEvents = {}): Promise<Result> {
  const { runLoad: startRun } = await import('./engine/run-load.js');
  const running = startRun(plan.load, plan.recorded, plan.workers, {
    ...(events.signal ? { signal: events.signal } : {}),
    ...(events.onRow ? { onRow: events.onRow } : {}),
    ...(events.onResponseHead ? { onResponseHead: events.onResponseHead } : {}),
    ...(events.startAtEpochMs !== undefined ? { startAtEpochMs: events.startAtEpochMs } : {}),
    ...(plan.abortOn ? { abortOn: plan.abortOn } : {}),
    ...(plan.workersReason !== undefined ? { workersReason: plan.workersReason } : {}),
  });
  const { onProgress } = events;
  const report = onProgress ? (): void => onProgress({ ...running.progress(), targetRps: running.targetRps() }) : null;
  const timer = report ? setInterval(report, events.progressIntervalMs ?? 1000) : null;
  timer?.unref();
  try {
    const { result } = await running.done;
    report?.();
    result.runId ??= randomUUID();
    return result;
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** Where and how to observe; `url` may be an ALB URL (*.elb.amazonaws.com) to find the group from. */
export interface ObserveOptions extends Omit<ObserverOptions, 'url' | 'pollIntervalMs' | 'runStartedAtMs'> {
  url?: string | URL;
  /** Default 15 000, at least 1000. */
  pollIntervalMs?: number;
  /** Epoch ms events are timed from and count as new after (default: now). */
  runStartedAtMs?: number;
  /** Aborting it ends the start-up wait (discovery and the first poll) at once. */
  signal?: AbortSignal;
}

/**
 * Starts observing an Auto Scaling group (its capacity, alarms, scaling
 * activities and CloudWatch metrics) until `stop()`. Never rejects for AWS
 * trouble: that becomes onWarning lines and gaps in the Observation.
 */
export async function observe(options: ObserveOptions): Promise<Observer> {
  const [{ startObserver }, { DEFAULT_POLL_INTERVAL_MS }, { parseAwsTargetFlags }] = await Promise.all([
    import('./observe/observer.js'),
    import('./observe/options.js'),
    import('./aws/target-flags.js'),
  ]);
  const { url, pollIntervalMs, runStartedAtMs, signal, ...rest } = options;
  // The same checks as abx's flags: a bad ARN or region rejects with a ConfigError naming the flag.
  parseAwsTargetFlags({
    asg: rest.asg,
    targetGroup: rest.targetGroupArn,
    region: rest.region,
    profile: rest.profile,
    endpointUrl: rest.endpointUrl,
  });
  return startObserver(
    {
      ...rest,
      ...(url !== undefined ? { url: typeof url === 'string' ? new URL(url) : url } : {}),
      pollIntervalMs: pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      runStartedAtMs: runStartedAtMs ?? Date.now(),
    },
    signal ? { signal } : {},
  );
}

/** Starts the lab: a simulated ALB + Auto Scaling group and the AWS APIs abx reads, on loopback. */
export async function startLab(options: Partial<LabOptions> = {}): Promise<Lab> {
  const lab = await import('./lab/index.js');
  return lab.startLab(options);
}

/** Folds Results (worker shards, machines, repeated runs) into one, exactly: histograms, timelines, counters, events. */
export function merge(results: Result[]): Result {
  return mergeResults(results);
}

/** What `check` reads from: the group, its target group or an ALB URL, and where AWS is. */
export interface CheckOptions {
  asg?: string;
  targetGroupArn?: string;
  url?: string | URL;
  /** Else, as abx: the ALB DNS name's region when the group is found from the URL, AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
  region?: string;
  profile?: string;
  endpointUrl?: string;
  credentials?: AwsCredentials;
  /** Keep only these principles (default: all three). */
  only?: Principle[];
  /** A check that could not be read (SKIP) is a FAIL, as `abx check --strict`. */
  strict?: boolean;
  signal?: AbortSignal;
}

/**
 * `abx check` as a function: reads the group, load balancer, security groups,
 * subnets, launch template and policies (read-only calls), and returns what
 * it read and the checks. A check whose inputs a denied or failing call left
 * unread is a SKIP naming the call and IAM action; missing credentials or an
 * unreachable endpoint reject.
 */
export async function check(options: CheckOptions): Promise<{ snapshot: Snapshot; checks: Check[] }> {
  const [{ readSnapshot }, { runChecks, strictChecks }, { chooseRegion }, { parseAlbHost }, { parseAwsTargetFlags }] = await Promise.all([
    import('./check/read.js'),
    import('./check/index.js'),
    import('./aws/region.js'),
    import('./observe/arn.js'),
    import('./aws/target-flags.js'),
  ]);
  const { asg, targetGroupArn, url, only, signal, strict, credentials } = options;
  const flags = parseAwsTargetFlags({
    asg,
    targetGroup: targetGroupArn,
    region: options.region,
    profile: options.profile,
    endpointUrl: options.endpointUrl,
  });
  const parsedUrl = url === undefined ? undefined : typeof url === 'string' ? new URL(url) : url;
  // The same region rule as `abx check`: an ALB URL alone is looked for in its DNS name's region.
  const albRegion = parsedUrl ? parseAlbHost(parsedUrl.hostname)?.region : undefined;
  const region = chooseRegion(flags.region, process.env, albRegion, !flags.asg && !flags.targetGroupArn).region;
  const snapshot = await readSnapshot(
    {
      ...(region ? { region } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags.endpointUrl ? { endpointUrl: flags.endpointUrl } : {}),
      ...(credentials ? { credentials } : {}),
    },
    {
      ...(flags.asg ? { asg: flags.asg } : {}),
      ...(flags.targetGroupArn ? { targetGroupArn: flags.targetGroupArn } : {}),
      ...(parsedUrl ? { url: parsedUrl } : {}),
    },
    signal,
  );
  const checks = runChecks(snapshot, only);
  return { snapshot, checks: strict ? strictChecks(checks) : checks };
}
