/**
 * Runs the load: C lanes in a closed loop (ab's model: each lane sends its
 * next request when the previous one finished), or an open loop that sends
 * request i at origin + i/rate and measures from that intended time.
 */
import diagnostics from 'node:diagnostics_channel';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client, errors as undiciErrors, ProxyAgent, type Dispatcher } from 'undici';
import { Recorder } from '../stats/recorder.js';
import type { RateInfo } from '../stats/result.js';
import type { RequestRow } from '../stats/request-row.js';
import type { LoadConfig } from './config.js';
import { Lane, type LaneOwner } from './lane.js';
import { intendedSendMs } from './pacer.js';
import { sliceCount, sliceIndex, stagesSchedule, type Schedule, type ScheduleSlice } from './schedule.js';
import { planRequest } from './request-plan.js';
import { AddressBook, type IntervalTimers, type LookupAll } from './resolve.js';
import { useBaselineWasmTier } from './wasm-tier.js';

export interface LoadOptions {
  /** Aborting stops sending and drops requests in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** ab's -g: one row per finished request. */
  onRow?: (row: RequestRow) => void;
  /** Wall-clock start to report (the run's, when this is one worker of several). */
  startAtEpochMs?: number;
  /** Open loop: shift this run's schedule by this much (worker k of W: k / rate). */
  paceOffsetMs?: number;
  /** Open loop with stages: which requests of the one schedule this run sends (default all). */
  slice?: ScheduleSlice;
  /** Host name lookups (all addresses); tests inject one to count lookups. */
  lookup?: LookupAll;
  /** The re-resolve timer; tests inject fake ones. */
  timers?: IntervalTimers;
}

export interface LoadOutcome {
  recorder: Recorder;
  /** Wall-clock time of the first request. */
  startedAtMs: number;
  /** First request to the last response, or to the stop. */
  durationMs: number;
  interrupted: boolean;
  /** Requests in flight when the run was stopped (deadline, interrupt, abort), so never counted. */
  droppedAtDeadline: number;
  rate?: RateInfo;
  /** "TLSv1.3,TLS_AES_256_GCM_SHA384" for https. */
  tls?: string;
}

export interface LoadRun {
  readonly recorder: Recorder;
  readonly done: Promise<LoadOutcome>;
  /** Requests sent so far and, in an open loop, how many were sent late (for the progress line). */
  sending(): { sent: number; late: number };
}

/**
 * The abort reason that stops a run because an --abort-on condition held: the
 * run stops as at the deadline, not as an interrupt (its exit code is 1, not 130).
 */
export const ABORT_ON_REASON = 'abx:abort-on';

export function startLoad(config: LoadConfig, options: LoadOptions = {}): LoadRun {
  const engine = new LoadEngine(config, options);
  return { recorder: engine.recorder, done: engine.run(), sending: () => ({ sent: engine.sentCount, late: engine.lateCount }) };
}

class LoadEngine implements LaneOwner {
  readonly recorder: Recorder;
  readonly onRow: ((row: RequestRow) => void) | null;
  stopping = false;
  sentCount = 0;
  private interrupted = false;
  private readonly lanes: Lane[] = [];
  private readonly idle: Lane[] = [];
  private readonly dispatchers: Dispatcher[] = [];
  private readonly limit: number;
  private readonly originMs: number;
  /** Open loop: request i is due at scheduleOriginMs + i / rate. */
  private readonly scheduleOriginMs: number;
  private readonly startedAtMs: number;
  private lastEndMs = 0;
  private lastSendMs = 0;
  private finishRun: (() => void) | null = null;
  private tls: string | undefined;
  private pacerTimer: NodeJS.Timeout | null = null;
  private late = 0;
  get lateCount(): number {
    return this.late;
  }
  /** Open loop: due requests are waiting for a free lane. */
  private backlogged = false;
  private maxLagMs = 0;
  /** Requests in flight when the run was stopped. */
  private dropped = 0;
  /** --drain: the deadline passed and no more requests go, but those in flight are still counted. */
  private draining = false;
  /** Open loop: request i of this run is due at scheduleOriginMs + dueMs(i). */
  private readonly schedule: Schedule | null;
  private readonly slice: ScheduleSlice;
  /** Where new connections go (null through a proxy). */
  private addressBook: AddressBook | null = null;

  constructor(
    private readonly config: LoadConfig,
    private readonly options: LoadOptions,
  ) {
    this.originMs = performance.now();
    this.scheduleOriginMs = this.originMs + (options.paceOffsetMs ?? 0);
    this.startedAtMs = options.startAtEpochMs ?? Date.now();
    this.schedule = config.stages !== null ? stagesSchedule(config.stages) : null;
    this.slice = options.slice ?? { part: 0, parts: 1 };
    this.recorder = new Recorder(this.originMs, config.variableLength, this.openLoop);
    this.limit = config.requests ?? Number.POSITIVE_INFINITY;
    this.onRow = options.onRow ?? null;
  }

  private get openLoop(): boolean {
    return this.config.ratePerSec !== null || this.config.stages !== null;
  }

  async run(): Promise<LoadOutcome> {
    const finished = new Promise<void>((resolve) => (this.finishRun = resolve));
    // An --abort-on stop ends the run as a deadline does; any other abort is an interrupt.
    const stop = (): void => this.stop(this.options.signal?.reason !== ABORT_ON_REASON);
    let deadline: NodeJS.Timeout | null = null;
    let untrackTls = (): void => {};
    try {
      if (!this.config.proxy) {
        const { url, resolve } = this.config;
        this.addressBook = new AddressBook(url.hostname.replace(/^\[|\]$/g, ''), this.recorder.addresses, {
          ...(resolve ? { fixed: resolve.addresses } : {}),
          ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
          ...(this.options.timers ? { timers: this.options.timers } : {}),
        });
        await this.addressBook.start();
      }
      useBaselineWasmTier();
      this.createLanes();
      untrackTls = this.trackTls();
      this.options.signal?.addEventListener('abort', stop, { once: true });
      // A Ctrl-C that came before the load started (e.g. during observer discovery) fires no event.
      if (this.options.signal?.aborted) this.stop(true);
      if (this.config.durationMs !== null) deadline = setTimeout(this.deadline, this.config.durationMs);

      if (!this.openLoop) {
        for (const lane of this.lanes) this.sendNext(lane);
      } else {
        this.idle.push(...this.lanes);
        this.pace();
      }
      this.maybeFinish();
      await finished;
    } finally {
      if (deadline) clearTimeout(deadline);
      if (this.drainTimer) clearTimeout(this.drainTimer);
      if (this.pacerTimer) clearTimeout(this.pacerTimer);
      this.options.signal?.removeEventListener('abort', stop);
      untrackTls();
      this.addressBook?.stop();
    }
    await this.closeDispatchers();

    const endMs = this.stopping ? performance.now() : this.lastEndMs || performance.now();
    const durationMs = Math.max(0, endMs - this.originMs);
    const outcome: LoadOutcome = {
      recorder: this.recorder,
      startedAtMs: this.startedAtMs,
      durationMs,
      interrupted: this.interrupted,
      droppedAtDeadline: this.dropped,
    };
    if (this.openLoop) {
      outcome.rate = {
        targetPerSec: this.targetPerSec(),
        achievedPerSec: this.achievedRatePerSec(),
        late: this.late,
        maxLagMs: Math.round(this.maxLagMs * 1000) / 1000,
      };
    }
    if (this.tls) outcome.tls = this.tls;
    return outcome;
  }

  /**
   * Requests sent per second over the sending window (origin → last send, plus
   * one interval), not over the whole run: the wait for the last responses is
   * not a slower rate.
   */
  private achievedRatePerSec(): number {
    if (this.sentCount === 0) return 0;
    // Stages: over the schedule's length (or up to the stop); their rate is no constant to add an interval of.
    const windowMs =
      this.schedule === null
        ? this.lastSendMs - this.scheduleOriginMs + 1000 / this.config.ratePerSec!
        : Math.min(this.schedule.durationMs, this.lastSendMs - this.scheduleOriginMs + 1);
    return windowMs > 0 ? (this.sentCount * 1000) / windowMs : 0;
  }

  /** --rate: this run's share; stages: this run's share of the schedule's requests over its length (a mean). */
  private targetPerSec(): number {
    if (this.schedule === null) return this.config.ratePerSec!;
    const whole = Math.ceil(this.schedule.scheduledBefore(this.schedule.durationMs) - 1e-9);
    return (sliceCount(this.slice, whole) * 1000) / this.schedule.durationMs;
  }

  laneIdle(lane: Lane): void {
    this.lastEndMs = performance.now();
    if (!this.openLoop) this.sendNext(lane);
    else this.sendDueOrPark(lane);
    this.maybeFinish();
  }

  /** Closed loop: the lane goes straight on with the next request. */
  private sendNext(lane: Lane): void {
    if (this.stopping || this.draining || this.sentCount >= this.limit) return;
    this.sentCount++;
    const now = performance.now();
    lane.send(now, now);
  }

  /**
   * Open loop: a lane that frees up while requests wait for one (the in-flight
   * cap was reached) takes the oldest due request, which is late; otherwise it
   * waits for the pacer.
   */
  private sendDueOrPark(lane: Lane): void {
    if (this.backlogged && !this.stopping && !this.draining && this.sentCount < this.limit) {
      const now = performance.now();
      const dueMs = this.nextDueMs();
      if (dueMs <= now) {
        this.late++;
        this.dispatchDue(lane, dueMs, now);
        return;
      }
    }
    this.idle.push(lane);
    if (this.backlogged) {
      // The backlog is cleared: hand the schedule back to the pacer.
      this.backlogged = false;
      this.pace();
    }
  }

  private pace = (): void => {
    this.pacerTimer = null;
    if (this.stopping || this.draining) return;
    let now = performance.now();
    while (this.sentCount < this.limit) {
      const dueMs = this.nextDueMs();
      if (dueMs === Number.POSITIVE_INFINITY) break;
      if (dueMs > now) {
        this.pacerTimer = setTimeout(this.pace, Math.max(0, dueMs - now));
        return;
      }
      const lane = this.idle.pop();
      if (lane === undefined) {
        // Every lane busy: the in-flight cap is reached. Due requests wait for a
        // lane (sendDueOrPark takes them, counted late), never silently skipped.
        this.backlogged = true;
        return;
      }
      this.dispatchDue(lane, dueMs, now);
      now = performance.now();
    }
    this.maybeFinish();
  };

  /**
   * When the next request is due; never for one due at or after -t's end, so
   * --rate R -t T sends exactly R × T requests, not one more at the deadline.
   */
  private nextDueMs(): number {
    const offsetMs =
      this.schedule === null
        ? intendedSendMs(this.sentCount, this.config.ratePerSec!)
        : this.schedule.dueMs(sliceIndex(this.slice, this.sentCount));
    if (this.config.durationMs !== null && offsetMs >= this.config.durationMs) return Number.POSITIVE_INFINITY;
    return this.scheduleOriginMs + offsetMs;
  }

  private dispatchDue(lane: Lane, dueMs: number, now: number): void {
    const lagMs = now - dueMs;
    if (lagMs > this.maxLagMs) this.maxLagMs = lagMs;
    this.sentCount++;
    this.lastSendMs = now;
    lane.send(dueMs, now);
  }

  private drainTimer: NodeJS.Timeout | null = null;

  /**
   * -t or the last stage ended. Requests in flight are dropped and counted as
   * such (ab drops them silently), or with --drain waited for up to its time.
   */
  private readonly deadline = (): void => {
    if (this.stopping || this.draining) return;
    if (this.config.drainMs <= 0) return this.stop(false);
    this.draining = true;
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    this.pacerTimer = null;
    this.drainTimer = setTimeout(() => this.stop(false), this.config.drainMs);
    this.maybeFinish();
  };

  private stop(interrupted: boolean): void {
    if (this.stopping) return;
    this.stopping = true;
    this.interrupted = interrupted;
    for (const lane of this.lanes) if (lane.busy) this.dropped++;
    // Requests in flight are dropped, not counted (as ab does at its time limit and on Ctrl-C), but their number is kept.
    for (const dispatcher of this.dispatchers) void dispatcher.destroy().catch(() => {});
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.finishRun === null) return;
    const noMore = this.stopping || this.draining || this.sentCount >= this.limit;
    if (!noMore) return;
    for (const lane of this.lanes) if (lane.busy) return;
    const finish = this.finishRun;
    this.finishRun = null;
    finish();
  }

  private createLanes(): void {
    const { config } = this;
    const plan = planRequest(config);
    const laneCount = Math.min(config.concurrency, this.limit);
    const bodyLength = config.body?.length ?? 0;
    const timeouts = { headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs };
    const tls = { rejectUnauthorized: !config.insecure, ...(plan.servername ? { servername: plan.servername } : {}) };
    if (config.proxy && config.url.protocol === 'https:') {
      // https through a proxy: a CONNECT tunnel per connection, which undici's ProxyAgent does.
      const agent = new ProxyAgent({
        uri: config.proxy.url,
        ...(config.proxy.authorization ? { token: config.proxy.authorization } : {}),
        requestTls: tls,
        connections: laneCount,
        ...timeouts,
      });
      agent.on('connect', () => this.recorder.connections++);
      this.dispatchers.push(agent);
      for (let i = 0; i < laneCount; i++) this.lanes.push(new Lane(this, agent, plan.dispatchOptions, bodyLength));
      return;
    }
    const connect = this.addressConnector(plan.servername);
    for (let i = 0; i < laneCount; i++) {
      // The connector needs the lane (it records which address the lane's connection went to).
      const slot: { lane: Lane | null } = { lane: null };
      const client = new Client(plan.connectOrigin, {
        pipelining: 1,
        connect: connect ? (_options, callback) => connect(slot.lane!, callback) : { ...tls, timeout: config.timeoutMs },
        ...timeouts,
      });
      const lane = new Lane(this, client, plan.dispatchOptions, bodyLength);
      slot.lane = lane;
      client.on('connect', () => {
        this.recorder.connections++;
        lane.markConnected(performance.now());
      });
      client.on('disconnect', () => lane.markDisconnected());
      this.dispatchers.push(client);
      this.lanes.push(lane);
    }
  }

  /**
   * Opens each new connection to the next address of the address book, so no
   * connection looks the name up again and every load-balancer node gets its
   * share. The Host header and TLS SNI keep the URL's name. Plain http skips
   * undici's generic connector (session cache, keep-alive probes, a WeakRef
   * and a timer per socket): a bare net.connect with Nagle off is what a
   * connection per request needs, and measurably cheaper.
   */
  private addressConnector(servername: string | undefined): ((lane: Lane, callback: buildConnector.Callback) => void) | null {
    const book = this.addressBook;
    if (book === null) return null;
    const { url, timeoutMs, insecure } = this.config;
    const https = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    const tlsConnect = https
      ? buildConnector({ rejectUnauthorized: !insecure, timeout: timeoutMs, ...(servername ? { servername } : {}) })
      : null;
    return (lane, callback) => {
      const index = book.next();
      lane.addressIndex = index;
      if (index < 0) {
        const error = book.lastError ?? new Error(`no address for ${book.hostname}`);
        setImmediate(callback, error, null);
        return;
      }
      const address = book.addressAt(index);
      if (tlsConnect !== null) {
        tlsConnect(
          { hostname: address, host: url.host, protocol: 'https:', port: String(port), ...(servername ? { servername } : {}) },
          callback,
        );
        return;
      }
      const socket = net.connect({ host: address, port, noDelay: true }) as PendingSocket;
      socket[kPending] = callback;
      socket.setTimeout(timeoutMs, onConnectTimeout);
      socket.once('connect', onSocketConnect);
      socket.on('error', onSocketError);
    };
  }

  /** Reads the TLS protocol and cipher of the first connection (ab's "SSL/TLS Protocol" line). */
  private trackTls(): () => void {
    if (this.config.url.protocol !== 'https:') return () => {};
    const channel = diagnostics.channel('undici:client:connected');
    const listener = (message: unknown): void => {
      const socket = (message as { socket?: TLSSocket }).socket;
      if (this.tls || !socket || typeof socket.getProtocol !== 'function') return;
      const cipher = socket.getCipher();
      this.tls = [socket.getProtocol(), cipher?.name].filter(Boolean).join(',');
    };
    channel.subscribe(listener);
    return () => channel.unsubscribe(listener);
  }

  private async closeDispatchers(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => (this.stopping ? d.destroy() : d.close()).catch(() => {})));
  }
}

const kPending = Symbol('abx.pendingConnect');

/** A socket whose connect callback has not been called yet (null once it has). */
interface PendingSocket extends net.Socket {
  [kPending]: buildConnector.Callback | null;
}

// Shared handlers, called with the socket as `this`: nothing is allocated per connection but the socket.
function onSocketConnect(this: PendingSocket): void {
  this.setTimeout(0);
  const callback = this[kPending];
  this[kPending] = null;
  callback?.(null, this);
}

function onSocketError(this: PendingSocket, error: Error): void {
  const callback = this[kPending];
  if (callback === null) return;
  this[kPending] = null;
  this.setTimeout(0);
  callback(error, null);
}

function onConnectTimeout(this: PendingSocket): void {
  if (this[kPending] === null) return;
  this.destroy(new undiciErrors.ConnectTimeoutError());
}
