/** The whole loop on a fake clock: load → RequestCountPerTarget → alarm → scale-out → warm-up → InService → scale-in. */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/lab/simulation.js';
import { requestCountPerTarget } from '../../src/lab/metrics.js';
import { resolveLabOptions } from '../../src/lab/index.js';

const PERIOD = 5000;
const T0 = Date.UTC(2026, 10, 26, 16, 5, 0);

function sim(): Simulation {
  // The lab's defaults (5 s periods, 2/6/2, target 60), with a shorter low-alarm window.
  return new Simulation({ ...resolveLabOptions({ periodMs: PERIOD, withPolicy: true }), lowEvaluationPeriods: 4 }, T0);
}

/** `perPeriod` requests spread over each period from `fromMs` for `periods` periods, advancing as it goes. */
function load(s: Simulation, fromMs: number, periods: number, perPeriod: number): number {
  let t = fromMs;
  for (let p = 0; p < periods; p++) {
    for (let i = 0; i < perPeriod; i++) {
      t = fromMs + p * PERIOD + Math.floor((i * PERIOD) / Math.max(1, perPeriod));
      s.advance(t);
      s.metrics.recordTargetRequest(t, 50, 50);
    }
    s.advance(fromMs + (p + 1) * PERIOD);
  }
  return fromMs + periods * PERIOD;
}

describe('simulation', () => {
  it('scales out after three periods above target, proportionally, and the new instances serve only after warm-up', () => {
    const s = sim();
    // 300 requests per period over 2 targets = 150 per target: 2.5 × the target.
    let t = load(s, T0, 2, 300);
    expect(s.group.desired).toBe(2);
    expect(s.alarms[0].state).toBe('INSUFFICIENT_DATA');
    t = load(s, t, 1, 300);
    expect(s.alarms[0].state).toBe('ALARM');
    // ceil(2 × 150 / 60) = 5.
    expect(s.group.desired).toBe(5);
    expect(s.group.warming()).toHaveLength(3);
    expect(s.routable()).toHaveLength(2);
    // Launch delay (one period) + warm-up (one period): still not serving in between.
    s.advance(t + PERIOD);
    expect(s.routable()).toHaveLength(2);
    s.advance(t + 2 * PERIOD);
    expect(s.routable()).toHaveLength(5);
    expect(s.group.inService()).toHaveLength(5);
    // The same load now spreads over 5 targets: 60 per target, back at the target.
    const periods = s.metrics.periods(t + 2 * PERIOD, Infinity, t + 2 * PERIOD);
    expect(periods).toHaveLength(1);
    const after = load(s, t + 2 * PERIOD, 1, 300);
    const last = s.metrics.periods(after - PERIOD, after, after)[0];
    expect(requestCountPerTarget(last)).toBeCloseTo(60, 6);
    expect(s.group.desired).toBe(5);
  });

  it('scales in only after the low alarm has its periods, one instance per period', () => {
    const s = sim();
    let t = load(s, T0, 3, 300); // scale-out to 5
    // The load goes on through launch and warm-up: the warming instances cover it, no second scale-out.
    t = load(s, t, 2, 300);
    expect(s.group.inService()).toHaveLength(5);
    expect(s.group.desired).toBe(5);
    t = load(s, t, 1, 300); // 60 per target: no breach either way
    expect(s.alarms[0].state).toBe('OK');
    const before = s.group.desired;
    t = load(s, t, 3, 0);
    expect(s.group.desired).toBe(before);
    t = load(s, t, 1, 0);
    expect(s.alarms[1].state).toBe('ALARM');
    expect(s.group.desired).toBe(before - 1);
    load(s, t, 10, 0);
    expect(s.group.desired).toBe(2);
    const history = s.alarmHistory
      .filter((h) => h.alarmName === s.alarms[1].name && h.historyItemType === 'StateUpdate')
      .map((h) => h.historySummary);
    expect(history).toContain('Alarm updated from OK to ALARM');
  });
});
