import { describe, expect, it } from 'vitest';
import { byTime } from '../../src/stats/by-time.js';
import { cloudWatchMetricName, policyMetric } from '../../src/stats/policy-metric.js';
import type { Observation } from '../../src/stats/result.js';

describe('cloudWatchMetricName', () => {
  it('maps each predefined target-tracking type to the name CloudWatch publishes', () => {
    expect(cloudWatchMetricName('ALBRequestCountPerTarget')).toBe('RequestCountPerTarget');
    expect(cloudWatchMetricName('ASGAverageCPUUtilization')).toBe('CPUUtilization');
    expect(cloudWatchMetricName('ASGAverageNetworkIn')).toBe('NetworkIn');
    expect(cloudWatchMetricName('ASGAverageNetworkOut')).toBe('NetworkOut');
  });

  it('returns CloudWatch and customized names unchanged, including Object.prototype keys', () => {
    expect(cloudWatchMetricName('RequestCountPerTarget')).toBe('RequestCountPerTarget');
    expect(cloudWatchMetricName('QueueDepth')).toBe('QueueDepth');
    expect(cloudWatchMetricName('toString')).toBe('toString');
  });

  it("policyMetric: the observed policy's metric, RequestCountPerTarget without a policy", () => {
    const observation = (metric: string | null): Observation =>
      ({ policy: metric === null ? null : { name: 'p', targetValue: 60, metric } }) as unknown as Observation;
    expect(policyMetric(observation(null))).toBe('RequestCountPerTarget');
    expect(policyMetric(observation('ASGAverageCPUUtilization'))).toBe('CPUUtilization');
    expect(policyMetric(observation('QueueDepth'))).toBe('QueueDepth');
  });
});

describe('byTime', () => {
  it('orders by instant, not by string, so mixed ISO forms sort correctly', () => {
    const rows = [{ at: '2026-01-01T00:00:01Z' }, { at: '2026-01-01T00:00:00.500Z' }, { at: '2026-01-01T00:00:00Z' }];
    expect([...rows].sort(byTime).map((r) => r.at)).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:01Z']);
  });
});
