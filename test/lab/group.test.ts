/** The scaling group's lifecycle on a fake clock: launch, health checks, warm-up, InService, termination. */
import { describe, expect, it } from 'vitest';
import { ScalingGroup, type Activity } from '../../src/lab/group.js';

const T0 = Date.UTC(2026, 10, 26, 16, 5, 55);

function group(): { g: ScalingGroup; seen: { id: string; status: string }[] } {
  const g = new ScalingGroup({
    asgName: 'abx-lab-asg',
    min: 2,
    max: 6,
    launchDelayMs: 5000,
    warmupMs: 5000,
    drainMs: 2000,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    subnetIds: { 'us-east-1a': 'subnet-a', 'us-east-1b': 'subnet-b' },
  });
  const seen: { id: string; status: string }[] = [];
  g.onActivity((a: Activity) => seen.push({ id: a.activityId, status: a.statusCode }));
  return { g, seen };
}

describe('scaling group', () => {
  it('starts warm: desired instances InService across both zones', () => {
    const { g } = group();
    g.create(2, T0);
    expect(g.inService()).toHaveLength(2);
    expect(g.instances.map((i) => i.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b']);
    expect(g.activities.every((a) => a.statusCode === 'Successful')).toBe(true);
  });

  it('a launch is Pending through the launch delay and the warm-up, then InService', () => {
    const { g, seen } = group();
    g.create(2, T0);
    seen.length = 0;
    const alarmAt = T0 + 60_000;
    g.setDesired(4, { atMs: alarmAt, alarmName: 'TargetTracking-abx-lab-asg-AlarmHigh-x', policyName: 'p' }, alarmAt + 5000);
    const launched = g.instances.slice(2);
    expect(launched.map((i) => i.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b']);
    const table: [number, string, string, string | undefined, number][] = [
      // [ms after launch, lifecycle, target state, target reason, InService count]
      [0, 'Pending', 'initial', 'Elb.RegistrationInProgress', 2],
      [4999, 'Pending', 'initial', 'Elb.RegistrationInProgress', 2],
      [5000, 'Pending', 'initial', 'Elb.InitialHealthChecking', 2],
      [9999, 'Pending', 'initial', 'Elb.InitialHealthChecking', 2],
      [10_000, 'InService', 'healthy', undefined, 4],
    ];
    for (const [afterMs, lifecycle, targetState, reason, inService] of table) {
      g.advance(alarmAt + 5000 + afterMs);
      expect(
        launched.map((i) => [i.lifecycleState, i.targetState, i.targetReason]),
        `at +${afterMs} ms`,
      ).toEqual([
        [lifecycle, targetState, reason],
        [lifecycle, targetState, reason],
      ]);
      expect(g.inService()).toHaveLength(inService);
    }
    const firstLaunch = seen[0].id;
    expect(seen.filter((s) => s.id === firstLaunch).map((s) => s.status)).toEqual(['PreInService', 'InProgress', 'Successful']);
    const activity = g.activities.find((a) => a.activityId === firstLaunch)!;
    expect(activity.endTimeMs).toBe(alarmAt + 15_000);
    expect(activity.cause).toBe(
      'At 2026-11-26T16:06:55Z a monitor alarm TargetTracking-abx-lab-asg-AlarmHigh-x in state ALARM triggered policy p changing the desired capacity from 2 to 4.  At 2026-11-26T16:07:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4.',
    );
    expect(activity.description).toBe(`Launching a new EC2 instance: ${launched[0].instanceId}`);
    expect(JSON.parse(activity.details)).toEqual({ 'Subnet ID': 'subnet-a', 'Availability Zone': 'us-east-1a' });
  });

  it('desired is clamped to min and max', () => {
    const { g } = group();
    g.create(2, T0);
    expect(g.setDesired(50, { atMs: T0 }, T0)).toBe(6);
    expect(g.live()).toHaveLength(6);
    expect(g.setDesired(0, { atMs: T0 }, T0)).toBe(2);
  });

  it('scale-in drains the chosen instance, then it leaves the group', () => {
    const { g } = group();
    g.create(3, T0);
    const t = T0 + 1000;
    g.setDesired(2, { atMs: t, alarmName: 'TargetTracking-abx-lab-asg-AlarmLow-y', policyName: 'p' }, t);
    const draining = g.instances.filter((i) => i.lifecycleState === 'Terminating');
    expect(draining).toHaveLength(1);
    // Zone a held two of three: the victim comes from there, the newest one.
    expect(draining[0].availabilityZone).toBe('us-east-1a');
    expect(draining[0].targetState).toBe('draining');
    expect(g.inService()).toHaveLength(2);
    const activity = g.activities[g.activities.length - 1];
    expect(activity.description).toBe(`Terminating EC2 instance: ${draining[0].instanceId}`);
    expect(activity.cause).toContain('changing the desired capacity from 3 to 2.  At ');
    expect(activity.cause).toContain(
      `shrinking the capacity from 3 to 2.  At 2026-11-26T16:05:56Z instance ${draining[0].instanceId} was selected for termination.`,
    );
    g.advance(t + 1999);
    expect(g.instances).toHaveLength(3);
    g.advance(t + 2000);
    expect(g.instances).toHaveLength(2);
    expect(activity.statusCode).toBe('Successful');
  });
});
