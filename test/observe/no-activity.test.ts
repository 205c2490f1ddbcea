/**
 * An API that reports instances coming InService after a manual
 * set-desired-capacity but returns no scaling activity for it: "Time to scale"
 * must take the polls' capacity rise and the new instances instead of saying
 * "not seen" under the instance lines the timeline printed.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { startObserver, type Observer } from '../../src/observe/observer.js';
import { renderScalingTimeline } from '../../src/report/scaling.js';
import { makeResult } from '../fixtures/make-result.js';
import { BUSY_MACHINE_WAIT, ManualClock } from '../helpers/manual-clock.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';
import { ASG, newWorld, worldHandlers } from './scenario.js';

let fake: FakeAws | undefined;
let observer: Observer | undefined;
afterEach(async () => {
  await observer?.stop();
  await fake?.close();
  observer = undefined;
  fake = undefined;
});

it('takes time to scale from the polls when the API reports no scaling activity', async () => {
  const world = newWorld(5);
  fake = await startFakeAws({ ...worldHandlers(world), DescribeScalingActivities: () => ({ body: { Activities: [] } }) });
  const clock = new ManualClock();
  const startedAtMs = clock.now();
  let polls = 0;
  observer = await startObserver(
    { asg: ASG, endpointUrl: fake.url, region: 'us-east-1', pollIntervalMs: 1000, runStartedAtMs: startedAtMs },
    { maxAttempts: 1, clock, onPoll: (o) => (polls = o.polls) },
  );
  expect(polls).toBe(1);
  // A manual set-desired-capacity 2 → 4: two instances appear, already InService.
  world.desired = 4;
  world.instances.push(
    { InstanceId: 'i-0ccc3333dddd44440', LifecycleState: 'InService', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy' },
    { InstanceId: 'i-0ccc3333dddd44441', LifecycleState: 'InService', AvailabilityZone: 'us-east-1b', HealthStatus: 'Healthy' },
  );
  clock.advance(1000);
  await vi.waitFor(() => expect(polls).toBe(2), BUSY_MACHINE_WAIT);
  const observation = await observer.stop();
  observer = undefined;
  expect(observation.events.filter((e) => e.kind === 'scaling-activity')).toEqual([]);

  const text = renderScalingTimeline(makeResult({ secondsMs: [[1]], startedAtMs, observation }), { color: false });
  expect(text).toMatch(/\+1s {2}2 instances new, InService/);
  expect(text).toMatch(/\n {2}capacity increase +\+1s +2 → 4/);
  expect(text).toMatch(/\n {2}instance InService +\+1s/);
  expect(text).not.toMatch(/instance InService +not seen/);
});
