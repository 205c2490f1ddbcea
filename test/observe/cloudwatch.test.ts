import { describe, expect, it } from 'vitest';
import { buildMetricDataInput, queryWindow, SampleStore, samplesFromResults, seriesFor } from '../../src/observe/cloudwatch.js';
import { emptyTarget } from '../../src/observe/discover.js';

const target = {
  ...emptyTarget(),
  asg: 'web-asg',
  targetGroupDim: 'targetgroup/web-tg/1',
  loadBalancerDim: 'app/web-alb/2',
  requestCountPerTargetDimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/web-tg/1' }],
  periodSec: 60,
};

describe('seriesFor / buildMetricDataInput', () => {
  it('asks for every series in one batch, with the dimension sets CloudWatch publishes', () => {
    const series = seriesFor(target);
    expect(series.map((s) => s.metric)).toEqual([
      'RequestCountPerTarget',
      'RequestCount',
      'TargetResponseTime',
      'HealthyHostCount',
      'UnHealthyHostCount',
      'HTTPCode_Target_5XX_Count',
      'HTTPCode_ELB_5XX_Count',
      'CPUUtilization',
    ]);
    const healthy = series.find((s) => s.metric === 'HealthyHostCount')!;
    expect(healthy.dimensions.map((d) => d.Name)).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(series.find((s) => s.metric === 'HTTPCode_ELB_5XX_Count')!.dimensions).toEqual([
      { Name: 'LoadBalancer', Value: 'app/web-alb/2' },
    ]);
    expect(series.find((s) => s.metric === 'CPUUtilization')).toMatchObject({
      namespace: 'AWS/EC2',
      stat: 'Average',
      dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }],
    });
    const input = buildMetricDataInput(series, 60, { startMs: 0, endMs: 600_000 });
    expect(input.MetricDataQueries).toHaveLength(8);
    expect(new Set(input.MetricDataQueries!.map((q) => q.Id)).size).toBe(8);
    expect(input.MetricDataQueries!.every((q) => /^[a-z][A-Za-z0-9_]*$/.test(q.Id!) && q.MetricStat!.Period === 60)).toBe(true);
    expect(input.MetricDataQueries![0].MetricStat!.Stat).toBe('Sum');
  });

  it('leaves out series whose dimensions are unknown', () => {
    expect(seriesFor({ ...emptyTarget(), asg: 'g' }).map((s) => s.metric)).toEqual(['CPUUtilization']);
  });

  it('aligns the window to the period and ends after the current one', () => {
    const run = Date.UTC(2026, 0, 1, 0, 10, 30);
    const now = run + 95_000;
    expect(queryWindow(run, now, 60)).toEqual({ startMs: Date.UTC(2026, 0, 1, 0, 9, 0), endMs: Date.UTC(2026, 0, 1, 0, 13, 0) });
    // Long runs read at most the last three hours.
    const late = run + 10 * 3_600_000;
    expect(queryWindow(run, late, 60).startMs).toBe(Math.floor((late - 3 * 3_600_000) / 60_000) * 60_000);
  });
});

describe('provisional periods', () => {
  const series = seriesFor(target);
  const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);
  const read = (points: [number, number][], nowMs: number) =>
    samplesFromResults([{ Id: 'rcpt', Timestamps: points.map(([t]) => new Date(t)), Values: points.map(([, v]) => v) }], series, 60, nowMs);

  it('marks the newest period of each series provisional, and unfinished periods too', () => {
    const samples = read(
      [
        [t0 + 60_000, 980.5],
        [t0, 402],
        [t0 + 120_000, 1210],
      ],
      t0 + 200_000,
    );
    expect(samples.map((s) => [s.at, s.value, s.provisional])).toEqual([
      ['2026-01-01T00:00:00.000Z', 402, false],
      ['2026-01-01T00:01:00.000Z', 980.5, false],
      ['2026-01-01T00:02:00.000Z', 1210, true],
    ]);
    // Ignores results for ids it did not ask for, and non-finite values.
    expect(samplesFromResults([{ Id: 'zzz', Timestamps: [new Date(t0)], Values: [1] }], series, 60, t0)).toEqual([]);
    expect(samplesFromResults([{ Id: 'rcpt', Timestamps: [new Date(Number.NaN)], Values: [1] }], series, 60, t0)).toEqual([]);
  });

  it('overwrites a provisional period when a later poll reads it again', () => {
    const store = new SampleStore();
    store.upsert(
      read(
        [
          [t0, 402],
          [t0 + 60_000, 300],
        ],
        t0 + 130_000,
      ),
    );
    expect(store.all().find((s) => s.at.endsWith('01:00.000Z'))).toMatchObject({ value: 300, provisional: true });
    const changed = store.upsert(
      read(
        [
          [t0, 402],
          [t0 + 60_000, 980.5],
          [t0 + 120_000, 50],
        ],
        t0 + 190_000,
      ),
    );
    expect(changed.map((s) => s.value)).toEqual([980.5, 50]);
    const all = store.all();
    expect(all).toHaveLength(3);
    expect(all.map((s) => [s.value, s.provisional])).toEqual([
      [402, false],
      [980.5, false],
      [50, true],
    ]);
  });

  it('settles a provisional period once a newer one exists, even if it was not read again', () => {
    const store = new SampleStore();
    store.upsert(read([[t0, 402]], t0 + 70_000));
    store.upsert([{ at: new Date(t0 + 60_000).toISOString(), metric: 'RequestCountPerTarget', value: 7, provisional: true }]);
    store.settle();
    expect(store.all().map((s) => s.provisional)).toEqual([false, true]);
  });
});
