/**
 * The observer and `abx watch` against the lab (src/lab): a simulated ALB and
 * Auto Scaling group served behind the real AWS wire protocols on loopback,
 * through the real SDK clients. Load is bounded: at most 4000 requests over
 * at most 5 seconds, to 127.0.0.1 only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch.js';
import { createAwsApi } from '../../src/aws/clients.js';
import { startObserver } from '../../src/observe/observer.js';
import { renderScalingTimeline } from '../../src/report/scaling.js';
import { timeToScale } from '../../src/stats/time-to-scale.js';
import type { Observation, ObservationEvent } from '../../src/stats/result.js';
import { startLab, type Lab } from '../../src/lab/index.js';
import { driveLoad } from '../helpers/drive.js';
import { makeResult } from '../fixtures/make-result.js';
import { schemaErrors } from '../helpers/schema.js';

let lab: Lab;
let observation: Observation;
let events: ObservationEvent[];
let runStartedAtMs: number;
let sent: number;

beforeAll(async () => {
  lab = await startLab({
    withPolicy: true,
    port: 0,
    apiPort: 0,
    periodMs: 1000,
    launchDelayMs: 300,
    warmupMs: 300,
    min: 2,
    max: 4,
    desired: 2,
    targetValue: 10,
    instanceCapacity: 400,
    highEvaluationPeriods: 2,
  });
  events = [];
  runStartedAtMs = Date.now();
  const observer = await startObserver(
    { asg: lab.asgName, endpointUrl: lab.apiUrl, region: lab.region, pollIntervalMs: 1000, runStartedAtMs, onEvent: (e) => events.push(e) },
    { maxAttempts: 1 },
  );
  const drive = await driveLoad(lab.url, { requests: 4000, concurrency: 4, timeLimitMs: 5000 });
  sent = drive.sent;
  observation = await observer.stop({ lingerMs: 1500 });
}, 30_000);

afterAll(async () => {
  await lab?.close();
});

describe('observer against the lab', () => {
  it('sees a scale-out that began during the run, with capacities from the Cause', () => {
    expect(sent).toBeGreaterThan(100);
    expect(observation.warnings).toEqual([]);
    expect(observation.gaps).toEqual([]);
    expect(observation.asg).toBe(lab.asgName);
    expect(observation.policy?.targetValue).toBe(10);
    expect(observation.periodSec).toBe(1);
    const scaleOuts = observation.events.filter((e) => e.kind === 'scaling-activity' && (e.toCapacity ?? 0) > (e.fromCapacity ?? 0));
    expect(scaleOuts.length).toBeGreaterThanOrEqual(1);
    expect(scaleOuts[0].fromCapacity).toBe(2);
    expect(scaleOuts[0].toCapacity).toBeGreaterThan(2);
    expect(Date.parse(scaleOuts[0].at)).toBeGreaterThanOrEqual(runStartedAtMs - 1000);
    // The live callback saw the same activity.
    expect(events.some((e) => e.activityId === scaleOuts[0].activityId)).toBe(true);
    const alarm = observation.events.find((e) => e.kind === 'alarm' && e.toState === 'ALARM');
    expect(alarm?.alarmName).toMatch(/AlarmHigh/);
  });

  it('reads RequestCountPerTarget against the target, and capacity from the group', () => {
    const rcpt = observation.samples.filter((s) => s.metric === 'RequestCountPerTarget');
    expect(rcpt.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...rcpt.map((s) => s.value))).toBeGreaterThan(10);
    expect(rcpt.filter((s) => s.provisional).length).toBeLessThanOrEqual(1);
    expect(Math.max(...observation.samples.filter((s) => s.metric === 'DesiredCapacity').map((s) => s.value))).toBeGreaterThan(2);
    expect(observation.samples.some((s) => s.metric === 'HealthyHostCount')).toBe(true);
    // At most four calls per poll after discovery's few.
    expect(observation.apiCalls).toBeLessThanOrEqual(observation.polls * 4 + 4);
  });

  it('measures time to scale and renders it', () => {
    const tts = timeToScale(observation, runStartedAtMs);
    expect(tts.loadAboveTargetAtMs).not.toBeNull();
    expect(tts.alarmAtMs).not.toBeNull();
    expect(tts.activityAtMs).not.toBeNull();
    expect(tts.activityAtMs!).toBeGreaterThanOrEqual(tts.alarmAtMs! - 1000);
    const text = renderScalingTimeline(makeResult({ secondsMs: [[1, 2, 3]], startedAtMs: runStartedAtMs, observation }), { color: false });
    expect(text).toMatch(/scale-out 2 → \d: /);
    expect(text).toMatch(/scaling activity +\+\d+s/);
  });

  it('produces an observation the result schema accepts, unchanged by a JSON round trip', () => {
    const result = makeResult({ secondsMs: [[1, 2, 3]], startedAtMs: runStartedAtMs, observation });
    const roundTrip = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(roundTrip.observation).toEqual(observation);
    expect(schemaErrors(roundTrip)).toEqual([]);
  });

  it('discovers the group from the load balancer DNS name alone', async () => {
    const api = await createAwsApi({ region: lab.region, endpointUrl: lab.apiUrl, maxAttempts: 1 });
    const lbs = await api.describeLoadBalancers({});
    api.destroy();
    const dns = lbs.LoadBalancers![0].DNSName!;
    const observer = await startObserver(
      { url: new URL(`http://${dns}:8080/`), endpointUrl: lab.apiUrl, pollIntervalMs: 1000, runStartedAtMs: Date.now() },
      { maxAttempts: 1 },
    );
    const seen = await observer.stop();
    expect(seen.warnings).toEqual([]);
    expect(seen.asg).toBe(lab.asgName);
    expect(seen.targetGroup).toBe(lab.targetGroupArn);
    expect(seen.loadBalancer).toBe(lab.loadBalancerArn);
    expect(seen.region).toBe(lab.region);
  });

  it('`watch --once` prints the state and the activities', async () => {
    let out = '';
    let err = '';
    const code = await runWatch(
      undefined,
      { asg: lab.asgName, endpointUrl: lab.apiUrl, region: lab.region, once: true, since: '5m' },
      { out: (t) => (out += t), err: (t) => (err += t), maxAttempts: 1, width: 200 },
    );
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(new RegExp(`^${lab.asgName} \\(${lab.region}\\)\n`));
    expect(out).toMatch(/desired \d+ {2}InService \d+ {2}Pending \d+/);
    expect(out).toMatch(/history \(last 5m\):\n/);
    expect(out).toMatch(/\n {2}\d\d:\d\d:\d\d {2}scale-out 2 → \d: /);
    // With --since, alarm history comes from DescribeAlarmHistory: the breach, even though the alarm is OK again by now.
    expect(out).toMatch(
      /\n {2}\d\d:\d\d:\d\d {2}alarm AlarmHigh-… \S+ → ALARM \(RequestCountPerTarget (?:[\d.]+ )?> 10 for 2 of 2 periods\)\n/,
    );
  });

  it('`watch --once --json` prints one JSON object per line', async () => {
    let out = '';
    await runWatch(
      undefined,
      { asg: lab.asgName, endpointUrl: lab.apiUrl, once: true, json: true, since: '5m' },
      { out: (t) => (out += t), err: () => {}, maxAttempts: 1 },
    );
    const objects = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; kind?: string; desired?: number });
    expect(objects[0].type).toBe('state');
    expect(objects[0].desired).toBeGreaterThan(2);
    expect(objects.some((o) => o.type === 'event' && o.kind === 'scaling-activity')).toBe(true);
  });

  it('`watch` follows until aborted, printing a state line and exiting 0', async () => {
    let out = '';
    let err = '';
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1500);
    const code = await runWatch(
      undefined,
      { asg: lab.asgName, endpointUrl: lab.apiUrl, pollInterval: '1s' },
      { out: (t) => (out += t), err: (t) => (err += t), signal: abort.signal, maxAttempts: 1, width: 200 },
    );
    expect(code).toBe(0);
    expect(err).toBe(
      `abx: watching ${lab.asgName} (${lab.region}); policy ${lab.policyName}: RequestCountPerTarget target 10 per 1 s; every 1 s, Ctrl-C to stop\n`,
    );
    expect(out).toMatch(
      /^\d\d:\d\d:\d\d {2}RequestCountPerTarget [\d.]+\*?\/10 \(\d+%\) {2}desired \d+ {2}InService \d+ {2}Pending \d+ {2}AlarmHigh \w+/m,
    );
  });
});
