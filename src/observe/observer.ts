/**
 * The observer's lifecycle: discover once, poll at once, then every
 * pollIntervalMs on its own timer, and once more when stopped. It never
 * throws for AWS trouble and never blocks the load: every failure becomes a
 * one-line warning (said once) and a gap in the Observation, and the next
 * poll tries again (later, when AWS throttles).
 */
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { Observation, ObservationEvent } from '../stats/result.js';
import { ConfigError, ObserverError } from '../errors.js';
import { parseAlbHost } from './arn.js';
import { createAwsApi, DEFAULT_AWS_REQUEST_TIMEOUT_MS, type AwsApi } from '../aws/clients.js';
import { classifyAwsError, type AwsTrouble } from '../aws/errors.js';
import { chooseRegion } from '../aws/region.js';
import { activityUpdates, alarmEvents, alarmHistoryEvents, groupState, instanceEvents, type GroupState } from './autoscaling.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { buildMetricDataInput, queryWindow, SampleStore, samplesFromResults, seriesFor } from './cloudwatch.js';
import { applyAlarms, discover, emptyTarget, targetGroupsOf, type ObservedTarget } from './discover.js';
import { checkPollIntervalMs, wantsObservation } from './options.js';
import type { ObserverOptions } from './types.js';

export interface Observer {
  /**
   * Stop polling after one final poll (and after lingering lingerMs, ended
   * early by `signal`), and return everything seen. Never throws. An aborted
   * signal cuts a poll in flight and skips the final poll: Ctrl-C ends at once.
   */
  stop(opts?: StopOptions): Promise<Observation>;
  /** Everything seen so far (a copy). */
  snapshot(): Observation;
  /** Why this observation cannot show anything (no region, no credentials, no such group), or null. */
  blocked(): ObservationBlock | null;
}

export interface StopOptions {
  lingerMs?: number;
  signal?: AbortSignal;
  /** Called just before lingering, only when the observer does linger (it skips it when it can see nothing). */
  onLinger?: (lingerMs: number) => void;
}

/** What stops an observation from ever showing anything; more polling or lingering cannot help. */
export interface ObservationBlock {
  kind: 'region' | 'credentials' | 'not-found' | 'unreachable' | 'other';
  /** One line, naming what is missing. */
  message: string;
}

/** Knobs that are not user flags: tests and `abx watch` use them. */
export interface ObserverTuning {
  /** SDK attempts per call (default 3); tests use 1 to skip backoff sleeps. */
  maxAttempts?: number;
  /** Per-request socket timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Called after every poll with the observation so far. */
  onPoll?: (observation: Observation) => void;
  /** How long startObserver waits for discovery and the first poll before returning anyway (default 3 s). */
  startBudgetMs?: number;
  /** false: stop() skips its final poll (`abx watch --once` has just polled). Default true. */
  finalPoll?: boolean;
  /** Ends the start-up wait (discovery and the first poll) early: Ctrl-C before the load starts. */
  signal?: AbortSignal;
  /**
   * Read the alarms' state history since runStartedAtMs once, at the first
   * poll (`abx watch --since`): DescribeAlarms alone only shows the latest
   * transition. One extra call per alarm, once (DescribeAlarmHistory allows 3 TPS).
   */
  alarmHistory?: boolean;
  /** Time and timers (default: the system clock); tests pass a clock they move by hand. */
  clock?: Clock;
}

/** How long startObserver may hold the load's start for discovery and the first poll. */
const START_BUDGET_MS = 3_000;

/** After Ctrl-C the final poll gets this long, so abx still exits within a second whatever AWS does. */
const INTERRUPTED_FINAL_POLL_MS = 500;

/** How often a long observation reads the group's policies again (one cheap call), to see one change under it. */
const POLICY_RECHECK_MS = 5 * 60_000;

/** The most a throttled observer stretches its interval: 8 × pollIntervalMs. */
const MAX_BACKOFF = 8;

/** Callers of startObserver ask this first; the rule itself lives in options.ts. */
export { wantsObservation };

/** Discovers, polls once at once, then every pollIntervalMs. Never throws for AWS trouble: warnings via onWarning + gaps in the Observation. Throws ConfigError only for contradictory options. */
export async function startObserver(options: ObserverOptions, tuning: ObserverTuning = {}): Promise<Observer> {
  checkPollIntervalMs(options.pollIntervalMs);
  if (!wantsObservation(options)) {
    throw new ConfigError('nothing to observe: pass --asg NAME, --target-group ARN or an ALB URL (*.elb.amazonaws.com)');
  }
  const alb = options.url ? parseAlbHost(options.url.hostname) : null;
  const choice = chooseRegion(options.region, process.env, alb?.region, !options.asg && !options.targetGroupArn);
  const state = new ObserverState(options, tuning, choice.region ?? '');
  if (choice.note) state.note(choice.note);
  await state.start();
  return {
    stop: (opts) => state.stop(opts),
    snapshot: () => state.snapshot(),
    blocked: () => state.blocked(),
  };
}

class ObserverState {
  readonly #options: ObserverOptions;
  readonly #tuning: ObserverTuning;
  readonly #clock: Clock;
  #api: AwsApi | null = null;
  #target: ObservedTarget = emptyTarget();
  #discovered = false;
  #region: string;
  readonly #samples = new SampleStore();
  readonly #events: ObservationEvent[] = [];
  readonly #activities = new Map<string, ObservationEvent>();
  readonly #gaps: Observation['gaps'] = [];
  readonly #warnings: string[] = [];
  #alarmStates: Map<string, string> | null = null;
  #group: GroupState | null = null;
  #polls = 0;
  #lastPollMs: number;
  #backoff = 1;
  #timer: TimerHandle | null = null;
  #inFlight: Promise<void> | null = null;
  #stopped = false;
  #pollAbort = new AbortController();
  /** Why the SDK could not even be set up (no region...); every later gap says the same. */
  #startFailure: string | null = null;
  #blocked: ObservationBlock | null = null;
  /** Some poll got through without trouble: the endpoint answers. */
  #answered = false;
  /** The group's target groups at discovery (sorted, joined), to see them change during a run. */
  #attached: string | null = null;
  #policySignature: string | null = null;
  #policiesCheckedMs = 0;

  constructor(options: ObserverOptions, tuning: ObserverTuning, region: string) {
    this.#options = options;
    this.#tuning = tuning;
    this.#clock = tuning.clock ?? systemClock;
    this.#region = region;
    this.#lastPollMs = options.runStartedAtMs;
  }

  /** A one-line note for the user (said once, kept in the warnings). */
  note(message: string): void {
    this.#warn(message);
  }

  async start(): Promise<void> {
    try {
      this.#api = await createAwsApi({
        ...(this.#region ? { region: this.#region } : {}),
        ...(this.#options.profile ? { profile: this.#options.profile } : {}),
        ...(this.#options.endpointUrl ? { endpointUrl: this.#options.endpointUrl } : {}),
        ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
        ...(this.#tuning.maxAttempts !== undefined ? { maxAttempts: this.#tuning.maxAttempts } : {}),
        ...(this.#tuning.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.#tuning.requestTimeoutMs } : {}),
        onWarning: (message) => this.#warn(message),
      });
      this.#region = this.#api.region;
    } catch (error) {
      const message =
        error instanceof ObserverError ? error.message : `cannot load the AWS SDK: ${String((error as Error)?.message ?? error)}`;
      this.#warn(message);
      this.#startFailure = message;
      this.#blocked = { kind: /region/.test(message) ? 'region' : 'other', message };
      this.#gap(this.#clock.now(), message);
      return;
    }
    // The load waits for startObserver, so the first discovery + poll gets a
    // bounded head start; past it the poll finishes in the background.
    const first = this.#runPoll().then(() => this.#schedule());
    let timer: TimerHandle | undefined;
    const signal = this.#tuning.signal;
    let onAbort: (() => void) | undefined;
    await Promise.race([
      first,
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, this.#tuning.startBudgetMs ?? START_BUDGET_MS);
        onAbort = resolve;
        if (signal?.aborted) resolve();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }

  blocked(): ObservationBlock | null {
    if (this.#blocked) return { ...this.#blocked };
    return null;
  }

  /** Nothing was ever read and the endpoint did not answer: lingering would only wait on it. */
  #unreachable(): boolean {
    return !this.#answered && this.#lastTrouble === 'unreachable';
  }

  #lastTrouble: AwsTrouble['kind'] | null = null;

  snapshot(): Observation {
    this.#samples.settle();
    return {
      asg: this.#target.asg ?? this.#options.asg ?? null,
      targetGroup: this.#target.targetGroupArn ?? this.#options.targetGroupArn ?? null,
      loadBalancer: this.#target.loadBalancerArn ?? this.#target.loadBalancerDim ?? null,
      region: this.#region,
      policy: this.#target.policy ? { ...this.#target.policy } : null,
      alarms: this.#target.alarms.map((a) => ({ ...a })),
      periodSec: this.#target.periodSec,
      samples: this.#samples.all(),
      events: this.#events.map((e) => ({ ...e })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
      gaps: this.#gaps.map((g) => ({ ...g })),
      warnings: [...this.#warnings],
      pollIntervalMs: this.#options.pollIntervalMs,
      polls: this.#polls,
      apiCalls: this.#api?.calls ?? 0,
    };
  }

  async stop(opts: StopOptions = {}): Promise<Observation> {
    try {
      const lingerMs = opts.lingerMs ?? 0;
      const capMs = Math.max(2_000, this.#tuning.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS);
      if (lingerMs > 0 && !this.#answered && this.#inFlight && !opts.signal?.aborted) {
        // The first poll has not come back yet: whether lingering is worth it depends on it (bounded; Ctrl-C ends it).
        await Promise.race([this.#inFlight, sleep(this.#clock, capMs * 2, opts.signal)]);
      }
      // Lingering helps only an observation that can see something.
      if (lingerMs > 0 && !this.#stopped && this.#api && !opts.signal?.aborted && !this.#blocked && !this.#unreachable()) {
        opts.onLinger?.(lingerMs);
        await sleep(this.#clock, lingerMs, opts.signal);
      }
      // Ctrl-C: cut the poll in flight and keep the final poll short. Nothing to see: skip it.
      const interrupted = opts.signal?.aborted === true;
      const pointless = this.#blocked !== null || this.#unreachable();
      if (!this.#stopped) {
        this.#stopped = true;
        if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
        this.#timer = null;
        if (this.#inFlight) {
          // A poll stuck on a slow endpoint (discovery can chain several calls) is cut short; at once after Ctrl-C.
          const inFlightAbort = this.#pollAbort;
          if (interrupted || pointless) inFlightAbort.abort();
          const cut = this.#clock.setTimeout(() => inFlightAbort.abort(), capMs);
          await this.#inFlight;
          this.#clock.clearTimeout(cut);
        }
        if (this.#startFailure) {
          // Nothing was ever observed: the gap spans the whole observation.
          this.#gap(this.#clock.now(), this.#startFailure);
        } else if (this.#api && (this.#tuning.finalPoll === false || pointless)) {
          this.#api.destroy();
        } else if (this.#api) {
          // The final poll is bounded so stopping never hangs on a dead endpoint.
          this.#pollAbort = new AbortController();
          const cap = this.#clock.setTimeout(() => this.#pollAbort.abort(), interrupted ? INTERRUPTED_FINAL_POLL_MS : capMs);
          try {
            await this.#runPoll();
          } finally {
            this.#clock.clearTimeout(cap);
          }
          this.#api.destroy();
        }
      }
    } catch (error) {
      this.#warn(`observer stopped with an internal error: ${String((error as Error)?.message ?? error)}`);
    }
    return this.snapshot();
  }

  #schedule(): void {
    if (this.#stopped || !this.#api) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.#runPoll().then(() => this.#schedule());
    }, this.#options.pollIntervalMs * this.#backoff);
  }

  #runPoll(): Promise<void> {
    const run = this.#poll()
      .catch((error: unknown) => {
        // A bug here must not reach the load run; say it once and carry on.
        this.#warn(`observer poll failed: ${String((error as Error)?.message ?? error)}`);
      })
      .finally(() => {
        if (this.#inFlight === run) this.#inFlight = null;
      });
    this.#inFlight = run;
    return run;
  }

  async #poll(): Promise<void> {
    const api = this.#api!;
    const signal = this.#pollAbort.signal;
    const startedMs = this.#clock.now();
    const troubles: AwsTrouble[] = [];
    const note = (action: string, error: unknown): void => {
      const trouble = classifyAwsError(error, action);
      if (trouble.kind === 'credentials') {
        trouble.message = this.#options.profile
          ? `no AWS credentials for profile "${this.#options.profile}": check ~/.aws/config and ~/.aws/credentials (or run aws sso login); observation is off`
          : `${trouble.message}; observation is off`;
      }
      if (trouble.kind === 'throttling') trouble.message = `${trouble.message}; polling less often`;
      if (trouble.kind === 'bad-response' || trouble.kind === 'other') trouble.message = `${trouble.message}; the next poll tries again`;
      if (trouble.kind !== 'aborted') troubles.push(trouble);
    };

    if (!this.#discovered) {
      const outcome = await discover(
        api,
        {
          ...(this.#options.asg ? { asg: this.#options.asg } : {}),
          ...(this.#options.targetGroupArn ? { targetGroupArn: this.#options.targetGroupArn } : {}),
          ...(this.#options.url ? { url: this.#options.url } : {}),
        },
        { signal },
      );
      for (const trouble of outcome.troubles) note(trouble.action, trouble.error);
      for (const text of outcome.notes) this.#warn(text);
      // What is not there is said (a failed call is said by its trouble); without a group, the rest follows from that.
      for (const m of outcome.missing) {
        if (m.action || (m.part !== 'group' && !outcome.target.asg)) continue;
        if (m.part === 'targetGroup' && /^no target group found$/.test(m.reason)) continue;
        if (m.part === 'loadBalancer' && /^no load balancer found$/.test(m.reason)) continue;
        this.#warn(m.reason);
      }
      this.#target = outcome.target;
      this.#attached = outcome.group ? targetGroupsOf(outcome.group).sort().join(',') : null;
      this.#policySignature = outcome.policies ? policySignature(outcome.policies) : null;
      this.#policiesCheckedMs = this.#clock.now();
      // Discovery went through and found no group: the name (or the URL, or the target group) is wrong.
      if (!outcome.target.asg && outcome.troubles.length === 0) {
        const why = outcome.missing.find((m) => m.part === 'group' || m.part === 'loadBalancer');
        this.#blocked = { kind: 'not-found', message: why?.reason ?? outcome.notes[0] ?? 'no Auto Scaling group found' };
      }
      // Found what there is to find, or failed for a reason retrying cannot fix:
      // only transient trouble (throttling, a dead endpoint) makes the next poll rediscover.
      const transient = troubles.some((t) => t.kind === 'throttling' || t.kind === 'unreachable' || t.kind === 'bad-response');
      this.#discovered = !transient || Boolean(outcome.target.asg && outcome.target.policy);
    } else if (this.#target.asg && this.#clock.now() - this.#policiesCheckedMs >= POLICY_RECHECK_MS) {
      // A long run: a policy added, removed or changed under it changes what "the target" is.
      this.#policiesCheckedMs = this.#clock.now();
      try {
        const out = await api.describePolicies({ AutoScalingGroupName: this.#target.asg, MaxRecords: 100 }, signal);
        const now = policySignature(out.ScalingPolicies ?? []);
        if (this.#policySignature !== null && now !== this.#policySignature) {
          this.#warn(`the scaling policies of group ${this.#target.asg} changed during the run: finding the policy to follow again`);
          this.#discovered = false;
        }
        this.#policySignature = now;
      } catch (error) {
        note('DescribePolicies', error);
      }
    }

    const target = this.#target;
    if (this.#tuning.alarmHistory && this.#alarmStates === null && target.alarmNames.length) {
      await this.#readAlarmHistory(api, target, signal, note);
    }
    const series = seriesFor(target);
    const nowMs = this.#clock.now();
    const jobs: Promise<void>[] = [];
    if (series.length) {
      const window = queryWindow(this.#options.runStartedAtMs, nowMs, target.periodSec);
      jobs.push(
        api.getMetricData(buildMetricDataInput(series, target.periodSec, window), signal).then(
          (out) => {
            this.#samples.upsert(samplesFromResults(out.MetricDataResults ?? [], series, target.periodSec, this.#clock.now()));
          },
          (error: unknown) => note('GetMetricData', error),
        ),
      );
    }
    if (target.asg) {
      const asg = target.asg;
      jobs.push(
        api.describeAutoScalingGroups({ AutoScalingGroupNames: [asg] }, signal).then(
          (out) => {
            const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === asg);
            if (!group) {
              this.#warn(`Auto Scaling group ${asg} no longer answers DescribeAutoScalingGroups`);
              return;
            }
            const attached = targetGroupsOf(group).sort().join(',');
            if (this.#attached !== null && attached !== this.#attached) {
              this.#warn(
                `the target groups of group ${asg} changed during the run (now ${attached || 'none'}): finding the target group to follow again`,
              );
              this.#discovered = false;
            }
            this.#attached = attached;
            const next = groupState(group);
            const atIso = new Date(this.#clock.now()).toISOString();
            this.#samples.upsert([
              { at: atIso, metric: 'DesiredCapacity', value: next.desired, provisional: false },
              { at: atIso, metric: 'InServiceInstances', value: next.inService, provisional: false },
              { at: atIso, metric: 'PendingInstances', value: next.pending, provisional: false },
            ]);
            this.#emit(instanceEvents(this.#group, next, atIso));
            this.#group = next;
          },
          (error: unknown) => note('DescribeAutoScalingGroups', error),
        ),
      );
      jobs.push(
        api.describeScalingActivities({ AutoScalingGroupName: asg, MaxRecords: 100 }, signal).then(
          (out) => {
            const updates = activityUpdates(this.#activities, out.Activities ?? [], this.#options.runStartedAtMs);
            for (const event of updates) {
              const index = this.#events.findIndex((e) => e.kind === 'scaling-activity' && e.activityId === event.activityId);
              if (index >= 0) this.#events[index] = event;
              else this.#events.push(event);
              this.#notify(event);
            }
          },
          (error: unknown) => note('DescribeScalingActivities', error),
        ),
      );
    }
    if (target.alarmNames.length) {
      jobs.push(
        api.describeAlarms({ AlarmNames: target.alarmNames }, signal).then(
          (out) => {
            const alarms = out.MetricAlarms ?? [];
            if (target.alarms.length === 0) applyAlarms(target, alarms);
            this.#emit(alarmEvents(this.#alarmStates, alarms, this.#options.runStartedAtMs));
            const states = new Map(this.#alarmStates ?? []);
            for (const alarm of alarms) {
              if (!alarm.AlarmName || !alarm.StateValue) continue;
              states.set(alarm.AlarmName, alarm.StateValue);
              const info = target.alarms.find((a) => a.name === alarm.AlarmName);
              if (info) info.state = alarm.StateValue;
            }
            this.#alarmStates = states;
          },
          (error: unknown) => note('DescribeAlarms', error),
        ),
      );
    }
    await Promise.all(jobs);

    const endMs = this.#clock.now();
    const credentials = troubles.find((t) => t.kind === 'credentials');
    if (credentials) this.#blocked ??= { kind: 'credentials', message: credentials.message };
    if (troubles.length === 0) this.#answered = true;
    else if (troubles.some((t) => t.kind !== 'unreachable')) this.#answered = true;
    this.#lastTrouble = troubles[0]?.kind ?? null;
    if (troubles.length) {
      for (const trouble of troubles) this.#warn(trouble.message);
      this.#gap(endMs, gapReason(troubles), [...new Set(troubles.map((t) => t.action))].sort());
    }
    if (troubles.some((t) => t.kind === 'throttling')) this.#backoff = Math.min(MAX_BACKOFF, this.#backoff * 2);
    else if (troubles.length === 0) this.#backoff = 1;
    this.#polls++;
    this.#lastPollMs = Math.max(this.#lastPollMs, startedMs);
    try {
      this.#options.onPollEnd?.();
      this.#tuning.onPoll?.(this.snapshot());
    } catch {
      // A listener's bug is not the observer's failure.
    }
  }

  async #readAlarmHistory(
    api: AwsApi,
    target: ObservedTarget,
    signal: AbortSignal,
    note: (action: string, error: unknown) => void,
  ): Promise<void> {
    const items = [];
    for (const name of target.alarmNames) {
      try {
        const out = await api.describeAlarmHistory(
          {
            AlarmName: name,
            HistoryItemType: 'StateUpdate',
            StartDate: new Date(this.#options.runStartedAtMs),
            ScanBy: 'TimestampAscending',
            MaxRecords: 100,
          },
          signal,
        );
        items.push(...(out.AlarmHistoryItems ?? []));
      } catch (error) {
        note('DescribeAlarmHistory', error);
        return;
      }
    }
    const events = alarmHistoryEvents(items, target.alarms);
    this.#emit(events);
    // The history told every transition up to now; DescribeAlarms takes over from the states it ends in.
    const states = new Map<string, string>();
    for (const event of events) if (event.alarmName && event.toState) states.set(event.alarmName, event.toState);
    for (const alarm of target.alarms) if (!states.has(alarm.name)) states.set(alarm.name, alarm.state);
    this.#alarmStates = states;
  }

  #emit(events: ObservationEvent[]): void {
    for (const event of events) {
      this.#events.push(event);
      this.#notify(event);
    }
  }

  #notify(event: ObservationEvent): void {
    try {
      this.#options.onEvent?.({ ...event });
    } catch {
      // The CLI's printer failing must not stop observation.
    }
  }

  #warn(message: string): void {
    if (this.#warnings.includes(message)) return;
    this.#warnings.push(message);
    try {
      this.#options.onWarning?.(message);
    } catch {
      // As above.
    }
  }

  /** A gap from the last poll to `toMs`, naming the calls that failed; consecutive gaps with the same reason merge. */
  #gap(toMs: number, reason: string, actions?: string[]): void {
    const fromIso = new Date(this.#lastPollMs).toISOString();
    const toIso = new Date(toMs).toISOString();
    const last = this.#gaps[this.#gaps.length - 1];
    if (last && last.reason === reason && last.to >= fromIso) {
      last.to = toIso;
      return;
    }
    this.#gaps.push({ from: fromIso, to: toIso, reason, ...(actions?.length ? { actions } : {}) });
  }
}

/**
 * The gap's reason: every call that failed in the poll, each with a few words
 * ("DescribeAlarms: HTTP 500; DescribeScalingActivities: HTTP 500"), in a
 * fixed order so that the same trouble on the next poll extends the gap
 * rather than starting another. The warning carries the how-to-fix.
 */
function gapReason(troubles: readonly AwsTrouble[]): string {
  const kinds = [...new Set(troubles.map((t) => t.kind))];
  const calls = [...new Map(troubles.map((t) => [t.action, t.short])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${kinds.length === 1 ? kinds[0] : 'several'}: ${calls.map(([action, short]) => `${action}: ${short}`).join('; ')}`;
}

/** What a policy set says about scaling (which policies, on what, at what target), to see it change during a run. */
function policySignature(policies: readonly ScalingPolicy[]): string {
  return JSON.stringify(
    policies
      .map((p) => [
        p.PolicyName,
        p.PolicyType,
        p.Enabled,
        p.TargetTrackingConfiguration?.TargetValue,
        p.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel,
      ])
      .sort(),
  );
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(done, ms);
    function done(): void {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
