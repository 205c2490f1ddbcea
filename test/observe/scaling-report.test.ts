import { describe, expect, it } from 'vitest';
import { formatEvent, formatOffset, renderScalingTimeline } from '../../src/report/scaling.js';
import { timeToScale } from '../../src/stats/time-to-scale.js';
import type { Observation, ObservationEvent } from '../../src/stats/result.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

const START = Date.UTC(2026, 10, 26, 16, 0, 0);
const at = (offsetMs: number): string => new Date(START + offsetMs).toISOString();

describe('formatEvent', () => {
  it.each<[ObservationEvent, string]>([
    [
      {
        at: at(161_000),
        kind: 'alarm',
        alarmName: 'TargetTracking-web-AlarmHigh-1',
        fromState: 'OK',
        toState: 'ALARM',
        description: 'RequestCountPerTarget 137.5 > 60 for 3 of 3 periods',
      },
      '+2m41s  alarm TargetTracking-web-AlarmHigh-1 OK → ALARM (RequestCountPerTarget 137.5 > 60 for 3 of 3 periods)',
    ],
    [
      {
        at: at(178_000),
        kind: 'scaling-activity',
        description: 'Launching a new EC2 instance: i-0abc1234def567890',
        fromCapacity: 2,
        toCapacity: 4,
        availabilityZone: 'us-east-1a',
      },
      '+2m58s  scale-out 2 → 4: Launching a new EC2 instance: i-0abc1234def567890 (us-east-1a)',
    ],
    [
      {
        at: at(3_723_000),
        kind: 'scaling-activity',
        description: 'Terminating EC2 instance: i-06c4794c2499af1df',
        fromCapacity: 3,
        toCapacity: 2,
        statusCode: 'InProgress',
      },
      '+1h02m03s  scale-in 3 → 2: Terminating EC2 instance: i-06c4794c2499af1df [InProgress]',
    ],
    [
      {
        at: at(-5_000),
        kind: 'instance',
        description: 'Pending → InService',
        instanceId: 'i-1',
        availabilityZone: 'us-east-1b',
        fromState: 'Pending',
        toState: 'InService',
      },
      '-5s  instance i-1 (us-east-1b) Pending → InService',
    ],
    [
      { at: at(41_000), kind: 'alarm', alarmName: 'A', toState: 'ALARM', description: 'CPUUtilization > 50 for 1 of 1 periods' },
      '+41s  alarm A → ALARM (CPUUtilization > 50 for 1 of 1 periods)',
    ],
  ])('%#', (event, line) => {
    expect(formatEvent(event, START)).toBe(line);
  });

  it('formats offsets', () => {
    expect([0, 999, 59_600, 60_000, 3_600_000].map(formatOffset)).toEqual(['+0s', '+1s', '+1m00s', '+1m00s', '+1h00m00s']);
    expect([-400, -1_600, -61_000].map(formatOffset)).toEqual(['+0s', '-2s', '-1m01s']);
  });
});

describe('timeToScale', () => {
  it('measures each step of the chain and whether capacity sufficed', () => {
    const observation = makeObservation(START);
    const tts = timeToScale(observation, START);
    expect(tts).toMatchObject({
      targetValue: 60,
      loadAboveTargetAtMs: START,
      alarmAtMs: START + 15_000,
      activityAtMs: START + 20_000,
      inServiceAtMs: START + 35_000,
      alarmAfterMs: 15_000,
      activityAfterMs: 5_000,
      inServiceAfterMs: 15_000,
      totalMs: 35_000,
      fromCapacity: 2,
      toCapacity: 4,
      peakDesired: 4,
      peakInService: 4,
    });
    // No RequestCount series: busiest period is 140 per target × 2 healthy = 280 → 5 instances at 60.
    expect(tts.neededCapacity).toBe(5);
    expect(tts.capacityReached).toBe(false);
  });

  it('uses RequestCount when present, and reports steps not seen as null', () => {
    const observation: Observation = { ...makeObservation(START), events: [] };
    // Capacity samples that rise would stand in for the activity; keep InService flat to see "not seen".
    observation.samples = [
      ...observation.samples.filter((s) => s.metric !== 'DesiredCapacity' && s.metric !== 'InServiceInstances'),
      { at: at(0), metric: 'RequestCount', value: 230, provisional: false },
      { at: at(0), metric: 'InServiceInstances', value: 4, provisional: false },
    ];
    const tts = timeToScale(observation, START);
    expect(tts.neededCapacity).toBe(4);
    expect(tts.capacityReached).toBe(true);
    expect([tts.alarmAtMs, tts.activityAtMs, tts.inServiceAtMs, tts.totalMs]).toEqual([null, null, null, null]);
    expect(timeToScale({ ...observation, policy: null }, START).loadAboveTargetAtMs).toBeNull();
  });
});

describe("time to scale counts the load from abx's own per-second counts", () => {
  // One-minute periods: the first above-target minute starts 46 s before the run (the minute holding its start).
  const minute: Observation = {
    ...makeObservation(START),
    periodSec: 60,
    samples: [
      { at: at(-46_000), metric: 'RequestCountPerTarget', value: 120, provisional: false },
      { at: at(0), metric: 'InServiceInstances', value: 2, provisional: false },
      { at: at(0), metric: 'DesiredCapacity', value: 2, provisional: false },
    ],
    events: [
      {
        at: at(60_000),
        kind: 'alarm',
        alarmName: 'TargetTracking-abx-lab-asg-AlarmHigh-fc0e4183',
        fromState: 'OK',
        toState: 'ALARM',
        description: 'x',
      },
    ],
    alarms: makeObservation(START).alarms.map((a) => ({ ...a, periodSec: 60 })),
  };
  // 1 request a second for 10 s, then 4: past 60 per target per minute on 2 instances from +11s (5 s average).
  const secondsMs = Array.from({ length: 30 }, (_, s) => Array.from({ length: s < 10 ? 1 : 4 }, () => 5));

  it('the crossing is the second abx sent enough, not the start of the CloudWatch minute', () => {
    const result = makeResult({ secondsMs, startedAtMs: START, observation: minute });
    const tts = timeToScale(minute, START, result.timeline);
    expect(tts.loadSource).toBe('abx');
    expect(tts.loadAboveTargetAtMs).toBe(START + 11_000);
    expect(tts.alarmAfterMs).toBe(49_000);
    expect(tts.notes.some((n) => /only after 3 of 3 whole 60 s periods/.test(n))).toBe(true);
    const text = renderScalingTimeline(result, { color: false, width: 200 });
    expect(text).toContain('  load above target 60  +11s\n');
    expect(text).not.toContain('-46s');
  });

  it('without abx counts that pass it, the CloudWatch period, and a note that says that is all it knows', () => {
    const tts = timeToScale(minute, START, []);
    expect(tts.loadSource).toBe('cloudwatch');
    expect(tts.loadAboveTargetAtMs).toBe(START - 46_000);
    expect(tts.notes).toContain(
      "load above target is known only to CloudWatch's 60 s period: it went above somewhere in the period that starts then",
    );
  });
});

describe('renderScalingTimeline', () => {
  const secondsMs = Array.from({ length: 40 }, (_, s) => Array.from({ length: 10 + s }, (_, i) => 5 + (i % 10)));
  const result = makeResult({ secondsMs, startedAtMs: START, observation: makeObservation(START) });

  it('prints nothing without an observation', () => {
    expect(renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs: START }), { color: false })).toBe('');
  });

  it('puts abx counts per period beside CloudWatch, events between rows, then time to scale', () => {
    const text = renderScalingTimeline(result, { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Scaling timeline: abx-lab-asg (us-east-1), period 5 s, 60 polls, 240 API calls');
    expect(lines).toContain('  policy abx-lab-target-tracking: ALBRequestCountPerTarget target 60');
    // Row for +0s: abx's requests in seconds 0–4 are 10+11+12+13+14 = 60.
    const first = lines.find((l) => l.startsWith('  +0s'))!;
    expect(first.split(/\s+/).slice(1, 9)).toEqual(['+0s', '60', '14.0ms', '140', '233%', '2', '2/2', '85%']);
    const row15 = lines.findIndex((l) => l.startsWith('  +15s'));
    expect(lines[row15 + 1]).toBe('      +15s  alarm TargetTracking-abx-lab-asg-AlarmHigh-fc0e4183 OK → ALARM');
    const row20 = lines.findIndex((l) => l.startsWith('  +20s'));
    expect(lines[row20].split(/\s+/)[2]).toBe(String(30 + 31 + 32 + 33 + 34));
    expect(lines[row20 + 1]).toBe('      +20s  scale-out 2 → 4: launching an instance: i-0abc… [Successful in 15s]');
    // The newest period is provisional.
    expect(lines.find((l) => l.startsWith('  +55s'))).toMatch(/ 55\* /);
    expect(text.replace(/\n +/g, ' ')).toContain('* provisional: CloudWatch may still add to this period');
    expect(text).toContain(
      'Time to scale\n  load above target 60  +0s\n  alarm                 +15s      (15s later)\n  scaling activity      +20s      (5s later)  2 → 4\n  instance InService    +35s      (15s later)\n  total                 35s\n',
    );
    expect(text.replace(/\n +/g, ' ')).toMatch(
      /capacity: the busiest period needed 5 at target 60; peak desired 4, InService 4: not enough/,
    );
  });

  it('shows gaps and warnings, and colour only when asked', () => {
    const observation = {
      ...makeObservation(START),
      gaps: [{ from: at(10_000), to: at(25_000), reason: 'throttling: GetMetricData was throttled by AWS (Throttling)' }],
      warnings: ['GetMetricData was throttled by AWS (Throttling); polling less often'],
    };
    const withGap = makeResult({ secondsMs, startedAtMs: START, observation });
    const plain = renderScalingTimeline(withGap, { color: false });
    // Wrapped to 80 columns under its own text.
    expect(plain.replace(/\n {12}/g, ' ')).toContain(
      '      +10s  gap until +25s: throttling: GetMetricData was throttled by AWS (Throttling)',
    );
    expect(plain).toContain('Observer warnings\n  GetMetricData was throttled by AWS (Throttling); polling less often');
    expect(plain).not.toContain('\u001b[');
    expect(renderScalingTimeline(withGap, { color: true })).toContain('\u001b[');
  });
});

describe('time to scale without a scaling activity from the API', () => {
  // A manual set-desired-capacity against an API that reports no activity for
  // it: only the polls see the capacity rise and the new instances.
  function withoutActivity(): Observation {
    const observation = makeObservation(START);
    observation.events = [
      { at: at(9_000), kind: 'instance', description: 'new, InService', instanceId: 'i-new1', toState: 'InService' },
      { at: at(9_000), kind: 'instance', description: 'new, InService', instanceId: 'i-new2', toState: 'InService' },
    ];
    observation.samples = observation.samples.filter((s) => s.metric !== 'DesiredCapacity' && s.metric !== 'InServiceInstances');
    for (const [offsetMs, capacity] of [
      [0, 2],
      [4_000, 2],
      [9_000, 4],
    ] as const) {
      observation.samples.push({ at: at(offsetMs), metric: 'DesiredCapacity', value: capacity, provisional: false });
      observation.samples.push({ at: at(offsetMs), metric: 'InServiceInstances', value: capacity, provisional: false });
    }
    return observation;
  }

  it('falls back to the first capacity increase and the first new instance InService', () => {
    const tts = timeToScale(withoutActivity(), START);
    expect(tts).toMatchObject({
      activityAtMs: START + 9_000,
      activitySource: 'capacity',
      inServiceAtMs: START + 9_000,
      fromCapacity: 2,
      toCapacity: 4,
    });
  });

  it('prints the instance InService the timeline printed, not "not seen"', () => {
    const text = renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs: START, observation: withoutActivity() }), {
      color: false,
    });
    expect(text).toContain('+9s  2 instances new, InService: i-new1, i-new2');
    expect(text).toMatch(/\n {2}capacity increase +\+9s +.*2 → 4/);
    expect(text).toMatch(/\n {2}instance InService +\+9s/);
    expect(text).not.toMatch(/instance InService +not seen/);
  });

  it('counts an instance that appears as the increase when no sample rose', () => {
    const observation = withoutActivity();
    observation.samples = observation.samples.filter((s) => s.metric !== 'DesiredCapacity' && s.metric !== 'InServiceInstances');
    observation.events.unshift({ at: at(6_000), kind: 'instance', description: 'new, Pending', instanceId: 'i-new0', toState: 'Pending' });
    expect(timeToScale(observation, START)).toMatchObject({
      activityAtMs: START + 6_000,
      inServiceAtMs: START + 9_000,
      fromCapacity: null,
    });
  });
});

describe('timeline rows from the polls', () => {
  // A 60 s period and a run that starts 37 s into a minute: the first row is stamped -37s.
  const start = START + 37_000;
  const atRun = (offsetMs: number): string => new Date(start + offsetMs).toISOString();
  function polled(): Observation {
    const observation = makeObservation(START);
    observation.periodSec = 60;
    observation.events = [];
    observation.samples = [];
    for (const [offsetMs, capacity] of [
      [0, 2],
      [20_000, 2],
      [30_000, 4],
      [80_000, 4],
    ] as const) {
      observation.samples.push({ at: atRun(offsetMs), metric: 'DesiredCapacity', value: capacity, provisional: false });
      observation.samples.push({ at: atRun(offsetMs), metric: 'InServiceInstances', value: capacity, provisional: false });
    }
    return observation;
  }
  const row = (text: string, stamp: string): string[] =>
    text
      .split('\n')
      .find((l) => l.startsWith(`  ${stamp} `))!
      .trim()
      .split(/\s+/);

  it('shows desired/InService as they were at the end of each period, not the last poll', () => {
    const text = renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs: start, observation: polled() }), { color: false });
    // -37s covers -37s..+23s: the polls at +0s and +20s said 2/2; the 4/4 at +30s belongs to the next row.
    expect(row(text, '-37s')).toContain('2/2');
    expect(row(text, '-37s')).not.toContain('4/4');
    expect(row(text, '+23s')).toContain('4/4');
  });

  it('without a policy or alarms: still a timeline, a line saying so, and dashes for what was not read', () => {
    const observation = { ...polled(), policy: null, alarms: [] };
    const text = renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs: start, observation }), { color: false });
    expect(text).toContain('  no target-tracking policy found');
    expect(text.split('\n\n')[0]).not.toMatch(/\n {2}alarm /);
    const cells = row(text, '-37s');
    // time, abx req, abx p99, req/tgt, vs tgt, healthy, des/InS, CPU: nothing read from CloudWatch is a dash.
    expect(cells.slice(3)).toEqual(['-', '-', '-', '2/2', '-']);
    expect(text).toMatch(/\n {2}alarm +no alarm to follow/);
    // No instance event: the InService count the polls saw rise stands in.
    expect(text).toMatch(/\n {2}instance InService +\+30s/);
  });

  it('a step whose call failed says it could not be read, not that it did not happen', () => {
    const observation = {
      ...polled(),
      samples: polled().samples.filter((s) => s.metric !== 'DesiredCapacity' && s.metric !== 'InServiceInstances'),
      gaps: [
        {
          from: new Date(start).toISOString(),
          to: new Date(start + 60_000).toISOString(),
          reason: 'bad-response: DescribeAlarms: HTTP 500; DescribeScalingActivities: HTTP 500',
          actions: ['DescribeAlarms', 'DescribeScalingActivities'],
        },
      ],
    };
    const text = renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs: start, observation }), { color: false, width: 200 });
    expect(text).toMatch(/\n {2}alarm +could not read \(DescribeAlarms failed; see the gaps\)/);
    expect(text).toMatch(/\n {2}scaling activity +could not read \(DescribeScalingActivities failed; see the gaps\)/);
    expect(text).not.toMatch(/(alarm|scaling activity|instance InService) +not seen/);
  });
});
