/**
 * Output a person can read: the width rules, one line per scaling event,
 * the progress line (with an injected clock), colour on/off, and the
 * typo/IPv6/TLS hints. Pure functions only; the CLI runs are in
 * test/cli/readable-cli.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { ProgressMeter, startProgress } from '../../src/cli/progress.js';
import { editDistance, suggestCommand } from '../../src/cli/suggest.js';
import { parseTargetUrl } from '../../src/cli/options.js';
import { explainError } from '../../src/report/error-hint.js';
import { EventFeed, shortAlarmName, summarizeEvents } from '../../src/report/event-lines.js';
import { renderScalingTimeline } from '../../src/report/scaling.js';
import { timeToScale } from '../../src/stats/time-to-scale.js';
import { colorEnabled, painter } from '../../src/report/style.js';
import { fitLine, terminalWidth, visibleLength, wrapLine } from '../../src/report/width.js';
import type { ObservationEvent } from '../../src/stats/result.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

const START = Date.UTC(2026, 10, 26, 16, 0, 0);
const at = (offsetMs: number): string => new Date(START + offsetMs).toISOString();

describe('the width', () => {
  it('is the terminal’s, else COLUMNS, else 80', () => {
    expect(terminalWidth({ isTTY: true, columns: 45 }, { COLUMNS: '120' })).toBe(45);
    expect(terminalWidth({ isTTY: false, columns: 45 }, { COLUMNS: '60' })).toBe(60);
    expect(terminalWidth({}, {})).toBe(80);
    expect(terminalWidth({}, { COLUMNS: 'wide' })).toBe(80);
  });

  it('fitLine cuts to the width with "…", keeps colour codes and closes them on the same line', () => {
    expect(fitLine('short', 10)).toBe('short');
    expect(fitLine('0123456789abc', 10)).toBe('012345678…');
    const red = painter({ color: true }).bad('0123456789abc');
    const cut = fitLine(red, 10);
    expect(visibleLength(cut)).toBe(10);
    expect(cut.endsWith('\u001b[0m')).toBe(true);
  });

  it('wrapLine breaks at spaces and indents what follows; no line is longer than the width', () => {
    const lines = wrapLine('Rate:                   target 200/s, achieved 197.9/s, 0 sent late (in-flight cap reached)', 50, 24);
    expect(lines).toEqual([
      'Rate:                   target 200/s, achieved',
      '                        197.9/s, 0 sent late',
      '                        (in-flight cap reached)',
    ]);
    for (const width of [20, 33, 60]) {
      for (const line of wrapLine('a'.repeat(10) + ' b'.repeat(40) + ' ' + 'c'.repeat(70), width, 4)) {
        expect(visibleLength(line)).toBeLessThanOrEqual(width);
      }
    }
  });
});

/** One 2 → 5 scale-out as the observer reports it, poll by poll (the lab's shape). */
function scaleOutPolls(): ObservationEvent[][] {
  const ids = ['i-0bed1111aaaa22223', 'i-0c942222bbbb33334', 'i-03b53333cccc44445'];
  const azs = ['us-east-1a', 'us-east-1b', 'us-east-1a'];
  const activity = (i: number, statusCode: string, endedAt?: string): ObservationEvent => ({
    at: at(20_000),
    kind: 'scaling-activity',
    description: `Launching a new EC2 instance: ${ids[i]}`,
    activityId: `act-${i}`,
    statusCode,
    fromCapacity: 2,
    toCapacity: 5,
    availabilityZone: azs[i],
    ...(endedAt ? { endedAt } : {}),
  });
  const instance = (i: number, atMs: number, fromState?: string): ObservationEvent => ({
    at: at(atMs),
    kind: 'instance',
    description: '',
    instanceId: ids[i],
    availabilityZone: azs[i],
    ...(fromState ? { fromState } : {}),
    toState: fromState ? 'InService' : 'Pending',
  });
  const alarm: ObservationEvent = {
    at: at(19_000),
    kind: 'alarm',
    alarmName: 'TargetTracking-abx-lab-asg-AlarmHigh-b52ff8bc-4a5b-4a9d-91f1-fcc2dff80da1',
    fromState: 'OK',
    toState: 'ALARM',
    description: 'RequestCountPerTarget 100 > 60 for 3 of 3 periods',
  };
  return [
    // One poll: the instances (timed at this poll, +21s) arrive before the alarm and activities (+19s, +20s).
    [0, 1, 2]
      .map((i) => instance(i, 21_000))
      .concat(
        alarm,
        [0, 1, 2].map((i) => activity(i, 'PreInService')),
      ),
    [0, 1, 2].map((i) => activity(i, 'InProgress')),
    [0, 1, 2].map((i) => instance(i, 27_000, 'Pending')).concat([0, 1, 2].map((i) => activity(i, 'Successful', at(26_000)))),
  ];
}

describe('one line per event, in time order', () => {
  it('an activity prints when it starts and when it ends; instances of one transition are one line', () => {
    const feed = new EventFeed();
    const printed: Array<{ atMs: number; text: string }> = [];
    for (const poll of scaleOutPolls()) {
      for (const event of poll) feed.add(event);
      printed.push(...feed.flush(START + 30_000));
    }
    expect(printed.map((l) => l.text)).toEqual([
      'alarm AlarmHigh-… OK → ALARM (RequestCountPerTarget 100 > 60 for 3 of 3 periods)',
      'scale-out 2 → 5 started: launching 3 instances (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
      '3 instances new, Pending (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
      'scale-out 2 → 5 Successful in 6s: launching 3 instances (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
      '3 instances Pending → InService (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
    ]);
    // 15 observer events, 5 lines: at most two per activity group plus one per instance transition group, oldest first.
    const times = printed.map((l) => l.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('the report says each activity once, with its final status and duration', () => {
    const final = scaleOutPolls().flat();
    // The observation keeps each activity's latest state only.
    const events = final.filter((e) => e.kind !== 'scaling-activity' || e.statusCode === 'Successful');
    expect(summarizeEvents(events).map((l) => l.text)).toEqual([
      'alarm AlarmHigh-… OK → ALARM (RequestCountPerTarget 100 > 60 for 3 of 3 periods)',
      'scale-out 2 → 5: launching 3 instances (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5… [Successful in 6s]',
      '3 instances new, Pending (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
      '3 instances Pending → InService (us-east-1a ×2, us-east-1b): i-0bed…, i-0c94…, i-03b5…',
    ]);
  });

  it('alarm names keep their readable part', () => {
    expect(shortAlarmName('TargetTracking-web-AlarmLow-61a39305-1d2f-4c1e-8a77-3b6c0f5a9e21')).toBe('AlarmLow-…');
    expect(shortAlarmName('checkout-latency-61a39305-1d2f-4c1e-8a77-3b6c0f5a9e21')).toBe('checkout-latency-…');
    expect(shortAlarmName('my-alarm')).toBe('my-alarm');
  });
});

describe('the scaling timeline fits the width', () => {
  const secondsMs = Array.from({ length: 40 }, (_, s) => Array.from({ length: 10 + s }, (_, i) => 5 + (i % 10)));
  const result = makeResult({ secondsMs, startedAtMs: START - 2_000, observation: makeObservation(START) });

  it.each([80, 60, 45])('at %i columns, with a legend and the pre-start period explained', (width) => {
    const text = renderScalingTimeline(result, { color: false, width });
    for (const line of text.split('\n')) expect(visibleLength(line), line).toBeLessThanOrEqual(width);
    const flat = text.replace(/\n +/g, ' ');
    expect(flat).toContain('req/tgt: RequestCountPerTarget per period');
    expect(flat).toContain('-3s: the CloudWatch minute that contains the start');
  });

  it('an offset before the start says which period it is', () => {
    const late = makeResult({ secondsMs, startedAtMs: START + 2_000, observation: makeObservation(START) });
    const text = renderScalingTimeline(late, { color: false, width: 120 });
    expect(text).toContain('  load above target 60  -2s       (the CloudWatch minute that contains the start)\n');
  });

  it('drops CPU first, then healthy, rather than wrap a row', () => {
    const head = (width: number): string =>
      renderScalingTimeline(result, { color: false, width })
        .split('\n')
        .find((l) => l.trimStart().startsWith('time'))!;
    expect(head(80)).toContain('CPU');
    expect(head(60)).not.toContain('CPU');
    expect(head(60)).toContain('healthy');
    expect(head(45)).not.toContain('healthy');
  });

  it('with colour, every reset ends its own line: no line starts with one', () => {
    const text = renderScalingTimeline(result, { color: true, width: 60 });
    expect(text).toContain('\u001b[');
    /* eslint-disable no-control-regex -- the escape codes are what is tested */
    for (const line of text.split('\n')) {
      expect(line).not.toMatch(/^\u001b\[(?:0|22|39|49)m/);
      // Whatever a line opens, it closes.
      const opened = (line.match(/\u001b\[(?:1|2|3[1-7])m/g) ?? []).length;
      const closed = (line.match(/\u001b\[(?:0|22|39)m/g) ?? []).length;
      expect(closed).toBeGreaterThanOrEqual(opened);
    }
    /* eslint-enable no-control-regex */
  });
});

describe('the progress line (injected clock)', () => {
  const counts = (finished: number, extra: object = {}) => ({ finished, errors: 0, p99Ms: 12.3, ...extra });

  it('-n: done/total with %, rps over the last second, and an ETA at that rate', () => {
    const meter = new ProgressMeter({ total: 10_000, durationMs: null, ratePerSec: null }, 0);
    // A slow first second, then a steady 2000/s: the rate shown is the recent one, not the mean since the start.
    expect(meter.line(counts(100), 1_000, 200)).toBe('  100/10000 (1%)  ETA 1m39s  100 rps  0 errors  p99 12.3 ms');
    meter.line(counts(1_100), 1_500, 200);
    expect(meter.line(counts(2_100), 2_000, 200)).toBe('  2100/10000 (21%)  ETA 4s  2000 rps  0 errors  p99 12.3 ms');
    expect(meter.line(counts(4_100), 3_000, 200)).toBe('  4100/10000 (41%)  ETA 3s  2000 rps  0 errors  p99 12.3 ms');
  });

  it('-t: time left; --rate: target against achieved, in flight and late', () => {
    const timed = new ProgressMeter({ total: null, durationMs: 30_000, ratePerSec: null }, 0);
    expect(timed.line(counts(500), 12_000, 200)).toBe('  500 done  18s left  41.7 rps  0 errors  p99 12.3 ms');
    const paced = new ProgressMeter({ total: null, durationMs: 20_000, ratePerSec: 150 }, 0);
    paced.line(counts(0, { sent: 0 }), 4_000, 200);
    expect(paced.line(counts(120, { sent: 140, late: 3 }), 5_000, 200)).toBe(
      '  120 done  15s left  target 150/s achieved 140/s  in flight 20  late 3  0 errors  p99 12.3 ms',
    );
  });

  it('is cut to the width, never wrapped; the linger counts down and says Ctrl-C ends it', () => {
    const meter = new ProgressMeter({ total: 10_000, durationMs: null, ratePerSec: null }, 0);
    const line = meter.line(counts(100), 1_000, 30);
    expect(visibleLength(line)).toBeLessThanOrEqual(30);
    expect(line.endsWith('…')).toBe(true);
    expect(meter.lingerLine(60_000, 48_200, 100)).toBe('  observing 12s more, Ctrl-C ends it (load done; late CloudWatch datapoints)');
  });
});

describe('the live progress line on a terminal (fake timers)', () => {
  it('redraws at most 4 times a second, cut to the width; the linger counts down', () => {
    vi.useFakeTimers();
    try {
      let clockMs = 0;
      const writes: string[] = [];
      const stream = { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream;
      const sink = startProgress({
        stream,
        live: true,
        quiet: false,
        total: 1000,
        read: () => ({ finished: Math.floor(clockMs / 10), errors: 0, p99Ms: 1 }),
        width: () => 40,
        now: () => clockMs,
      });
      for (let i = 0; i < 100; i++) {
        clockMs += 10;
        vi.advanceTimersByTime(10);
      }
      expect(writes).toHaveLength(4);
      for (const w of writes) {
        expect(w.startsWith('\r\u001b[2K')).toBe(true);
        expect(visibleLength(w.slice(5))).toBeLessThanOrEqual(40);
      }
      sink.stop(100);
      const linger = sink.linger(5_000);
      clockMs += 2_000;
      vi.advanceTimersByTime(2_000);
      expect(writes.at(-1)).toContain('observing 3s more');
      expect(writes.at(-1)).toContain('Ctrl-C ends it');
      linger.end();
      const count = writes.length;
      vi.advanceTimersByTime(2_000);
      expect(writes).toHaveLength(count);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('time to scale agrees with the timeline', () => {
  it('InService is the instance line the timeline prints, not the activity end before it', () => {
    const observation = makeObservation(START);
    const events = observation.events.map((e) => (e.kind === 'scaling-activity' ? { ...e, endedAt: at(30_000) } : e));
    const tts = timeToScale({ ...observation, events }, START);
    expect(tts.inServiceAtMs).toBe(START + 35_000);
    const noInstance = events.filter((e) => e.kind !== 'instance');
    expect(timeToScale({ ...observation, events: noInstance }, START).inServiceAtMs).toBe(START + 30_000);
  });
});

describe('colour', () => {
  it.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean]>([
    ['a terminal', { isTTY: true }, {}, true],
    ['a pipe', { isTTY: false }, {}, false],
    ['NO_COLOR on a terminal', { isTTY: true }, { NO_COLOR: '1' }, false],
    ['CI=true on a terminal', { isTTY: true }, { CI: 'true' }, false],
    ['FORCE_COLOR in a pipe', { isTTY: false }, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 on a terminal', { isTTY: true }, { FORCE_COLOR: '0' }, false],
  ])('%s', (_, stream, env, on) => {
    expect(colorEnabled(stream, undefined, env)).toBe(on);
  });
});

describe('errors that teach', () => {
  it('suggests a command within 2 edits, never for something that looks like a host', () => {
    const commands = ['demo', 'lab', 'watch', 'report', 'merge', 'compare'];
    expect(editDistance('reprot', 'report')).toBe(2);
    expect(suggestCommand('reprot', commands)).toBe('report');
    expect(suggestCommand('wach', commands)).toBe('watch');
    expect(suggestCommand('example.com', commands)).toBeNull();
    expect(suggestCommand('localhost', commands)).toBeNull();
    expect(suggestCommand('report', commands)).toBeNull();
  });

  it('an unbracketed IPv6 address gets the bracketed URL to write', () => {
    expect(() => parseTargetUrl('http://::1:8080/')).toThrow('write IPv6 as http://[::1]:8080/');
    expect(() => parseTargetUrl('http://::1/x')).toThrow('write IPv6 as http://[::1]/x');
    expect(parseTargetUrl('http://[::1]:8080/').port).toBe('8080');
  });

  it('TLS to a plain port: a question to act on, the raw OpenSSL text only when verbose', () => {
    const raw = {
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
      message: 'C056744BFA7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    };
    expect(explainError(raw, false)).toBe('the server did not answer TLS: is it http://?');
    expect(explainError(raw, true)).toBe(`the server did not answer TLS: is it http://? (${raw.message})`);
    expect(explainError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, false)).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
