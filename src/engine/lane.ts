/**
 * A lane is one slot of concurrency: it has at most one request in flight and
 * is its own undici handler (the legacy callback interface, which undici calls
 * without wrapping and without parsing headers into objects). Reusing the lane
 * as the handler means nothing is allocated per request on the hot path.
 */
import type { Dispatcher } from 'undici';
import { classifyError } from './error-category.js';
import type { Recorder } from '../stats/recorder.js';
import type { RequestRow } from '../stats/request-row.js';

export interface LaneOwner {
  readonly recorder: Recorder;
  readonly stopping: boolean;
  /** -g rows; null unless asked for. */
  readonly onRow: ((row: RequestRow) => void) | null;
  /** Called when the lane's request has finished (recorded or dropped). */
  laneIdle(lane: Lane): void;
}

export class Lane {
  /** performance.now() when the request was meant to go (= startedMs in closed loop). */
  private intendedMs = 0;
  private startedMs = 0;
  /** When this request's own connection connected; -1 while none did (reused socket). */
  connectedMs = -1;
  private headersMs = 0;
  private status = 0;
  private headerBytes = 0;
  private bodyBytes = 0;
  /** The lane's connection was open when this request was sent (so a failure is not a connect failure). */
  private sentOnOpenSocket = false;
  private socketOpen = false;
  busy = false;
  /** Address-registry index of this lane's current connection; -1 when abx did not pick it. */
  addressIndex = -1;

  constructor(
    private readonly owner: LaneOwner,
    readonly dispatcher: Dispatcher,
    private readonly options: Dispatcher.DispatchOptions,
    /** Request body bytes sent with each request (-p/-u). */
    private readonly bodyLength: number,
  ) {}

  send(intendedMs: number, nowMs: number): void {
    this.busy = true;
    this.intendedMs = intendedMs;
    this.startedMs = nowMs;
    this.connectedMs = -1;
    this.sentOnOpenSocket = this.socketOpen;
    this.status = 0;
    this.bodyBytes = 0;
    this.dispatcher.dispatch(this.options, this);
  }

  /** The dispatcher reports a new socket for this lane (one Client per lane). */
  markConnected(nowMs: number): void {
    this.socketOpen = true;
    if (this.busy) this.connectedMs = nowMs;
  }

  markDisconnected(): void {
    this.socketOpen = false;
  }

  onConnect(): void {}

  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    this.headersMs = performance.now();
    this.status = status;
    // Status line "HTTP/1.1 200 OK\r\n" + each "name: value\r\n" + the blank line.
    let bytes = 15 + statusText.length + 2;
    for (let i = 0; i < rawHeaders.length; i += 2) bytes += rawHeaders[i].length + rawHeaders[i + 1].length + 4;
    this.headerBytes = bytes;
    const recorder = this.owner.recorder;
    if (recorder.serverSoftware === null) {
      // Once per run (the first response), never per request.
      recorder.serverSoftware = serverHeader(rawHeaders);
      recorder.firstResponseHead = responseHead(status, statusText, rawHeaders);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bodyBytes += chunk.length;
    return true;
  }

  onComplete(): void {
    const endMs = performance.now();
    const owner = this.owner;
    if (!owner.stopping) {
      owner.recorder.bodySentBytes += this.bodyLength;
      const reused = this.connectedMs < 0;
      const sentMs = reused ? this.startedMs : this.connectedMs;
      const connectUs = reused ? 0 : toUs(this.connectedMs - this.startedMs);
      const serviceUs = toUs(endMs - this.startedMs);
      const totalUs = toUs(endMs - this.intendedMs);
      if (this.addressIndex >= 0) owner.recorder.addresses.recordResponse(this.addressIndex, totalUs);
      owner.recorder.recordResponse(
        this.status,
        totalUs,
        serviceUs,
        connectUs,
        toUs(this.headersMs - sentMs),
        this.headerBytes,
        this.bodyBytes,
        reused,
        endMs,
      );
      if (owner.onRow !== null) {
        owner.onRow({
          startedAtMs: performance.timeOrigin + this.startedMs,
          connectMs: connectUs / 1000,
          processingMs: (serviceUs - connectUs) / 1000,
          totalMs: serviceUs / 1000,
          waitingMs: this.headersMs - sentMs,
        });
      }
    }
    this.finish();
  }

  onError(error: Error): void {
    const endMs = performance.now();
    if (!this.owner.stopping) {
      const connected = this.connectedMs >= 0 || this.sentOnOpenSocket || this.status !== 0;
      const { category, code, message } = classifyError(error, connected);
      this.owner.recorder.recordFailure(category, code, message, endMs);
      if (this.addressIndex >= 0) this.owner.recorder.addresses.recordFailure(this.addressIndex);
    }
    // Continue on the next turn: undici reports a failed connect to every queued
    // request and expects its queue to be empty afterwards, and a request that
    // fails inside dispatch() must not recurse down the stack.
    setImmediate(this.finishLater);
  }

  private readonly finishLater = (): void => this.finish();

  private finish(): void {
    this.busy = false;
    this.owner.laneIdle(this);
  }
}

function toUs(ms: number): number {
  return ms > 0 ? Math.round(ms * 1000) : 0;
}

function responseHead(status: number, statusText: string, rawHeaders: Buffer[]): string[] {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    lines.push(`${rawHeaders[i].toString('latin1')}: ${rawHeaders[i + 1].toString('latin1')}`);
  return lines;
}

function serverHeader(rawHeaders: Buffer[]): string {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 6 && name.toString('latin1').toLowerCase() === 'server') {
      // ab copies the value up to the first character <= 32 (space).
      return rawHeaders[i + 1].toString('latin1').split(/[\s]/, 1)[0] ?? '';
    }
  }
  return '';
}
