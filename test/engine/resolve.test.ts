import { describe, expect, it } from 'vitest';
import { AddressBook, RE_RESOLVE_MS, type IntervalTimers, type LookupAll } from '../../src/engine/resolve.js';
import { AddressStats } from '../../src/stats/addresses.js';

/** Timers the test fires by hand: the re-resolve period is driven, never waited for. */
function manualTimers(): IntervalTimers & { fire(): void; periodMs: number | null; cleared: boolean } {
  let callback: (() => void) | null = null;
  return {
    periodMs: null,
    cleared: false,
    setInterval(cb, ms) {
      callback = cb;
      this.periodMs = ms;
      return 1;
    },
    clearInterval() {
      this.cleared = true;
      callback = null;
    },
    fire() {
      callback?.();
    },
  };
}

function countingLookup(answers: Array<string[] | Error>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string): Promise<string[]> => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return Object.assign(lookup, { calls });
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AddressBook', () => {
  it('looks the name up once at start, then once per re-resolve period, and hands addresses out round robin', async () => {
    const registry = new AddressStats();
    const lookup = countingLookup([['10.0.1.5', '10.0.1.6', '10.0.1.7']]);
    const timers = manualTimers();
    const book = new AddressBook('alb.example', registry, { lookup, timers });
    await book.start();
    expect(lookup.calls).toEqual(['alb.example']);
    expect(timers.periodMs).toBe(RE_RESOLVE_MS);
    const picked = Array.from({ length: 7 }, () => book.addressAt(book.next()));
    expect(picked).toEqual(['10.0.1.5', '10.0.1.6', '10.0.1.7', '10.0.1.5', '10.0.1.6', '10.0.1.7', '10.0.1.5']);
    // Many connections later, still one lookup.
    for (let i = 0; i < 1000; i++) book.next();
    expect(lookup.calls).toHaveLength(1);
    book.stop();
    expect(timers.cleared).toBe(true);
  });

  it('picks up a changed address set at the next re-resolve, keeping indexes of known addresses', async () => {
    const registry = new AddressStats();
    const lookup = countingLookup([
      ['10.0.1.5', '10.0.1.6'],
      ['10.0.1.6', '10.0.1.8'],
    ]);
    const timers = manualTimers();
    const book = new AddressBook('alb.example', registry, { lookup, timers });
    await book.start();
    const before = registry.indexOf('10.0.1.6');
    timers.fire();
    await flush();
    expect(lookup.calls).toHaveLength(2);
    expect(book.size).toBe(2);
    const picked = new Set(Array.from({ length: 4 }, () => book.addressAt(book.next())));
    expect(picked).toEqual(new Set(['10.0.1.6', '10.0.1.8']));
    expect(registry.indexOf('10.0.1.6')).toBe(before);
  });

  it('keeps the working addresses when a re-resolve fails; a failed first lookup leaves none and says why', async () => {
    const timers = manualTimers();
    const failing = Object.assign(new Error('getaddrinfo ENOTFOUND alb.example'), { code: 'ENOTFOUND' });
    const book = new AddressBook('alb.example', new AddressStats(), { lookup: countingLookup([['10.0.1.5'], failing]), timers });
    await book.start();
    timers.fire();
    await flush();
    expect(book.addressAt(book.next())).toBe('10.0.1.5');
    expect(book.lastError).toBeNull();

    const dead = new AddressBook('nowhere.example', new AddressStats(), { lookup: countingLookup([failing]), timers: manualTimers() });
    await dead.start();
    expect(dead.next()).toBe(-1);
    expect(dead.lastError).toBe(failing);
  });

  it('never looks up --resolve addresses or an IP literal', async () => {
    const lookup = countingLookup([['10.9.9.9']]);
    const fixed = new AddressBook('alb.example', new AddressStats(), { fixed: ['127.0.0.1', '::1'], lookup, timers: manualTimers() });
    await fixed.start();
    expect([fixed.addressAt(fixed.next()), fixed.addressAt(fixed.next())]).toEqual(['127.0.0.1', '::1']);
    const literal = new AddressBook('127.0.0.1', new AddressStats(), { lookup, timers: manualTimers() });
    await literal.start();
    expect(literal.addressAt(literal.next())).toBe('127.0.0.1');
    expect(lookup.calls).toHaveLength(0);
  });
});
