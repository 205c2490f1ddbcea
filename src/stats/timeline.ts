/**
 * Per-second buckets counted from the run's start. Only the current second
 * holds a live histogram; each finished second is folded into a compact
 * bucket (counts + encoded coarse histogram), so memory grows with the run's
 * length in seconds, never with its number of requests.
 */
import { bucketPercentiles, createCoarseHistogram, encodeHistogram, type Histogram } from './histogram.js';
import type { TimelineBucket } from './result.js';

export class TimelineRecorder {
  private readonly buckets: TimelineBucket[] = [];
  private current = 0;
  private completed = 0;
  private errors = 0;
  private non2xx = 0;
  private bytes = 0;
  private readonly histogram: Histogram = createCoarseHistogram();

  /** @param originMs monotonic time (performance.now()) of the run's start */
  constructor(private readonly originMs: number) {}

  recordResponse(endMs: number, latencyUs: number, non2xx: boolean, bytes: number): void {
    this.advance(endMs);
    this.completed++;
    if (non2xx) this.non2xx++;
    this.bytes += bytes;
    this.histogram.recordValue(latencyUs);
  }

  recordError(endMs: number): void {
    this.advance(endMs);
    this.errors++;
  }

  /** Closes every second that ended before `nowMs` (monotonic), so a quiet second is reported too. */
  closeUpTo(nowMs: number): void {
    this.advance(nowMs);
  }

  /** The closed seconds from index `from` on (--abort-on reads them as they close). */
  closedSince(from: number): TimelineBucket[] {
    return this.buckets.slice(from);
  }

  /** Closes the current second and returns every bucket; the recorder is done after this. */
  finish(): TimelineBucket[] {
    this.buckets.push(this.currentBucket());
    return this.buckets;
  }

  private advance(endMs: number): void {
    const second = Math.max(0, Math.floor((endMs - this.originMs) / 1000));
    while (second > this.current) {
      this.buckets.push(this.currentBucket());
      this.current++;
      this.completed = 0;
      this.errors = 0;
      this.non2xx = 0;
      this.bytes = 0;
      this.histogram.reset();
    }
  }

  private currentBucket(): TimelineBucket {
    return {
      second: this.current,
      completed: this.completed,
      errors: this.errors,
      non2xx: this.non2xx,
      bytes: this.bytes,
      ...bucketPercentiles(this.histogram),
      histogram: encodeHistogram(this.histogram),
    };
  }
}
