/**
 * `abx check --from`: the measured peak (RequestCountPerTarget × InService per
 * period) against the policy's target and the group's MaxSize.
 */
import { describe, expect, it } from 'vitest';
import { checkPeakCapacity, measuredPeak } from '../../src/check/measured.js';
import { runChecks, type Check, type Snapshot } from '../../src/check/index.js';
import type { Observation, Result } from '../../src/stats/result.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

const STARTED_MS = Date.UTC(2026, 10, 26, 16, 0, 0);

function snapshot(maxSize: number): Snapshot {
  return {
    region: 'us-east-1',
    group: {
      AutoScalingGroupName: 'web-asg',
      MinSize: 2,
      MaxSize: maxSize,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      AvailabilityZones: ['us-east-1a'],
      HealthCheckType: 'ELB',
      CreatedTime: new Date(0),
    },
    policies: [],
    troubles: [],
    notes: [],
  };
}

/** One-minute periods: 1,500 per target on 6 InService = the 9,000 requests/min of the issue. */
function minuteObservation(): Observation {
  const at = (m: number): string => new Date(STARTED_MS + m * 60_000).toISOString();
  return {
    ...makeObservation(STARTED_MS),
    periodSec: 60,
    samples: [
      { at: at(0), metric: 'InServiceInstances', value: 2, provisional: false },
      { at: at(0), metric: 'RequestCountPerTarget', value: 2000, provisional: false },
      // No InService poll at minute 1: the count of minute 0 holds.
      { at: at(1), metric: 'RequestCountPerTarget', value: 1000, provisional: false },
      { at: at(2), metric: 'InServiceInstances', value: 6, provisional: false },
      { at: at(2), metric: 'RequestCountPerTarget', value: 1500, provisional: false },
      { at: at(3), metric: 'RequestCountPerTarget', value: 900, provisional: true },
    ],
  };
}

function result(observation?: Observation): Result {
  return makeResult({ secondsMs: [[1, 2, 3]], startedAtMs: STARTED_MS, ...(observation ? { observation } : {}) });
}

function peakCheck(s: Snapshot, r: Result): Check {
  const c = checkPeakCapacity(s, r);
  if (!c) throw new Error('no peak check');
  return c;
}

describe('measuredPeak', () => {
  it('multiplies each period by the InService count polled at or before it', () => {
    expect(measuredPeak(minuteObservation())).toEqual({
      requests: 9000,
      at: new Date(STARTED_MS + 120_000).toISOString(),
      perTarget: 1500,
      inService: 6,
    });
    // The fixture's 5-second periods: 140 per target on 2 instances is the busiest.
    expect(measuredPeak(makeObservation(STARTED_MS))?.requests).toBe(280);
  });

  it('is null without capacity samples', () => {
    const o = minuteObservation();
    expect(measuredPeak({ ...o, samples: o.samples.filter((x) => x.metric !== 'InServiceInstances') })).toBeNull();
  });
});

describe('scalability.peak-capacity', () => {
  const cases: [name: string, s: Snapshot, r: Result, status: Check['status'], summary: RegExp, fix: string | null][] = [
    [
      'the issue: 9,000/min at 60 needs 150 > MaxSize 6',
      snapshot(6),
      result(minuteObservation()),
      'FAIL',
      /^at target 60 per target per minute, your measured peak of 9,000 requests\/min needs 150 instances; MaxSize is 6$/,
      'aws autoscaling update-auto-scaling-group --auto-scaling-group-name web-asg --max-size 150',
    ],
    [
      'MaxSize exactly what the peak needs',
      snapshot(150),
      result(minuteObservation()),
      'PASS',
      /needs 150 instances; MaxSize is 150$/,
      null,
    ],
    [
      '5-second periods: 280 per 5 s at 60 needs 5 > MaxSize 4',
      snapshot(4),
      result(makeObservation(STARTED_MS)),
      'FAIL',
      /^at target 60 per target per 5 s, your measured peak of 280 requests\/5 s needs 5 instances; MaxSize is 4$/,
      'aws autoscaling update-auto-scaling-group --auto-scaling-group-name web-asg --max-size 5',
    ],
    [
      '5-second periods within MaxSize 6',
      snapshot(6),
      result(makeObservation(STARTED_MS)),
      'PASS',
      /needs 5 instances; MaxSize is 6$/,
      null,
    ],
    ['a run that was not observed', snapshot(6), result(), 'WARN', /^the run was not observed/, null],
    [
      'an observation with no request metric',
      snapshot(6),
      result({ ...minuteObservation(), samples: [] }),
      'WARN',
      /no RequestCountPerTarget/,
      null,
    ],
    [
      'a CPU policy in the run and none now: no target to size against',
      snapshot(6),
      result({ ...minuteObservation(), policy: { name: 'cpu', targetValue: 50, metric: 'ASGAverageCPUUtilization' } }),
      'WARN',
      /no ALBRequestCountPerTarget target-tracking policy/,
      null,
    ],
  ];
  it.each(cases)('%s', (_name, s, r, status, summary, fix) => {
    const c = peakCheck(s, r);
    expect(c.status).toBe(status);
    expect(c.principle).toBe('scalability');
    expect(c.summary).toMatch(summary);
    expect(c.fix).toBe(fix);
  });

  it("falls back to the group's current request-count policy when the run saw none", () => {
    const s = snapshot(100);
    s.policies = [
      {
        PolicyName: 'rps',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
          TargetValue: 90,
        },
      },
    ];
    const c = peakCheck(s, result({ ...minuteObservation(), policy: null }));
    expect(c.status).toBe('PASS');
    expect(c.summary).toMatch(/^at target 90 per target per minute, .* needs 100 instances; MaxSize is 100$/);
    expect(c.evidence).toContain('policy rps: target 90 per target per minute');
  });

  it('is a SKIP without a group; runChecks adds it only with a result', () => {
    expect(checkPeakCapacity({ ...snapshot(6), group: undefined }, result(minuteObservation()))).toMatchObject({
      status: 'SKIP',
      reason: 'the Auto Scaling group could not be read',
    });
    expect(runChecks(snapshot(6)).some((c) => c.id === 'scalability.peak-capacity')).toBe(false);
    expect(runChecks(snapshot(6), undefined, result(minuteObservation())).find((c) => c.id === 'scalability.peak-capacity')?.status).toBe(
      'FAIL',
    );
    expect(runChecks(snapshot(6), ['security'], result(minuteObservation())).some((c) => c.id === 'scalability.peak-capacity')).toBe(false);
  });
});
