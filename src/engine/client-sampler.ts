/**
 * Samples abx's own load while it runs: each load worker's event-loop
 * utilisation and the process's CPU time, once a second, from the main thread
 * (a Worker exposes its loop's utilisation to its parent, so the workers'
 * hot paths do nothing for it). stats/client.ts folds the samples into the
 * saturation verdict. Time comes through a seam so tests drive it.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { ClientSample } from '../stats/client.js';
import type { IntervalTimers } from './resolve.js';

/** Anything with an event loop to sample: a Worker's `performance`. */
export interface LoopSource {
  eventLoopUtilization(current?: EventLoopUtilization, previous?: EventLoopUtilization): EventLoopUtilization;
}

export interface SamplerClock extends IntervalTimers {
  nowMs(): number;
  /** Process CPU time, cumulative (process.cpuUsage()). */
  cpuUsage(): NodeJS.CpuUsage;
}

export const SAMPLE_INTERVAL_MS = 1000;

const realClock: SamplerClock = {
  setInterval(callback, ms) {
    const handle = setInterval(callback, ms);
    // Sampling must never keep a finished run alive.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  nowMs: () => performance.now(),
  cpuUsage: () => process.cpuUsage(),
};

export interface ClientSampler {
  /**
   * Worker `index` has finished: read its loop now and keep that reading. A
   * thread that has exited reads as all zeros, so it must be read before then
   * (when its result message arrives).
   */
  retire(index: number): void;
  /** Takes the last (partial) sample and returns them all; later calls return the same list. */
  stop(): ClientSample[];
}

/** Starts sampling now: the first interval is measured from this call. */
export function startClientSampler(sources: readonly LoopSource[], clock: SamplerClock = realClock): ClientSampler {
  const samples: ClientSample[] = [];
  let last = sources.map((s) => s.eventLoopUtilization());
  let lastCpu = clock.cpuUsage();
  let lastMs = clock.nowMs();
  const retired: (EventLoopUtilization | null)[] = sources.map(() => null);
  let stopped = false;

  const read = (i: number): EventLoopUtilization => {
    const reading = retired[i] ?? sources[i].eventLoopUtilization();
    // An exited thread reads as zeros: then nothing more happened on it.
    return reading.active + reading.idle < last[i].active + last[i].idle ? last[i] : reading;
  };
  const take = (): void => {
    const nowMs = clock.nowMs();
    const cpu = clock.cpuUsage();
    const utilization: number[] = [];
    last = sources.map((source, i) => {
      const now = read(i);
      // The difference of two cumulative readings is the interval's own utilisation; a finished thread has none (NaN).
      utilization.push(now === last[i] ? Number.NaN : source.eventLoopUtilization(now, last[i]).utilization);
      return now;
    });
    samples.push({
      elapsedMs: nowMs - lastMs,
      utilization,
      cpuUs: cpu.user - lastCpu.user + (cpu.system - lastCpu.system),
    });
    lastMs = nowMs;
    lastCpu = cpu;
  };
  const handle = clock.setInterval(take, SAMPLE_INTERVAL_MS);

  return {
    retire(index) {
      if (!stopped && retired[index] === null) retired[index] = read(index);
    },
    stop() {
      if (stopped) return samples;
      stopped = true;
      clock.clearInterval(handle);
      take();
      return samples;
    },
  };
}
