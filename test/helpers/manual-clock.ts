/**
 * A clock that moves only when the test says so. Code under test sets timers
 * on it as on the real clock; `advance` fires those that fall due, in order,
 * so a test states "two seconds pass" instead of sleeping two seconds and
 * hoping a busy machine kept up.
 */
import type { Clock, TimerHandle } from '../../src/observe/clock.js';

interface Timer {
  dueMs: number;
  delayMs: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  constructor(startMs = Date.now()) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { dueMs: this.#nowMs + Math.max(0, delayMs), delayMs, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** The delays the waiting timers were set with, soonest due first. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].sort((a, b) => a.dueMs - b.dueMs).map((t) => t.delayMs);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const endMs = this.#nowMs + ms;
    for (;;) {
      let nextId = -1;
      let next: Timer | undefined;
      for (const [id, timer] of this.#timers) {
        if (timer.dueMs <= endMs && (!next || timer.dueMs < next.dueMs)) {
          nextId = id;
          next = timer;
        }
      }
      if (!next) break;
      this.#timers.delete(nextId);
      this.#nowMs = next.dueMs;
      next.callback();
    }
    this.#nowMs = endMs;
  }
}

/** vi.waitFor options for async work (HTTP to a fake AWS API) that a busy machine can delay by seconds. */
export const BUSY_MACHINE_WAIT = { timeout: 15_000, interval: 10 };
