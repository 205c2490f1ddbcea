import type { EventLoopUtilization } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { startClientSampler, type LoopSource, type SamplerClock } from '../../src/engine/client-sampler.js';

/** A loop whose cumulative busy and idle time the test moves forward by hand. */
class FakeLoop implements LoopSource {
  active = 0;
  idle = 0;
  run(ms: number, busy: number): void {
    this.active += ms * busy;
    this.idle += ms * (1 - busy);
  }
  eventLoopUtilization(current?: EventLoopUtilization, previous?: EventLoopUtilization): EventLoopUtilization {
    if (current && previous) {
      const active = current.active - previous.active;
      const idle = current.idle - previous.idle;
      return { active, idle, utilization: active / (active + idle) };
    }
    return { active: this.active, idle: this.idle, utilization: this.active / (this.active + this.idle || 1) };
  }
}

/** A clock the test advances; the interval fires only when the test says so. */
function fakeClock(): SamplerClock & { advance(ms: number, tick?: boolean): void; cpuUs: number } {
  let nowMs = 0;
  let tick: (() => void) | null = null;
  const clock = {
    cpuUs: 0,
    setInterval: (callback: () => void) => ((tick = callback), 1),
    clearInterval: () => (tick = null),
    nowMs: () => nowMs,
    cpuUsage: () => ({ user: clock.cpuUs, system: 0 }),
    advance(ms: number, fire = true) {
      nowMs += ms;
      if (fire) tick?.();
    },
  };
  return clock;
}

describe('client sampler', () => {
  it('takes one sample per tick and a last partial one, per worker, with the CPU used in each', () => {
    const clock = fakeClock();
    const loops = [new FakeLoop(), new FakeLoop()];
    const sampler = startClientSampler(loops, clock);
    loops[0].run(1000, 1);
    loops[1].run(1000, 0.25);
    clock.cpuUs = 1_200_000;
    clock.advance(1000);
    loops[0].run(300, 0.5);
    loops[1].run(300, 0);
    clock.cpuUs = 1_500_000;
    clock.advance(300, false);
    expect(sampler.stop()).toEqual([
      { elapsedMs: 1000, utilization: [1, 0.25], cpuUs: 1_200_000 },
      { elapsedMs: 300, utilization: [0.5, 0], cpuUs: 300_000 },
    ]);
    // Stopped: the interval is cleared and the list stays as it was.
    clock.advance(1000);
    expect(sampler.stop()).toHaveLength(2);
  });

  it('keeps a retired worker at its last reading (an exited thread reads as zeros)', () => {
    const clock = fakeClock();
    const loop = new FakeLoop();
    const sampler = startClientSampler([loop], clock);
    loop.run(500, 1);
    sampler.retire(0);
    // The thread exits: its readings drop to zero.
    loop.active = 0;
    loop.idle = 0;
    clock.advance(1000);
    clock.advance(1000);
    const [first, second] = sampler.stop();
    expect(first.utilization).toEqual([1]);
    expect(second.utilization[0]).toBeNaN();
  });
});
