import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { availabilityZoneFromDetails, instanceIdFromDescription, isTerminalStatus, parseCause } from '../../src/observe/cause.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8');

/** The Cause texts of the fixture's activities, XML-unescaped. */
function causes(xml: string): string[] {
  return [...xml.matchAll(/<Cause>([\s\S]*?)<\/Cause>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
}

describe('parseCause', () => {
  it('reads a target-tracking scale-out (constructed fixture)', () => {
    const [scaleOut] = causes(fixture('constructed-autoscaling-DescribeScalingActivities-TargetTracking.response.xml'));
    expect(parseCause(scaleOut)).toEqual({
      alarmName: 'TargetTracking-de-c1w3-asg-AlarmHigh-fc0e4183-23ac-497e-9992-691c9980c38e',
      alarmState: 'ALARM',
      policyName: 'alb1000-target-tracking-scaling-policy',
      fromCapacity: 2,
      toCapacity: 4,
      changedAtMs: Date.parse('2026-01-01T00:04:10Z'),
    });
  });

  it('reads a scale-in, as the user guide prints it', () => {
    const cause =
      'At 2020-02-11T18:34:10Z a monitor alarm TargetTracking-my-asg-AlarmLow-b9376cab-18a7-4385-920c-dfa3f7783f82 in state ALARM triggered policy my-target-tracking-policy changing the desired capacity from 3 to 2.  At 2020-02-11T18:34:31Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2.  At 2020-02-11T18:34:31Z instance i-06c4794c2499af1df was selected for termination.';
    const parsed = parseCause(cause);
    expect(parsed.fromCapacity).toBe(3);
    expect(parsed.toCapacity).toBe(2);
    expect(parsed.policyName).toBe('my-target-tracking-policy');
    expect(parsed.alarmName).toMatch(/AlarmLow/);
  });

  it('reads a user request (API reference example) from its desired-capacity sentence', () => {
    const [cause] = causes(fixture('autoscaling-DescribeScalingActivities.response.xml'));
    const parsed = parseCause(cause);
    expect(parsed).toMatchObject({ fromCapacity: 0, toCapacity: 1 });
    expect(parsed.alarmName).toBeUndefined();
  });

  it('falls back to the actual-capacity sentence, and returns nothing for text without numbers', () => {
    expect(
      parseCause(
        'At 2026-01-01T00:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2.',
      ),
    ).toMatchObject({
      fromCapacity: 1,
      toCapacity: 2,
    });
    expect(parseCause('an instance was started in response to an unhealthy instance')).toEqual({});
    expect(parseCause(undefined)).toEqual({});
  });
});

describe('activity details', () => {
  it('reads the AZ from Details JSON, even the elided user-guide text', () => {
    expect(availabilityZoneFromDetails('{"Subnet ID":"subnet-5ea0c127","Availability Zone":"us-east-1a"}')).toBe('us-east-1a');
    expect(availabilityZoneFromDetails('{"Subnet ID":"subnet-5ea0c127","Availability Zone":"us-west-2a"...}')).toBe('us-west-2a');
    expect(availabilityZoneFromDetails('{}')).toBeUndefined();
  });

  it('reads the instance id from the description', () => {
    expect(instanceIdFromDescription('Launching a new EC2 instance: i-0abc1234def567890')).toBe('i-0abc1234def567890');
    expect(instanceIdFromDescription('Terminating EC2 instance: i-06c4794c2499af1df')).toBe('i-06c4794c2499af1df');
    expect(instanceIdFromDescription('Launching a new EC2 instance.  Status Reason: failed')).toBeUndefined();
  });

  it('knows the terminal status codes', () => {
    expect(['Successful', 'Failed', 'Cancelled'].every(isTerminalStatus)).toBe(true);
    expect(['InProgress', 'WaitingForInstanceWarmup', 'PreInService', undefined].some(isTerminalStatus)).toBe(false);
  });
});
