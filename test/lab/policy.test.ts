/** Target tracking as a table: periods of metric values in, alarm states and capacity changes out. */
import { describe, expect, it } from 'vitest';
import { LOW_THRESHOLD_RATIO, TargetTrackingPolicy, type PolicyConfig, type PolicyDecision } from '../../src/lab/policy.js';

const BASE: PolicyConfig = { targetValue: 60, highEvaluationPeriods: 3, lowEvaluationPeriods: 5, min: 2, max: 6 };

/** Feeds per-period metrics with a group whose desired follows the decisions; warming instances stay as given. */
function run(
  config: PolicyConfig,
  metrics: number[],
  start: { desired: number; capacity?: number; warming?: number },
): { decisions: PolicyDecision[]; desired: number } {
  const policy = new TargetTrackingPolicy(config);
  let desired = start.desired;
  const decisions = metrics.map((metric) => {
    const decision = policy.evaluate({ metric, capacity: start.capacity ?? desired, desired, warming: start.warming ?? 0 });
    if (decision.change) desired = decision.change.to;
    return decision;
  });
  return { decisions, desired };
}

describe('target tracking policy', () => {
  it.each([
    { name: 'no scale-out before the high alarm has its periods', metrics: [90, 90], desired: 2, expected: 2, changeAt: -1 },
    {
      name: 'scale-out on the third breaching period, proportional: ceil(2 × 90 / 60) = 3',
      metrics: [90, 90, 90],
      desired: 2,
      expected: 3,
      changeAt: 2,
    },
    { name: 'a dip resets the count', metrics: [90, 90, 50, 90, 90], desired: 2, expected: 2, changeAt: -1 },
    { name: 'proportional: ceil(2 × 150 / 60) = 5', metrics: [150, 150, 150], desired: 2, expected: 5, changeAt: 2 },
    { name: 'capped at max: ceil(2 × 400 / 60) = 14 → 6', metrics: [400, 400, 400], desired: 2, expected: 6, changeAt: 2 },
    { name: 'equal to the target is not a breach', metrics: [60, 60, 60, 60], desired: 2, expected: 2, changeAt: -1 },
  ])('$name', ({ metrics, desired, expected, changeAt }) => {
    const { decisions, desired: after } = run(BASE, metrics, { desired, capacity: 2 });
    expect(after).toBe(expected);
    expect(decisions.findIndex((d) => d.change)).toBe(changeAt);
    if (changeAt >= 0) expect(decisions[changeAt].change).toEqual({ alarm: 'high', from: desired, to: expected });
  });

  it('alarm states go INSUFFICIENT_DATA, then OK or ALARM', () => {
    const { decisions } = run(BASE, [90, 90, 90, 10], { desired: 2, capacity: 2 });
    expect(decisions.map((d) => d.high)).toEqual(['INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'ALARM', 'OK']);
    expect(decisions.map((d) => d.low)).toEqual(['INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'INSUFFICIENT_DATA']);
  });

  it('instances still warming cover the breach they were launched for', () => {
    const policy = new TargetTrackingPolicy(BASE);
    // Metric is per healthy target (2 of them); desired 5 already includes 3 warming instances.
    for (let i = 0; i < 2; i++) policy.evaluate({ metric: 150, capacity: 2, desired: 5, warming: 3 });
    const same = policy.evaluate({ metric: 150, capacity: 2, desired: 5, warming: 3 });
    expect(same.high).toBe('ALARM');
    expect(same.change).toBeUndefined();
    // A bigger breach needs more than the warming instances cover.
    const more = policy.evaluate({ metric: 170, capacity: 2, desired: 5, warming: 3 });
    expect(more.change).toEqual({ alarm: 'high', from: 5, to: 6 });
  });

  it(`scale-in only after the low alarm's periods below ${LOW_THRESHOLD_RATIO} × target, one at a time, never below min`, () => {
    const config = { ...BASE, lowEvaluationPeriods: 5 };
    const { decisions, desired } = run(config, [10, 10, 10, 10, 10, 10, 10, 10, 10], { desired: 5, capacity: 5 });
    expect(decisions.slice(0, 4).every((d) => !d.change)).toBe(true);
    expect(decisions[4].low).toBe('ALARM');
    expect(decisions.map((d) => d.change?.to)).toEqual([undefined, undefined, undefined, undefined, 4, 3, 2, undefined, undefined]);
    expect(desired).toBe(2);
  });

  it('no scale-in between 0.9 × target and the target, nor while instances warm up', () => {
    const near = run(BASE, Array(8).fill(55), { desired: 4, capacity: 4 });
    expect(near.desired).toBe(4);
    expect(near.decisions.every((d) => d.low === 'INSUFFICIENT_DATA' || d.low === 'OK')).toBe(true);
    const warming = run(BASE, Array(8).fill(5), { desired: 4, capacity: 3, warming: 1 });
    expect(warming.decisions[7].low).toBe('ALARM');
    expect(warming.desired).toBe(4);
  });

  it('scale-in stops at the capacity the load still needs', () => {
    // 6 targets × 45 = 270 requests: ceil(270 / 60) = 5 → one step only.
    const { desired } = run({ ...BASE, lowEvaluationPeriods: 2 }, [45, 45, 45, 45], { desired: 6, capacity: 6 });
    expect(desired).toBe(5);
  });
});
