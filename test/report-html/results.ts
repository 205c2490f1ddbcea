/**
 * Results for the HTML report tests, built with the shared fixture builder
 * from deterministic pseudo-random latencies: a 60-second run whose latency
 * climbs until the group scales out (makeObservation: 2 → 4 at 20 s, in
 * service at 35 s) and then settles.
 */
import { createHistogram, encodeHistogram, summarise } from '../../src/stats/histogram.js';
import type { Result } from '../../src/stats/result.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

export const STARTED_AT_MS = Date.UTC(2026, 10, 26, 16, 0, 0);

/** A small seeded generator (mulberry32) so every run draws the same picture. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latencies (ms) per second: a lognormal-ish body whose median tracks the load per instance. */
export function scalingSecondsMs(seconds = 60, perSecond = 120): number[][] {
  const next = random(7);
  const out: number[][] = [];
  for (let s = 0; s < seconds; s++) {
    const medianMs = s < 35 ? 12 + s * 1.4 : 14 + Math.max(0, 6 - (s - 35)) * 4;
    const count = s < 35 ? perSecond - Math.floor(s / 2) : perSecond + 10;
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const u = Math.max(1e-6, next());
      // Exponential tail on top of a median: a few slow outliers per second, like a real service.
      latencies.push(Math.round((medianMs * (0.6 + 0.8 * next()) + (u < 0.03 ? -Math.log(u) * medianMs : 0)) * 1000) / 1000);
    }
    out.push(latencies);
  }
  return out;
}

export function observedResult(): Result {
  return makeResult({
    secondsMs: scalingSecondsMs(),
    startedAtMs: STARTED_AT_MS,
    concurrency: 50,
    errorsPerSecond: Array.from({ length: 60 }, (_, s) => (s >= 24 && s < 34 ? (s % 3) + 1 : 0)),
    statusFor: (second, index) => (second >= 26 && second < 32 && index % 40 === 0 ? 503 : 200),
    observation: makeObservation(STARTED_AT_MS),
  });
}

export function plainResult(): Result {
  return makeResult({ secondsMs: scalingSecondsMs(20, 80), startedAtMs: STARTED_AT_MS });
}

/** An open-loop (--rate) Result: service latency is the corrected latency minus a queueing delay. */
export function rateResult(): Result {
  const base = makeResult({ secondsMs: scalingSecondsMs(20, 100), startedAtMs: STARTED_AT_MS });
  const service = createHistogram();
  scalingSecondsMs(20, 100).forEach((latencies) => latencies.forEach((ms) => service.recordValue(Math.round(ms * 700))));
  return {
    ...base,
    options: { ...base.options, ratePerSec: 100 },
    rate: { targetPerSec: 100, achievedPerSec: base.totals.rps, late: 12, maxLagMs: 40 },
    serviceLatencyMs: summarise(service),
    phaseHistograms: { ...base.phaseHistograms, service: encodeHistogram(service) },
  };
}
