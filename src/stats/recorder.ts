/**
 * The fold over measurements: every finished request lands here as a few
 * integer adds and histogram records. Nothing per request is kept.
 */
import { AddressStats } from './addresses.js';
import { createHistogram, encodeHistogram, phaseSummary, summarise, type Histogram } from './histogram.js';
import {
  RESULT_SCHEMA,
  type ErrorCategory,
  type ErrorCount,
  type Failures,
  type RateInfo,
  type RecordedOptions,
  type Result,
  type ServerInfo,
} from './result.js';
import { TimelineRecorder } from './timeline.js';

/** What the recorder cannot know by itself, supplied when the Result is built. */
export interface RunMeta {
  version: string;
  url: string;
  method: string;
  concurrency: number;
  startedAtMs: number;
  durationMs: number;
  interrupted: boolean;
  options: RecordedOptions;
  server: Omit<ServerInfo, 'software' | 'documentLength'>;
  rate?: RateInfo;
  /** Requests in flight when the run stopped, never counted. */
  droppedAtDeadline?: number;
}

const MAX_DISTINCT_ERRORS = 50;

export class Recorder {
  readonly total: Histogram = createHistogram();
  readonly connect: Histogram = createHistogram();
  readonly processing: Histogram = createHistogram();
  readonly waiting: Histogram = createHistogram();
  /** --rate only: latency from the actual send, beside the corrected total. */
  readonly service: Histogram | null;
  readonly timeline: TimelineRecorder;
  /** Per server address; filled by the engine when it picks the addresses itself. */
  readonly addresses = new AddressStats();

  completed = 0;
  failed = 0;
  non2xx = 0;
  bytes = 0;
  bodyBytes = 0;
  bodySentBytes = 0;
  keepAliveRequests = 0;
  connections = 0;
  readonly failures: Failures = { connect: 0, receive: 0, length: 0, exceptions: 0, timeouts: 0 };
  /** Counts by status code; index = status (100..599 fit, others go to otherStatus). */
  private readonly statusCounts = new Float64Array(600);
  private readonly otherStatus = new Map<number, number>();
  private readonly errorCounts = new Map<string, ErrorCount>();

  private zeroConnects = 0;

  /** Body length of the first response; -1 until one arrives. */
  documentLength = -1;
  serverSoftware: string | null = null;
  /**
   * The first response's status line and header lines, for -v 3. Kept out of
   * the Result: response headers may carry secrets (Set-Cookie) a file must not.
   */
  firstResponseHead: string[] | null = null;

  constructor(
    originMs: number,
    private readonly variableLength: boolean,
    trackService: boolean,
  ) {
    this.timeline = new TimelineRecorder(originMs);
    this.service = trackService ? createHistogram() : null;
  }

  /** Requests that reached an outcome: responses plus failures other than Length (which are responses). */
  get finished(): number {
    return this.completed + this.failed - this.failures.length;
  }

  recordResponse(
    status: number,
    totalUs: number,
    serviceUs: number,
    connectUs: number,
    waitingUs: number,
    headerBytes: number,
    bodyBytes: number,
    reused: boolean,
    endMs: number,
  ): void {
    this.completed++;
    this.bytes += headerBytes + bodyBytes;
    this.bodyBytes += bodyBytes;
    if (reused) this.keepAliveRequests++;
    if (status < 600) this.statusCounts[status]++;
    else this.otherStatus.set(status, (this.otherStatus.get(status) ?? 0) + 1);
    const non2xx = status < 200 || status > 299;
    if (non2xx) this.non2xx++;
    if (this.documentLength < 0) this.documentLength = bodyBytes;
    else if (bodyBytes !== this.documentLength && !this.variableLength) {
      this.failures.length++;
      this.failed++;
    }
    this.total.recordValue(totalUs);
    // Most connect times are 0 (a reused connection): count those and record them once at the end.
    if (connectUs === 0) this.zeroConnects++;
    else this.connect.recordValue(connectUs);
    this.processing.recordValue(serviceUs - connectUs);
    this.waiting.recordValue(waitingUs);
    if (this.service !== null) this.service.recordValue(serviceUs);
    this.timeline.recordResponse(endMs, totalUs, non2xx, headerBytes + bodyBytes);
  }

  recordFailure(category: ErrorCategory, code: string, message: string, endMs: number): void {
    this.failed++;
    this.failures[category]++;
    const key = `${category}:${code}`;
    const known = this.errorCounts.get(key);
    if (known) known.count++;
    else if (this.errorCounts.size < MAX_DISTINCT_ERRORS) this.errorCounts.set(key, { category, code, message, count: 1 });
    this.timeline.recordError(endMs);
  }

  statusCodes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let status = 0; status < this.statusCounts.length; status++) {
      const count = this.statusCounts[status];
      if (count > 0) out[String(status)] = count;
    }
    for (const [status, count] of this.otherStatus) out[String(status)] = count;
    return out;
  }

  toResult(meta: RunMeta): Result {
    if (this.zeroConnects > 0) {
      this.connect.recordValueWithCount(0, this.zeroConnects);
      this.zeroConnects = 0;
    }
    const seconds = meta.durationMs / 1000;
    const addresses = this.addresses.toJson();
    return {
      schema: RESULT_SCHEMA,
      tool: { name: 'abx', version: meta.version },
      url: meta.url,
      method: meta.method,
      concurrency: meta.concurrency,
      startedAt: new Date(meta.startedAtMs).toISOString(),
      startedAtMs: meta.startedAtMs,
      durationMs: meta.durationMs,
      interrupted: meta.interrupted,
      options: meta.options,
      server: {
        ...meta.server,
        software: this.serverSoftware ?? '',
        documentLength: this.variableLength || this.documentLength < 0 ? null : this.documentLength,
      },
      totals: {
        requests: this.finished,
        completed: this.completed,
        failed: this.failed,
        non2xx: this.non2xx,
        bytes: this.bytes,
        bodyBytes: this.bodyBytes,
        bodySentBytes: this.bodySentBytes,
        rps: seconds > 0 ? this.completed / seconds : 0,
        keepAliveRequests: this.keepAliveRequests,
        connections: this.connections,
        ...(meta.droppedAtDeadline !== undefined ? { droppedAtDeadline: meta.droppedAtDeadline } : {}),
      },
      failures: { ...this.failures },
      errors: [...this.errorCounts.values()].sort((a, b) => b.count - a.count),
      statusCodes: this.statusCodes(),
      latencyMs: summarise(this.total),
      ...(this.service ? { serviceLatencyMs: summarise(this.service) } : {}),
      connectionTimesMs: {
        connect: phaseSummary(this.connect),
        processing: phaseSummary(this.processing),
        waiting: phaseSummary(this.waiting),
        total: phaseSummary(this.total),
      },
      histogram: encodeHistogram(this.total),
      phaseHistograms: {
        connect: encodeHistogram(this.connect),
        processing: encodeHistogram(this.processing),
        waiting: encodeHistogram(this.waiting),
        ...(this.service ? { service: encodeHistogram(this.service) } : {}),
      },
      timeline: this.timeline.finish(),
      ...(meta.rate ? { rate: meta.rate } : {}),
      ...(addresses.length > 0 ? { addresses } : {}),
    };
  }
}
