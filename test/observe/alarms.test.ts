import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlarmHistoryItem, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { alarmEvents, alarmHistoryEvents, alarmReason } from '../../src/observe/autoscaling.js';
import { toAlarmInfo } from '../../src/observe/discover.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8');
const alarm = JSON.parse(fixture('constructed-cloudwatch-DescribeAlarms-TargetTracking.response.json')).MetricAlarms[0] as MetricAlarm & {
  StateTransitionedTimestamp: number;
};

describe('alarm reasons', () => {
  it('states the breach with the newest datapoint while in ALARM, and what would fire it otherwise', () => {
    expect(alarmReason(alarm)).toBe('RequestCountPerTarget 1410 > 1000 for 3 of 3 periods');
    expect(alarmReason({ ...alarm, StateValue: 'OK', StateReasonData: undefined })).toBe(
      'fires at RequestCountPerTarget > 1000 for 3 of 3 periods',
    );
    expect(
      alarmReason({
        MetricName: 'CPUUtilization',
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        Threshold: 28,
        EvaluationPeriods: 15,
        StateValue: 'ALARM',
      }),
    ).toBe('CPUUtilization ≤ 28 for 15 of 15 periods');
  });
});

describe('alarm transitions from DescribeAlarms', () => {
  const sdkAlarm = { ...alarm, StateTransitionedTimestamp: new Date(alarm.StateTransitionedTimestamp * 1000) } as MetricAlarm;
  const transitionMs = alarm.StateTransitionedTimestamp * 1000;
  it('on the first poll, reports only a transition since the start, with the old state unknown', () => {
    expect(alarmEvents(null, [sdkAlarm], transitionMs + 1)).toEqual([]);
    const [event] = alarmEvents(null, [sdkAlarm], transitionMs - 1000);
    expect(event).toEqual({
      at: new Date(transitionMs).toISOString(),
      kind: 'alarm',
      description: 'RequestCountPerTarget 1410 > 1000 for 3 of 3 periods',
      alarmName: alarm.AlarmName,
      toState: 'ALARM',
    });
  });

  it('later, reports each change of state with the old one, and nothing when unchanged', () => {
    const name = alarm.AlarmName!;
    expect(alarmEvents(new Map([[name, 'ALARM']]), [sdkAlarm], 0)).toEqual([]);
    expect(alarmEvents(new Map([[name, 'OK']]), [sdkAlarm], Number.MAX_SAFE_INTEGER)[0]).toMatchObject({
      fromState: 'OK',
      toState: 'ALARM',
    });
  });
});

describe('alarm history', () => {
  it('turns StateUpdate items into events and skips the rest (constructed fixture)', () => {
    const body = JSON.parse(fixture('constructed-cloudwatch-DescribeAlarmHistory.response.json')) as {
      AlarmHistoryItems: (AlarmHistoryItem & { Timestamp: number })[];
    };
    const items = body.AlarmHistoryItems.map((i) => ({ ...i, Timestamp: new Date(i.Timestamp * 1000) }));
    const events = alarmHistoryEvents(items, [toAlarmInfo(alarm)]);
    expect(events).toEqual([
      {
        at: '2026-01-01T00:03:01.123Z',
        kind: 'alarm',
        description: 'RequestCountPerTarget > 1000 for 3 of 3 periods',
        alarmName: alarm.AlarmName,
        fromState: 'OK',
        toState: 'ALARM',
      },
    ]);
    // Without the alarm's numbers, the summary line stands in; garbage HistoryData is skipped.
    const bare = alarmHistoryEvents([...items, { ...items[0], HistoryData: '{not json' }], []);
    expect(bare.map((e) => e.description)).toEqual(['Alarm updated from OK to ALARM']);
  });
});
