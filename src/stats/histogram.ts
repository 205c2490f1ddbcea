/**
 * HDR histograms of latency in microseconds, and the summaries reporters need.
 *
 * Values are recorded as whole microseconds. The histograms auto-resize, so a
 * response slower than the initial range is still recorded exactly (to three
 * significant digits) instead of being clamped.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummaryMs, PhaseSummaryMs } from './result.js';

export type Histogram = hdr.Histogram;

/** Run-wide histograms: 3 significant digits (0.1 % error). */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * Per-second timeline histograms: 2 significant digits (1 % error) keeps each
 * encoded second to a few hundred bytes, so a long run's timeline stays small.
 */
export function createCoarseHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 2,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Decodes a histogram written by encodeHistogram; throws on anything else. */
export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

const usToMs = (us: number): number => Math.round(us) / 1000;

/** The latency summary of a µs histogram, in ms; all zeros when it is empty. */
export function summarise(histogram: Histogram): LatencySummaryMs {
  if (histogram.totalCount === 0) {
    return { min: 0, mean: 0, stdev: 0, p50: 0, p66: 0, p75: 0, p80: 0, p90: 0, p95: 0, p98: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  }
  // HDR reports a bucket's highest equivalent value; never let a percentile exceed the true max.
  const maxUs = histogram.maxValue;
  const at = (p: number): number => usToMs(Math.min(histogram.getValueAtPercentile(p), maxUs));
  return {
    min: usToMs(minValue(histogram)),
    mean: Math.round(histogram.mean) / 1000,
    stdev: Math.round(histogram.stdDeviation) / 1000,
    p50: at(50),
    p66: at(66),
    p75: at(75),
    p80: at(80),
    p90: at(90),
    p95: at(95),
    p98: at(98),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    max: usToMs(histogram.maxValue),
  };
}

/** One row of ab's Connection Times table, from a µs histogram. */
export function phaseSummary(histogram: Histogram): PhaseSummaryMs {
  const n = histogram.totalCount;
  if (n === 0) return { min: 0, mean: 0, sd: 0, median: 0, max: 0 };
  // hdr-histogram-js gives the population deviation; ab prints the sample one.
  const sampleSd = n > 1 ? histogram.stdDeviation * Math.sqrt(n / (n - 1)) : 0;
  return {
    min: usToMs(minValue(histogram)),
    mean: Math.round(histogram.mean) / 1000,
    sd: Math.round(sampleSd) / 1000,
    median: usToMs(Math.min(histogram.getValueAtPercentile(50), histogram.maxValue)),
    max: usToMs(histogram.maxValue),
  };
}

/** The smallest recorded value, zero included (minNonZeroValue skips zeros). */
function minValue(histogram: Histogram): number {
  return histogram.getValueAtPercentile(0);
}

/**
 * A timeline bucket's p50/p99 in ms, never above its max (HDR reports a
 * bucket's highest equivalent value). `maxMs` defaults to the histogram's own.
 */
export function bucketPercentiles(
  histogram: Histogram,
  maxMs = histogram.maxValue / 1000,
): { p50Ms: number; p99Ms: number; maxMs: number } {
  if (histogram.totalCount === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    p50Ms: Math.min(histogram.getValueAtPercentile(50) / 1000, maxMs),
    p99Ms: Math.min(histogram.getValueAtPercentile(99) / 1000, maxMs),
    maxMs,
  };
}
