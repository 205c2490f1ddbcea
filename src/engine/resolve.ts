/**
 * DNS once per run, every address used. A load balancer's name resolves to
 * one address per node, and the set changes while it scales: the name is
 * looked up at the start (all A and AAAA records) and again every 30 s, and
 * each new connection takes the next current address, round robin. Nothing
 * is looked up per connection. --resolve fixes the addresses instead.
 */
import dns from 'node:dns';
import { isIP } from 'node:net';

/** Every address of a host name, IPv4 and IPv6; rejects when it has none. */
export type LookupAll = (hostname: string) => Promise<string[]>;

/** The timer seam, so tests drive the re-resolve period instead of waiting for it. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Where addresses get their small integer index (the per-address counters). */
export interface AddressRegistry {
  indexOf(address: string): number;
  addressAt(index: number): string;
}

export const RE_RESOLVE_MS = 30_000;

/**
 * getaddrinfo, as the OS resolves (hosts file included), all families.
 * dns.lookup is read at call time, as undici's connector did, so a preload
 * that replaces it (a test keeping *.invalid lookups in the process) still applies.
 */
export const systemLookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) => {
    dns.lookup(hostname, { all: true, verbatim: true }, (error, records) => {
      if (error) reject(error);
      else resolve(records.map((r) => r.address));
    });
  });

const realTimers: IntervalTimers = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    // A re-resolve must never keep a finished run alive.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface AddressBookOptions {
  /** --resolve's addresses: used as given, never looked up. */
  fixed?: readonly string[];
  lookup?: LookupAll;
  timers?: IntervalTimers;
  refreshMs?: number;
}

export class AddressBook {
  /** Registry indexes of the addresses in use now. */
  private current: number[] = [];
  private cursor = 0;
  private timer: unknown = null;
  private readonly lookup: LookupAll;
  private readonly timers: IntervalTimers;
  /** Why there is no address: the first lookup failed (each connect then fails with it). */
  lastError: Error | null = null;

  constructor(
    /** The host name (or IP literal) as written in the URL, without brackets. */
    readonly hostname: string,
    private readonly registry: AddressRegistry,
    private readonly options: AddressBookOptions = {},
  ) {
    this.lookup = options.lookup ?? systemLookupAll;
    this.timers = options.timers ?? realTimers;
  }

  /** Resolves once; re-resolves every refreshMs until stop() unless the addresses are fixed. */
  async start(): Promise<void> {
    if (this.options.fixed && this.options.fixed.length > 0) {
      this.use(this.options.fixed);
      return;
    }
    if (isIP(this.hostname) !== 0) {
      this.use([this.hostname]);
      return;
    }
    await this.refresh();
    this.timer = this.timers.setInterval(() => void this.refresh(), this.options.refreshMs ?? RE_RESOLVE_MS);
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
  }

  /** The registry index of the address for the next connection, or -1 when there is none. */
  next(): number {
    const current = this.current;
    if (current.length === 0) return -1;
    if (this.cursor >= current.length) this.cursor = 0;
    return current[this.cursor++];
  }

  addressAt(index: number): string {
    return this.registry.addressAt(index);
  }

  /** How many addresses are in use now. */
  get size(): number {
    return this.current.length;
  }

  private async refresh(): Promise<void> {
    try {
      const addresses = await this.lookup(this.hostname);
      if (addresses.length > 0) {
        this.use(addresses);
        this.lastError = null;
      }
    } catch (error) {
      // A failed re-resolve keeps the addresses that worked; only a failed first lookup leaves none.
      if (this.current.length === 0) this.lastError = error instanceof Error ? error : new Error(String(error));
    }
  }

  private use(addresses: readonly string[]): void {
    this.current = [...new Set(addresses)].map((a) => this.registry.indexOf(a));
  }
}
