import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { startObserver, wantsObservation, type Observer } from '../../src/observe/observer.js';
import type { ObservationEvent } from '../../src/stats/result.js';
import { BUSY_MACHINE_WAIT, ManualClock } from '../helpers/manual-clock.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';
import { ASG, HIGH, LB_DNS, newWorld, scaleOutActivity, worldHandlers, type World } from './scenario.js';

let fake: FakeAws | undefined;
let observer: Observer | undefined;
afterEach(async () => {
  await observer?.stop();
  await fake?.close();
  observer = undefined;
  fake = undefined;
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function observe(world: World, extra: Partial<Parameters<typeof startObserver>[0]> = {}) {
  fake = await startFakeAws(worldHandlers(world));
  const events: ObservationEvent[] = [];
  const warnings: string[] = [];
  const runStartedAtMs = Date.now();
  observer = await startObserver(
    {
      asg: ASG,
      endpointUrl: fake.url,
      region: 'us-east-1',
      pollIntervalMs: 1000,
      runStartedAtMs,
      onEvent: (e) => events.push(e),
      onWarning: (w) => warnings.push(w),
      ...extra,
    },
    { maxAttempts: 1, requestTimeoutMs: 1500 },
  );
  return { events, warnings, runStartedAtMs, fake, observer };
}

describe('wantsObservation / options', () => {
  it('is true for --asg, --target-group and ALB URLs only', () => {
    expect(wantsObservation({ asg: 'a' })).toBe(true);
    expect(wantsObservation({ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1' })).toBe(true);
    expect(wantsObservation({ url: new URL(`http://${LB_DNS}/`) })).toBe(true);
    expect(wantsObservation({ url: new URL('http://127.0.0.1:8080/') })).toBe(false);
    expect(wantsObservation({})).toBe(false);
  });

  it('throws ConfigError only for contradictory options', async () => {
    await expect(startObserver({ pollIntervalMs: 1000, runStartedAtMs: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(startObserver({ asg: 'a', pollIntervalMs: 500, runStartedAtMs: 0 })).rejects.toThrow(
      /--poll-interval must be at least 1s/,
    );
  });
});

describe('observer against a fake Auto Scaling group', () => {
  it('polls at once, follows a scale-out, alarm and instance changes, and keeps to four calls per poll', async () => {
    const world = newWorld(5);
    const t = Math.floor(Date.now() / 5000) * 5000;
    world.datapoints.RequestCountPerTarget = [
      [t - 5000, 20],
      [t, 40],
    ];
    world.datapoints.HealthyHostCount = [[t, 2]];
    const { events, runStartedAtMs, fake } = await observe(world);
    const first = observer!.snapshot();
    expect(first.polls).toBe(1);
    expect(first.policy).toEqual({
      name: 'rcpt-60',
      targetValue: 60,
      metric: 'RequestCountPerTarget',
      resourceLabel: 'app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/73e2d6bc24d8a067',
    });
    expect(first.periodSec).toBe(5);
    expect(first.alarms.map((a) => [a.role, a.threshold, a.evaluationPeriods, a.state])).toEqual([
      ['high', 60, 3, 'OK'],
      ['low', 54, 15, 'OK'],
    ]);
    const rcpt = first.samples.filter((s) => s.metric === 'RequestCountPerTarget');
    expect(rcpt.map((s) => [s.value, s.provisional])).toEqual([
      [20, false],
      [40, true],
    ]);
    expect(first.samples.filter((s) => s.metric === 'DesiredCapacity').map((s) => s.value)).toEqual([2]);
    // GetMetricData used the alarm's own dimension set and period.
    const gmd = fake.calls.find((c) => c.op === 'GetMetricData')!.params as {
      MetricDataQueries: { Id: string; MetricStat: { Period: number; Metric: { Dimensions: { Name: string }[] } } }[];
    };
    const rcptQuery = gmd.MetricDataQueries.find((q) => q.Id === 'rcpt')!;
    expect(rcptQuery.MetricStat.Period).toBe(5);
    expect(rcptQuery.MetricStat.Metric.Dimensions.map((d) => d.Name)).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(events).toEqual([]);

    // The load pushes requests per target over 60: the alarm fires, the group scales out 2 → 4.
    const now = new Date();
    world.datapoints.RequestCountPerTarget = [
      [t - 5000, 20],
      [t, 137.5],
      [t + 5000, 150],
    ];
    world.alarmState = { high: 'ALARM', low: 'OK', highChangedAt: now };
    world.desired = 4;
    world.instances.push({
      InstanceId: 'i-0abc1234def567890',
      LifecycleState: 'Pending',
      AvailabilityZone: 'us-east-1a',
      HealthStatus: 'Healthy',
    });
    world.activities = [scaleOutActivity('act-1', now, 2, 4)];
    // An old, finished activity from before the run is not news.
    world.activities.push(scaleOutActivity('act-0', new Date(runStartedAtMs - 3_600_000), 1, 2, 'Successful'));
    await waitFor(() => events.some((e) => e.kind === 'scaling-activity'));
    await waitFor(() => events.some((e) => e.kind === 'instance'));
    world.instances[2].LifecycleState = 'InService';
    world.activities[0] = scaleOutActivity('act-1', now, 2, 4, 'Successful');
    await waitFor(
      () => events.filter((e) => e.kind === 'scaling-activity').length === 2 && events.filter((e) => e.kind === 'instance').length === 2,
    );

    const observation = await observer!.stop();
    observer = undefined;
    const activity = observation.events.filter((e) => e.kind === 'scaling-activity');
    expect(activity).toHaveLength(1);
    expect(activity[0]).toMatchObject({
      activityId: 'act-1',
      fromCapacity: 2,
      toCapacity: 4,
      statusCode: 'Successful',
      alarmName: HIGH,
      availabilityZone: 'us-east-1a',
    });
    const alarm = observation.events.find((e) => e.kind === 'alarm')!;
    expect(alarm).toMatchObject({
      alarmName: HIGH,
      fromState: 'OK',
      toState: 'ALARM',
      description: 'RequestCountPerTarget 137.5 > 60 for 3 of 3 periods',
    });
    expect(observation.events.filter((e) => e.kind === 'instance').map((e) => [e.instanceId, e.fromState, e.toState])).toEqual([
      ['i-0abc1234def567890', undefined, 'Pending'],
      ['i-0abc1234def567890', 'Pending', 'InService'],
    ]);
    expect(observation.alarms.find((a) => a.role === 'high')!.state).toBe('ALARM');
    // The period once newest is now settled, with its refreshed value.
    const settled = observation.samples.filter((s) => s.metric === 'RequestCountPerTarget');
    expect(settled.map((s) => [s.value, s.provisional])).toEqual([
      [20, false],
      [137.5, false],
      [150, true],
    ]);
    expect(observation.samples.filter((s) => s.metric === 'InServiceInstances').at(-1)!.value).toBe(3);
    expect(observation.gaps).toEqual([]);
    expect(observation.warnings).toEqual([]);
    // Discovery: DescribeAutoScalingGroups, DescribePolicies, DescribeAlarms, DescribeTargetGroups (the load
    // balancer's ARN). Then four calls per poll.
    expect(observation.apiCalls).toBe(fake.calls.length);
    expect(fake.calls.length - 4).toBe(observation.polls * 4);
    expect(observation.polls).toBeGreaterThanOrEqual(4);
  });

  it('lingers after the load and ends the linger early on abort', async () => {
    const world = newWorld(5);
    // On a clock that never moves by itself the linger can only end by the abort.
    const clock = new ManualClock();
    fake = await startFakeAws(worldHandlers(world));
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, region: 'us-east-1', pollIntervalMs: 1000, runStartedAtMs: clock.now() },
      { maxAttempts: 1, clock },
    );
    const abort = new AbortController();
    const stopped = observer.stop({ lingerMs: 20_000, signal: abort.signal });
    // The linger is waiting (next to the 1 s poll timer); the abort ends it.
    await vi.waitFor(() => expect(clock.pendingDelays()).toContain(20_000), BUSY_MACHINE_WAIT);
    abort.abort();
    const observation = await stopped;
    observer = undefined;
    // One poll at start, one final poll; the poll timer never fired.
    expect(observation.polls).toBe(2);
  });
});

describe('failure is not fatal', () => {
  it('throttling: warns once, marks a gap, backs off, and keeps the other series', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), GetMetricData: () => ({ fail: 'throttle' }) });
    const warnings: string[] = [];
    const clock = new ManualClock();
    let polls = 0;
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: clock.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1, clock, onPoll: (o) => (polls = o.polls) },
    );
    // The first poll was throttled: the next one waits twice the 1 s interval...
    expect(polls).toBe(1);
    expect(clock.pendingDelays()).toEqual([2000]);
    clock.advance(1999);
    expect(polls).toBe(1);
    clock.advance(1);
    await vi.waitFor(() => expect(polls).toBe(2), BUSY_MACHINE_WAIT);
    // ...and throttled again, four times, up to eight.
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([4000]), BUSY_MACHINE_WAIT);
    const observation = await observer.stop();
    observer = undefined;
    expect(warnings).toEqual(['GetMetricData was throttled by AWS (Throttling); polling less often']);
    expect(observation.gaps).toHaveLength(1);
    expect(observation.gaps[0]).toMatchObject({ reason: 'throttling: GetMetricData: throttled', actions: ['GetMetricData'] });
    expect(observation.samples.some((s) => s.metric === 'DesiredCapacity')).toBe(true);
    // Start, the backed-off poll, the final one.
    expect(observation.polls).toBe(3);
  });

  it('AccessDenied names the missing IAM action', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), DescribeScalingActivities: () => ({ fail: 'deny' }) });
    const warnings: string[] = [];
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: Date.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1 },
    );
    const observation = await observer.stop();
    observer = undefined;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^AccessDenied on DescribeScalingActivities: allow IAM action autoscaling:DescribeScalingActivities/);
    expect(observation.gaps[0].reason).toMatch(/^access-denied/);
    expect(observation.policy?.targetValue).toBe(60);
  });

  it.each([
    ['server-error', /^HTTP 500 from (GetMetricData|DescribeAlarms): Internal Server Error; the next poll tries again$/],
    ['garbage', /^(GetMetricData|DescribeAlarms) answered HTTP 200 with something abx cannot read: .*; the next poll tries again$/],
  ] as const)('%s: warns and marks a gap', async (mode, pattern) => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), GetMetricData: () => ({ fail: mode }), DescribeAlarms: () => ({ fail: mode }) });
    const warnings: string[] = [];
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: Date.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1 },
    );
    const observation = await observer.stop();
    observer = undefined;
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.every((w) => pattern.test(w))).toBe(true);
    expect(observation.gaps.length).toBeGreaterThanOrEqual(1);
    expect(observation.asg).toBe(ASG);
  });

  it('two calls failing: one gap naming both, extended poll after poll rather than alternating', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({
      ...worldHandlers(world),
      DescribeScalingActivities: () => ({ fail: 'server-error' }),
      DescribeAlarms: (p) =>
        fake!.calls.filter((c) => c.op === 'DescribeAlarms').length > 1 ? { fail: 'server-error' } : worldHandlers(world).DescribeAlarms(p),
    });
    const clock = new ManualClock();
    let polls = 0;
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: clock.now() },
      { maxAttempts: 1, clock, onPoll: (o) => (polls = o.polls) },
    );
    for (let n = 2; n <= 3; n++) {
      clock.advance(1000);
      await vi.waitFor(() => expect(polls).toBe(n), BUSY_MACHINE_WAIT);
    }
    const observation = await observer.stop();
    observer = undefined;
    expect(observation.gaps).toEqual([
      {
        from: expect.any(String) as unknown,
        to: expect.any(String) as unknown,
        reason: 'bad-response: DescribeAlarms: HTTP 500; DescribeScalingActivities: HTTP 500',
        actions: ['DescribeAlarms', 'DescribeScalingActivities'],
      },
    ]);
  });

  it("the group's target groups change during the run: said once, and the target group is found again", async () => {
    const world = newWorld(5);
    const handlers = worldHandlers(world);
    let moved = false;
    const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg-b/0123456789abcdef';
    const groups = handlers.DescribeAutoScalingGroups;
    handlers.DescribeAutoScalingGroups = (p) => {
      const reply = groups(p) as { body: { AutoScalingGroups: Record<string, unknown>[] } };
      if (moved)
        for (const g of reply.body.AutoScalingGroups)
          if (g.AutoScalingGroupName === ASG) g.TrafficSources = [{ Identifier: TG_B, Type: 'elbv2' }];
      return reply;
    };
    fake = await startFakeAws(handlers);
    const clock = new ManualClock();
    const warnings: string[] = [];
    let polls = 0;
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: clock.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1, clock, onPoll: (o) => (polls = o.polls) },
    );
    moved = true;
    for (let n = 2; n <= 3; n++) {
      clock.advance(1000);
      await vi.waitFor(() => expect(polls).toBe(n), BUSY_MACHINE_WAIT);
    }
    const observation = await observer.stop();
    observer = undefined;
    expect(warnings.filter((w) => /changed during the run/.test(w))).toEqual([
      `the target groups of group ${ASG} changed during the run (now ${TG_B}): finding the target group to follow again`,
    ]);
    expect(observation.targetGroup).toBe(TG_B);
  });

  it('endpoint down: never throws, warns once, one merged gap over the whole run', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const warnings: string[] = [];
    const runStartedAtMs = Date.now();
    observer = await startObserver(
      { asg: ASG, endpointUrl: `http://127.0.0.1:${port}`, pollIntervalMs: 1000, runStartedAtMs, onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1 },
    );
    await new Promise((r) => setTimeout(r, 1300));
    const observation = await observer.stop();
    observer = undefined;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cannot reach the AWS endpoint for DescribeAutoScalingGroups \(ECONNREFUSED\)/);
    expect(observation.gaps).toHaveLength(1);
    expect(Date.parse(observation.gaps[0].from)).toBe(runStartedAtMs);
    expect(observation.polls).toBeGreaterThanOrEqual(2);
    expect(observation.asg).toBe(ASG);
  });

  it('a hung endpoint cannot hold the start or the stop for long', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), DescribeAutoScalingGroups: () => ({ fail: 'hang' }) });
    const warnings: string[] = [];
    const started = Date.now();
    observer = await startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: Date.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1, requestTimeoutMs: 500 },
    );
    const observation = await observer.stop();
    observer = undefined;
    // Start budget (3 s) plus the stop cap (2 s) at most; without the caps this would hang.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(warnings[0]).toMatch(/cannot reach the AWS endpoint for DescribeAutoScalingGroups/);
    expect(observation.gaps).toHaveLength(1);
  });

  it('startObserver holds the load back for at most its start budget; the slow first poll finishes later', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), DescribePolicies: () => ({ fail: 'hang' }) });
    const warnings: string[] = [];
    const clock = new ManualClock();
    const starting = startObserver(
      { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: clock.now(), onWarning: (w) => warnings.push(w) },
      { maxAttempts: 1, requestTimeoutMs: 1500, startBudgetMs: 300, clock },
    );
    // Discovery hangs on DescribePolicies; once the 300 ms budget passes, the start returns anyway.
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([300]), BUSY_MACHINE_WAIT);
    clock.advance(300);
    observer = await starting;
    expect(observer.snapshot().polls).toBe(0);
    const observation = await observer.stop();
    observer = undefined;
    // The first poll ended once DescribePolicies gave up; the final poll ran after it.
    expect(observation.polls).toBe(2);
    expect(warnings[0]).toMatch(/cannot reach the AWS endpoint for DescribePolicies/);
    expect(observation.samples.some((s) => s.metric === 'DesiredCapacity')).toBe(true);
  });

  it('no credentials: one warning that says how to fix it', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/abx-test-credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/abx-test-config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      const world = newWorld(5);
      fake = await startFakeAws(worldHandlers(world));
      const warnings: string[] = [];
      observer = await startObserver(
        { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs: Date.now(), onWarning: (w) => warnings.push(w) },
        { maxAttempts: 1 },
      );
      const observation = await observer.stop();
      observer = undefined;
      expect(warnings).toEqual([
        'no AWS credentials found: set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CloudShell; observation is off',
      ]);
      expect(observation.gaps[0].reason).toMatch(/^credentials/);
      expect(fake.calls).toEqual([]);
      // With --profile, the warning names the profile.
      const profiled: string[] = [];
      const second = await startObserver(
        {
          asg: ASG,
          profile: 'load-test',
          endpointUrl: fake.url,
          region: 'us-east-1',
          pollIntervalMs: 1000,
          runStartedAtMs: Date.now(),
          onWarning: (w) => profiled.push(w),
        },
        { maxAttempts: 1 },
      );
      await second.stop();
      expect(profiled).toEqual([
        'no AWS credentials for profile "load-test": check ~/.aws/config and ~/.aws/credentials (or run aws sso login); observation is off',
      ]);
      // And without any region at all, one warning says how to give one, and a gap covers the run.
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      const regionless: string[] = [];
      const runStartedAtMs = Date.now() - 5000;
      const third = await startObserver(
        { asg: ASG, endpointUrl: fake.url, pollIntervalMs: 1000, runStartedAtMs, onWarning: (w) => regionless.push(w) },
        { maxAttempts: 1 },
      );
      await new Promise((r) => setTimeout(r, 200));
      const stoppedAtMs = Date.now();
      const none = await third.stop();
      expect(Date.parse(none.gaps[0].from)).toBe(runStartedAtMs);
      expect(Date.parse(none.gaps[0].to)).toBeGreaterThanOrEqual(stoppedAtMs);
      expect(regionless).toEqual(['no AWS region: pass --region or set AWS_REGION']);
      expect(none.gaps).toHaveLength(1);
      expect(none.polls).toBe(0);
    } finally {
      process.env = saved;
    }
  });
});
