import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatState, registerWatchCommand, runWatch, watchOptions, watchState } from '../../src/cli/watch.js';
import { ConfigError } from '../../src/errors.js';
import { makeObservation } from '../fixtures/make-result.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';
import { ASG, HIGH, LB_DNS, newWorld, scaleOutActivity, worldHandlers } from './scenario.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await fake?.close();
  fake = undefined;
});

describe('watch options', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it.each<[string | undefined, Record<string, unknown>, RegExp]>([
    [undefined, {}, /^watch needs --asg NAME, --target-group ARN or an ALB URL/],
    [
      'http://example.com/',
      {},
      /^watch: example\.com is not an ALB DNS name \(\*\.elb\.amazonaws\.com\); pass --asg NAME or --target-group ARN$/,
    ],
    [undefined, { targetGroup: 'web-tg' }, /^--target-group must be a target group ARN/],
    ['not a url', {}, /is not a URL/],
    [undefined, { asg: 'g', pollInterval: '500ms' }, /^--poll-interval must be at least 1s/],
    [undefined, { asg: 'g', pollInterval: 'soon' }, /^--poll-interval must be a duration/],
    [undefined, { asg: 'g', since: 'yesterday' }, /^--since must be a duration/],
  ])('%s %j → ConfigError', (url, flags, message) => {
    expect(() => watchOptions(url, flags, now)).toThrow(ConfigError);
    expect(() => watchOptions(url, flags, now)).toThrow(message);
  });

  it('maps flags to observer options; --since moves the start back, --once defaults to an hour of history', () => {
    const { options, sinceMs } = watchOptions(`http://${LB_DNS}/`, { region: 'eu-west-1', since: '30m', pollInterval: '2s' }, now);
    expect(sinceMs).toBe(1_800_000);
    expect(options).toMatchObject({ pollIntervalMs: 2000, runStartedAtMs: now - 1_800_000, region: 'eu-west-1' });
    expect(options.url?.hostname).toBe(LB_DNS);
    expect(watchOptions(undefined, { asg: 'g', once: true }, now).options).toMatchObject({
      asg: 'g',
      pollIntervalMs: 15_000,
      runStartedAtMs: now - 3_600_000,
    });
    expect(watchOptions(undefined, { asg: 'g' }, now).sinceMs).toBe(0);
  });
});

describe('state lines', () => {
  it('shows the newest settled requests per target against the target, capacity and alarms', () => {
    const start = Date.UTC(2026, 10, 26, 16, 0, 0);
    const observation = makeObservation(start);
    const state = watchState(observation, start + 61_000);
    // The newest period (55) is provisional and still climbing: the line shows the newest complete one.
    expect(state).toMatchObject({
      metric: 'RequestCountPerTarget',
      value: 58,
      provisional: false,
      targetValue: 60,
      desired: 4,
      inService: 4,
      pending: null,
    });
    expect(formatState(state)).toBe(
      '16:01:01  RequestCountPerTarget 58/60 (97%)  desired 4  InService 4  Pending -  AlarmHigh OK  AlarmLow OK',
    );
    // With only a provisional period, that one is shown, marked.
    const onlyNewest = {
      ...observation,
      samples: observation.samples.filter((s) => s.metric !== 'RequestCountPerTarget' || s.provisional),
    };
    expect(formatState(watchState(onlyNewest, start + 61_000))).toMatch(/RequestCountPerTarget 55\*\/60 \(92%\)/);
    expect(formatState({ ...state, metric: null, value: null, desired: null, alarms: {} })).toBe('16:01:01  no datapoints yet (target 60)');
  });
});

describe('the watch command', () => {
  it('registers `watch`, reads flags shared with the main command, and prints the state once', async () => {
    const world = newWorld(5);
    world.activities = [scaleOutActivity('act-9', new Date(Date.now() - 60_000), 2, 3, 'Successful')];
    // The alarm fired and cleared within the last hour; DescribeAlarms alone would show only the clearing.
    const history = (ago: number, from: string, to: string) => ({
      AlarmName: HIGH,
      AlarmType: 'MetricAlarm',
      Timestamp: new Date(Date.now() - ago),
      HistoryItemType: 'StateUpdate',
      HistorySummary: `Alarm updated from ${from} to ${to}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: from },
        newState: { stateValue: to, stateReasonData: { recentDatapoints: [75] } },
      }),
    });
    world.alarmHistory = [history(120_000, 'OK', 'ALARM'), history(30_000, 'ALARM', 'OK')];
    world.alarmState = { high: 'OK', low: 'OK', highChangedAt: new Date(Date.now() - 30_000) };
    fake = await startFakeAws(worldHandlers(world));
    const program = new Command('abx').exitOverride();
    // The main command has the same flags; commander may hand them to either.
    program.option('--asg <name>').option('--region <region>').option('--json');
    registerWatchCommand(program);
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    // Wide enough for whole lines: this test is about what is said (the width rules are tested in test/cli/readable.test.ts).
    vi.stubEnv('COLUMNS', '200');
    await program.parseAsync(['node', 'abx', 'watch', '--asg', ASG, '--region', 'us-east-1', '--endpoint-url', fake.url, '--once']);
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    expect(process.exitCode ?? 0).toBe(0);
    expect(out).toContain(`${ASG} (us-east-1)\npolicy rcpt-60: RequestCountPerTarget target 60\n`);
    expect(out).toMatch(
      /\d\d:\d\d:\d\d {2}no datapoints yet \(target 60\) {2}desired 2 {2}InService 2 {2}Pending 0 {2}AlarmHigh OK {2}AlarmLow OK\n/,
    );
    expect(out).toContain('history (last 1h):\n');
    // One look cannot see instance changes: it says so rather than claim there were none.
    expect(out).toContain('instance changes need two looks: abx watch without --once follows them\n');
    expect(out).toMatch(/ {2}\d\d:\d\d:\d\d {2}scale-out 2 → 3: launching an instance \(us-east-1a\): i-0abc… \[Successful in \d+s\]\n/);
    // The alarm's name loses its UUID: the readable part and "…".
    const alarmLines = out.split('\n').filter((l) => l.includes('alarm AlarmHigh-…'));
    expect(alarmLines.map((l) => l.replace(/^ {2}\d\d:\d\d:\d\d {2}/, ''))).toEqual([
      `alarm AlarmHigh-… OK → ALARM (RequestCountPerTarget 75 > 60 for 3 of 3 periods)`,
      `alarm AlarmHigh-… ALARM → OK (RequestCountPerTarget 75; fires at > 60 for 3 of 3 periods)`,
    ]);
    // --once makes one poll: no final poll on stop.
    expect(fake.calls.filter((c) => c.op === 'GetMetricData')).toHaveLength(1);
  });

  it('rejects a missing group with a ConfigError', async () => {
    const program = new Command('abx').exitOverride();
    registerWatchCommand(program);
    await expect(program.parseAsync(['node', 'abx', 'watch'])).rejects.toBeInstanceOf(ConfigError);
  });

  it('follows: a state line when something changes, event lines as they arrive, exit 0 on abort', async () => {
    const world = newWorld(5);
    fake = await startFakeAws(worldHandlers(world));
    let out = '';
    const abort = new AbortController();
    const done = runWatch(
      undefined,
      { asg: ASG, endpointUrl: fake.url, region: 'us-east-1', pollInterval: '1s', json: true },
      { out: (t) => (out += t), err: () => {}, signal: abort.signal, maxAttempts: 1 },
    );
    const lines = (): { type: string; desired?: number; activityId?: string }[] =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { type: string; desired?: number; activityId?: string });
    // Change the group only after some unchanged polls, then wait for the watch to see it:
    // the watch's own output says when, however slowly this machine runs the 1 s polls.
    // The third poll has begun (its GetMetricData arrived), so two polls saw the same group: one line.
    await vi.waitFor(() => expect(fake!.calls.filter((c) => c.op === 'GetMetricData').length).toBeGreaterThanOrEqual(3), {
      timeout: 20_000,
    });
    expect(lines().filter((l) => l.type === 'state')).toHaveLength(1);
    world.desired = 3;
    world.activities = [scaleOutActivity('act-10', new Date(), 2, 3)];
    await vi.waitFor(
      () => {
        expect(lines().some((l) => l.type === 'state' && l.desired === 3)).toBe(true);
        expect(lines().some((l) => l.type === 'event')).toBe(true);
      },
      { timeout: 20_000 },
    );
    abort.abort();
    expect(await done).toBe(0);
    // One line per change, not per poll: the unchanged polls in between printed nothing.
    expect(
      lines()
        .filter((l) => l.type === 'state')
        .map((l) => l.desired),
    ).toEqual([2, 3]);
    expect(
      lines()
        .filter((l) => l.type === 'event')
        .map((l) => l.activityId),
    ).toEqual(['act-10']);
  });

  it('--once after a failed call says it could not read it, never "no scaling activity"; --since 1s reads "1s"', async () => {
    const world = newWorld(5);
    fake = await startFakeAws({ ...worldHandlers(world), DescribeScalingActivities: () => ({ fail: 'server-error' }) });
    let out = '';
    let err = '';
    const code = await runWatch(
      undefined,
      { asg: ASG, endpointUrl: fake.url, region: 'us-east-1', once: true, since: '1s' },
      { out: (t) => (out += t), err: (t) => (err += t), maxAttempts: 1, width: 200 },
    );
    expect(code).toBe(0);
    expect(out).toContain('could not read scaling activities (DescribeScalingActivities: HTTP 500)\n');
    expect(out).not.toMatch(/no scaling activity/);
    expect(out).toContain('no alarm change in the last 1s\n');
    expect(out).not.toMatch(/last 0m/);
    expect(err).toContain('HTTP 500 from DescribeScalingActivities: Internal Server Error');
  });

  it('a group that does not exist: the error once, not a warning and the error', async () => {
    fake = await startFakeAws(worldHandlers(newWorld(5)));
    let err = '';
    const code = await runWatch(
      undefined,
      { asg: 'nope', endpointUrl: fake.url, region: 'us-east-1', once: true },
      { out: () => undefined, err: (t) => (err += t), maxAttempts: 1 },
    );
    expect(code).toBe(1);
    expect(err).toBe('abx: watch: Auto Scaling group nope does not exist in us-east-1\n');
  });

  it('follow mode: the banner comes before the first state line; --no-color is accepted', async () => {
    fake = await startFakeAws(worldHandlers(newWorld(5)));
    const log: string[] = [];
    const abort = new AbortController();
    const done = runWatch(
      undefined,
      { asg: ASG, endpointUrl: fake.url, region: 'us-east-1', pollInterval: '1s', color: false },
      { out: (t) => log.push(`out ${t}`), err: (t) => log.push(`err ${t}`), signal: abort.signal, maxAttempts: 1, width: 200 },
    );
    await vi.waitFor(() => expect(log.some((l) => l.startsWith('out '))).toBe(true), { timeout: 20_000 });
    abort.abort();
    expect(await done).toBe(0);
    const banner = log.findIndex((l) => l.startsWith('err abx: watching web-asg'));
    expect(banner).toBeGreaterThanOrEqual(0);
    expect(banner).toBeLessThan(log.findIndex((l) => l.startsWith('out ')));
    expect(log.filter((l) => l.startsWith('err abx: watching'))).toHaveLength(1);
    const program = new Command('abx').exitOverride();
    registerWatchCommand(program);
    // Parsed, not refused (the watch itself is not run: no group given).
    await expect(program.parseAsync(['node', 'abx', 'watch', '--no-color'])).rejects.toBeInstanceOf(ConfigError);
  });
});
