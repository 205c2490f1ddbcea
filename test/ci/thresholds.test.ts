import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { evaluateAssertions, parseAssertion, type Assertion } from '../../src/stats/thresholds.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

describe('parseAssertion: valid expressions', () => {
  const table: [string, boolean, Omit<Assertion, 'expression'>][] = [
    ['p99<250ms', false, { metric: 'p99', op: '<', value: 250, unit: 'ms' }],
    ['p50 <= 0.2s', false, { metric: 'p50', op: '<=', value: 0.2, unit: 's' }],
    ['P999<1000', false, { metric: 'p999', op: '<', value: 1000, unit: 'ms' }],
    ['mean<50ms', false, { metric: 'mean', op: '<', value: 50, unit: 'ms' }],
    ['max < 2s', false, { metric: 'max', op: '<', value: 2, unit: 's' }],
    ['p90>=.5ms', false, { metric: 'p90', op: '>=', value: 0.5, unit: 'ms' }],
    ['rps>=500', false, { metric: 'rps', op: '>=', value: 500, unit: '' }],
    ['errors<1%', false, { metric: 'errors', op: '<', value: 1, unit: '%' }],
    ['errors==0', false, { metric: 'errors', op: '==', value: 0, unit: '' }],
    ['failed<=3', false, { metric: 'failed', op: '<=', value: 3, unit: '' }],
    ['non2xx < 0.5%', false, { metric: 'non2xx', op: '<', value: 0.5, unit: '%' }],
    ['timeouts==0', false, { metric: 'timeouts', op: '==', value: 0, unit: '' }],
    ['instances>=4', true, { metric: 'instances', op: '>=', value: 4, unit: '' }],
    ['scale-outs>0', true, { metric: 'scale-outs', op: '>', value: 0, unit: '' }],
    ['time-to-scale<120s', true, { metric: 'time-to-scale', op: '<', value: 120, unit: 's' }],
    ['time-to-scale<90', true, { metric: 'time-to-scale', op: '<', value: 90, unit: 's' }],
    ['time-to-scale < 90000ms', true, { metric: 'time-to-scale', op: '<', value: 90000, unit: 'ms' }],
  ];
  it.each(table)('%s (observing %s)', (expression, observing, expected) => {
    expect(parseAssertion(expression, { observing })).toEqual({ expression: expression.trim(), ...expected });
  });

  it('keeps the expression as written (trimmed) for tables and JUnit', () => {
    expect(parseAssertion('  p99 < 250ms ', { observing: false }).expression).toBe('p99 < 250ms');
  });
});

describe('parseAssertion: invalid expressions are one-line ConfigErrors', () => {
  const table: [string, boolean, RegExp][] = [
    ['p95x<1', false, /unknown metric "p95x"; use one of p50, .*rps, errors/],
    ['latency<100ms', false, /unknown metric "latency"/],
    ['instances>=4', false, /instances needs an observed Auto Scaling group/],
    ['scale-outs>0', false, /scale-outs needs an observed Auto Scaling group/],
    ['time-to-scale<60s', false, /time-to-scale needs an observed/],
    ['p99', false, /is not an assertion: write METRIC OP VALUE/],
    ['p99<', false, /is not an assertion/],
    ['p99=250', false, /is not an assertion/],
    ['p99 => 250', false, /is not an assertion/],
    ['p99<-1ms', false, /is not an assertion/],
    ['p99<250 ms extra', false, /is not an assertion/],
    ['p99<250%', false, /p99 takes ms or s, not "%"/],
    ['rps>10s', false, /rps takes a plain number, not "s"/],
    ['errors<5ms', false, /errors takes a plain number or %, not "ms"/],
    ['instances>=50%', true, /instances takes a plain number, not "%"/],
    ['', false, /is not an assertion/],
  ];
  it.each(table)('%j (observing %s)', (expression, observing, message) => {
    let caught: unknown;
    try {
      parseAssertion(expression, { observing });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const text = (caught as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(text).toContain(`--assert "${expression.trim()}"`);
  });

  it('lists the observing-only metrics as valid only when observing', () => {
    const message = (observing: boolean): string => {
      try {
        parseAssertion('bogus<1', { observing });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(message(false)).not.toContain('instances');
    expect(message(true)).toContain('instances, scale-outs, time-to-scale');
  });
});

describe('evaluateAssertions', () => {
  const startedAtMs = Date.UTC(2026, 10, 26, 16, 0, 0);
  // 3 seconds × 100 requests; second 2 has 10 responses of 503 and 5 connect failures.
  const secondsMs = [0, 1, 2].map((s) => Array.from({ length: 100 }, (_, i) => 5 + i * 0.5 + s));
  const plain = makeResult({
    secondsMs,
    startedAtMs,
    statusFor: (second, index) => (second === 2 && index < 10 ? 503 : 200),
    errorsPerSecond: [0, 0, 5],
  });
  const observed = makeResult({ secondsMs, startedAtMs, observation: makeObservation(startedAtMs) });
  const parse = (e: string, observing = false): Assertion => parseAssertion(e, { observing });

  it('measures latency in the expression unit and compares', () => {
    const [lt, gt, inSeconds] = evaluateAssertions([parse('p99<1000ms'), parse('p50>1000ms'), parse('max<1s')], plain);
    expect(lt).toEqual({ expression: 'p99<1000ms', actual: plain.latencyMs.p99, unit: 'ms', passed: true });
    expect(gt.passed).toBe(false);
    expect(inSeconds.actual).toBeCloseTo(plain.latencyMs.max / 1000, 9);
    expect(inSeconds.unit).toBe('s');
    expect(inSeconds.passed).toBe(true);
  });

  it('each operator decides at the boundary', () => {
    const p50 = plain.latencyMs.p50;
    const verdicts = ['<', '<=', '>', '>=', '=='].map((op) => evaluateAssertions([parse(`p50${op}${p50}ms`)], plain)[0].passed);
    expect(verdicts).toEqual([false, true, false, true, true]);
  });

  it('counts errors as failed + non-2xx, and as a share of requests with %', () => {
    expect(plain.totals.failed).toBe(5);
    expect(plain.totals.non2xx).toBe(10);
    const outcomes = evaluateAssertions(
      [
        parse('errors<=15'),
        parse('errors<15'),
        parse('errors<5%'),
        parse('failed==5'),
        parse('non2xx==10'),
        parse('timeouts==0'),
        parse('errors<4%'),
      ],
      plain,
    );
    expect(outcomes.map((o) => o.actual)).toEqual([15, 15, (15 / 305) * 100, 5, 10, 0, (15 / 305) * 100]);
    expect(outcomes.map((o) => o.passed)).toEqual([true, false, true, true, true, true, false]);
  });

  it('rps is completed per second', () => {
    const [outcome] = evaluateAssertions([parse('rps>=100')], plain);
    expect(outcome.actual).toBe(100);
    expect(outcome.passed).toBe(true);
  });

  it('measures instances, scale-outs and time-to-scale from the observation', () => {
    const outcomes = evaluateAssertions(
      [parse('instances>=4', true), parse('scale-outs==1', true), parse('time-to-scale<30s', true), parse('time-to-scale<=20000ms', true)],
      observed,
    );
    expect(outcomes.map((o) => o.actual)).toEqual([4, 1, 20, 20000]);
    expect(outcomes.every((o) => o.passed)).toBe(true);
  });

  it('fails what cannot be measured: no observation, no scale-out, a share of no requests', () => {
    const observation = makeObservation(startedAtMs);
    observation.events = observation.events.filter((e) => e.kind !== 'scaling-activity');
    observation.samples = observation.samples.filter((s) => s.metric !== 'InServiceInstances');
    const noScale = makeResult({ secondsMs, startedAtMs, observation });
    const empty = makeResult({ secondsMs: [[]], startedAtMs });
    const [tts, instances, scaleOuts] = evaluateAssertions(
      [parse('time-to-scale<600s', true), parse('instances>=0', true), parse('scale-outs==0', true)],
      noScale,
    );
    expect(tts).toMatchObject({ actual: null, passed: false });
    expect(instances).toMatchObject({ actual: null, passed: false });
    expect(scaleOuts).toMatchObject({ actual: 0, passed: true });
    expect(evaluateAssertions([parse('instances>=0', true)], plain)[0]).toMatchObject({ actual: null, passed: false });
    expect(evaluateAssertions([parse('errors<1%')], empty)[0]).toMatchObject({ actual: null, passed: false });
  });

  it('a scale-in does not count as a scale-out', () => {
    const observation = makeObservation(startedAtMs);
    const scaleOut = observation.events.find((e) => e.kind === 'scaling-activity')!;
    observation.events = [
      { ...scaleOut, activityId: 'in-1', at: new Date(startedAtMs + 5000).toISOString(), fromCapacity: 4, toCapacity: 2 },
      ...observation.events,
    ];
    const result = makeResult({ secondsMs, startedAtMs, observation });
    const outcomes = evaluateAssertions([parse('scale-outs==1', true), parse('time-to-scale==20', true)], result);
    expect(outcomes.map((o) => o.passed)).toEqual([true, true]);
  });
});
