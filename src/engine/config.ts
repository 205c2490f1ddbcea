/**
 * What the engine needs to generate load: built by the CLI from flags,
 * frozen, units in names. The engine never parses flags itself.
 */
import type { LoadStage, ScheduleSlice } from './schedule.js';

export interface ResolveOverride {
  /** Host and port as written in the URL. */
  host: string;
  port: number;
  /** The first of `addresses` (the connection origin undici is given; the engine picks per connection). */
  address: string;
  /** Where the traffic actually goes, round robin per new connection (curl's --resolve HOST:PORT:ADDR[,ADDR…]). */
  addresses: string[];
}

export interface LoadConfig {
  url: URL;
  method: string;
  /** Header lines to send, in order, as [name, value] pairs (ab's -H, -C, -A, -P, -T folded in). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Request body (-p/-u), sent with every request. */
  body: Buffer | null;
  /** Stop after this many requests (-n); null when only a duration bounds the run. */
  requests: number | null;
  /** Stop after this long (-t); null when only -n bounds the run. */
  durationMs: number | null;
  /** Requests in flight (closed loop), or the in-flight cap in --rate mode. */
  concurrency: number;
  /** Open loop: total requests per second scheduled from an absolute origin; null = closed loop. */
  ratePerSec: number | null;
  /**
   * Open loop with a shape (--stage, --ramp, --steps): the rate follows these
   * stages from the origin and the run lasts their sum; null otherwise.
   * ratePerSec is null when this is set.
   */
  stages: readonly LoadStage[] | null;
  /** At the deadline, wait up to this long for requests in flight and count them (--drain); 0 = drop them. */
  drainMs: number;
  /** Per request: no response headers, or no next body chunk, within this long (-s). */
  timeoutMs: number;
  /** Reuse connections (-k); otherwise a new connection per request, as ab. */
  keepAlive: boolean;
  /** Skip TLS certificate verification (--insecure); verified by default. */
  insecure: boolean;
  /** -X proxy:port as a URL, with -P's credentials applied as Proxy-Authorization. */
  proxy: { url: string; authorization: string | null } | null;
  resolve: ResolveOverride | null;
  /** -l: accept a varying body length (no Length failures). */
  variableLength: boolean;
  /**
   * --shard I/N: this process is part I of N of one run. ratePerSec and stages
   * then describe the one schedule all N share, while requests and concurrency
   * are already this shard's share. Absent: the whole run.
   */
  shard?: ScheduleSlice;
}
