/**
 * The observer's time: "now" and its timers (the poll interval, the start
 * budget, the linger, the caps on a stuck poll). Injectable so tests move time
 * themselves instead of sleeping and hoping the machine kept up.
 */

/** A timer handle: whatever the clock's setTimeout returned (Node's Timeout, a test clock's number). */
export type TimerHandle = object | number;

export interface Clock {
  /** Wall-clock time, epoch ms. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: Date.now and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
