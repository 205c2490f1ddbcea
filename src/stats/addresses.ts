/**
 * Requests, failures and latency per server address (one per load-balancer
 * node behind a DNS name). Addresses get a small integer index when first
 * seen, and the hot path counts by that index: no string keys per request.
 */
import { bucketPercentiles, createCoarseHistogram, decodeHistogram, encodeHistogram, type Histogram } from './histogram.js';
import type { AddressShare } from './result.js';

export class AddressStats {
  private readonly names: string[] = [];
  private readonly requests: number[] = [];
  private readonly errors: number[] = [];
  private readonly latency: Histogram[] = [];

  /** The index of an address, registering it when new. Called per lookup, never per request. */
  indexOf(address: string): number {
    const known = this.names.indexOf(address);
    if (known >= 0) return known;
    this.names.push(address);
    this.requests.push(0);
    this.errors.push(0);
    this.latency.push(createCoarseHistogram());
    return this.names.length - 1;
  }

  addressAt(index: number): string {
    return this.names[index];
  }

  recordResponse(index: number, totalUs: number): void {
    this.requests[index]++;
    this.latency[index].recordValue(totalUs);
  }

  recordFailure(index: number): void {
    this.errors[index]++;
  }

  /** Addresses that were sent at least one request, in the order they were first used. */
  toJson(): AddressShare[] {
    const out: AddressShare[] = [];
    for (let i = 0; i < this.names.length; i++) {
      if (this.requests[i] === 0 && this.errors[i] === 0) continue;
      out.push({
        address: this.names[i],
        requests: this.requests[i],
        errors: this.errors[i],
        p99Ms: bucketPercentiles(this.latency[i]).p99Ms,
        histogram: encodeHistogram(this.latency[i]),
      });
    }
    return out;
  }
}

/**
 * Several runs' address lists as one: counts summed, histograms added, so the
 * merged p99 is that of one histogram that saw every response of the address.
 */
export function mergeAddressShares(lists: AddressShare[][]): AddressShare[] {
  const byAddress = new Map<string, { requests: number; errors: number; histogram: Histogram }>();
  for (const list of lists) {
    for (const share of list) {
      let entry = byAddress.get(share.address);
      if (!entry) {
        entry = { requests: 0, errors: 0, histogram: createCoarseHistogram() };
        byAddress.set(share.address, entry);
      }
      entry.requests += share.requests;
      entry.errors += share.errors;
      entry.histogram.add(decodeHistogram(share.histogram));
    }
  }
  return [...byAddress].map(([address, e]) => ({
    address,
    requests: e.requests,
    errors: e.errors,
    p99Ms: bucketPercentiles(e.histogram).p99Ms,
    histogram: encodeHistogram(e.histogram),
  }));
}
