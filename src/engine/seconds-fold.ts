/**
 * Adds up each whole second of several workers (for --abort-on): a second is
 * handed on once every worker has reported it, in order. Only seconds some
 * worker has not reported yet are held, so memory stays constant.
 */
import type { SecondCounts } from '../stats/abort-window.js';
import { createCoarseHistogram, decodeHistogram, encodeHistogram } from '../stats/histogram.js';

interface Pending {
  reported: number;
  counts: SecondCounts;
}

export class SecondsFold {
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(
    private readonly parts: number,
    private readonly onSecond: (second: SecondCounts) => void,
  ) {}

  /** One worker's second; each worker reports its seconds in order. */
  add(part: SecondCounts): void {
    const seen = this.pending.get(part.second);
    if (seen === undefined) {
      this.pending.set(part.second, { reported: 1, counts: { ...part } });
    } else {
      const into = seen.counts;
      seen.reported++;
      into.completed += part.completed;
      into.errors += part.errors;
      into.non2xx += part.non2xx;
      if (part.histogram) {
        const sum = createCoarseHistogram();
        if (into.histogram) sum.add(decodeHistogram(into.histogram));
        sum.add(decodeHistogram(part.histogram));
        into.histogram = encodeHistogram(sum);
      }
    }
    // Hand on every second that is complete, oldest first.
    for (let done = this.pending.get(this.next); done !== undefined && done.reported >= this.parts; done = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.next++;
      this.onSecond(done.counts);
    }
  }
}
