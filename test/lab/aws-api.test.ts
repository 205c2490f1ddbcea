/**
 * Every lab operation called with the real AWS SDK v3 clients pointed at the
 * lab's loopback endpoint, asserting the parsed values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startLab, type Lab, type LabActivity } from '../../src/lab/index.js';
import { driveLoad } from '../helpers/drive.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const PERIOD_MS = 300;

let lab: Lab;
let cw: CloudWatchClient;
let asg: AutoScalingClient;
let elb: ElasticLoadBalancingV2Client;
const activities: LabActivity[] = [];
let labStartMs: number;

function clientConfig(l: Lab) {
  return {
    endpoint: l.apiUrl,
    region: l.region,
    credentials: { accessKeyId: 'AKIDTESTFAKE', secretAccessKey: 'fake-secret-for-tests' },
    maxAttempts: 1,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The lab runs on this clock (its `now` option): lab time moves only when a
 * test moves it, so the load lands in one period however slowly this machine
 * serves it, and periods close when the test says so.
 */
let labNowMs = 0;
const labClock = (): number => labNowMs;

/** Polls `probe` until it gives a value; `tick` runs before each try (to move lab time on). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, tick = (): void => {}, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    tick();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function highAlarmState(): Promise<string | undefined> {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${lab.asgName}-AlarmHigh` }));
  return out.MetricAlarms?.[0]?.StateValue;
}

beforeAll(async () => {
  // Mid-period: the first period is a quiet, partial one.
  labNowMs = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS + 100;
  labStartMs = labNowMs;
  // One period of high load is enough to alarm (highEvaluationPeriods 1) and
  // the group scales 2 → ceil(requests / 10) capped at max 4.
  lab = await startLab({
    withPolicy: true,
    port: 0,
    periodMs: PERIOD_MS,
    launchDelayMs: 200,
    warmupMs: 200,
    min: 2,
    max: 4,
    desired: 2,
    targetValue: 10,
    instanceCapacity: 2000,
    highEvaluationPeriods: 1,
    lowEvaluationPeriods: 50,
    asgName: 'test-lab-asg',
    now: labClock,
  });
  lab.onActivity((a) => activities.push(a));
  cw = new CloudWatchClient(clientConfig(lab));
  asg = new AutoScalingClient(clientConfig(lab));
  elb = new ElasticLoadBalancingV2Client(clientConfig(lab));
  // Into the next period; the lab's heartbeat closes the quiet one (the high alarm leaves INSUFFICIENT_DATA).
  labNowMs = labStartMs - 100 + PERIOD_MS + 5;
  await waitFor('the quiet first period to close', async () => ((await highAlarmState()) === 'OK' ? true : undefined));
  // Lab time stands still while the load runs: all 200 requests land in this period.
  const load = await driveLoad(lab.url, { requests: 200, concurrency: 8, timeLimitMs: 10_000 });
  expect(load.statuses[200]).toBe(200);
  // Lab time moves 50 ms per try: the loaded period closes, the group scales out to max, every new instance comes InService.
  const tick = (): void => {
    labNowMs += 50;
  };
  await waitFor(
    'scale-out to 4 InService',
    async () => {
      const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [lab.asgName] }));
      const g = out.AutoScalingGroups?.[0];
      return g?.DesiredCapacity === 4 && g.Instances?.filter((i) => i.LifecycleState === 'InService').length === 4 ? g : undefined;
    },
    tick,
  );
  // Two more periods close at the new capacity.
  const until = labNowMs + 2 * PERIOD_MS;
  await waitFor(
    'two periods at the new capacity',
    async () => {
      const periods = await requestCountPeriods();
      return labNowMs >= until && periods.length >= 5 ? periods : undefined;
    },
    () => {
      if (labNowMs < until) tick();
    },
  );
});

/** The closed periods' timestamps of RequestCount so far. */
async function requestCountPeriods(): Promise<number[]> {
  const lbDim = lab.loadBalancerArn.split(':loadbalancer/')[1];
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(labStartMs - PERIOD_MS),
      EndTime: new Date(labNowMs),
      MetricDataQueries: [
        {
          Id: 'requests',
          MetricStat: {
            Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: lbDim }] },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return out.MetricDataResults![0].Timestamps!.map((t) => t.getTime());
}

afterAll(async () => {
  cw?.destroy();
  asg?.destroy();
  elb?.destroy();
  await lab?.close();
});

describe('Auto Scaling API', () => {
  it('DescribeAutoScalingGroups reports the group, its target group and its instances', async () => {
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [lab.asgName] }));
    expect(out.AutoScalingGroups).toHaveLength(1);
    const g = out.AutoScalingGroups![0];
    expect(g.AutoScalingGroupName).toBe('test-lab-asg');
    expect(g.AutoScalingGroupARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/test-lab-asg$/,
    );
    expect(g.MinSize).toBe(2);
    expect(g.MaxSize).toBe(4);
    expect(g.DesiredCapacity).toBe(4);
    expect(g.TargetGroupARNs).toEqual([lab.targetGroupArn]);
    expect(g.TrafficSources).toEqual([{ Identifier: lab.targetGroupArn, Type: 'elbv2' }]);
    expect(g.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(g.Instances).toHaveLength(4);
    for (const i of g.Instances!) {
      expect(i.InstanceId).toMatch(/^i-0[0-9a-f]{16}$/);
      expect(i.HealthStatus).toBe('Healthy');
    }
    // Alternating zones: two in each.
    expect(g.Instances!.filter((i) => i.AvailabilityZone === 'us-east-1a')).toHaveLength(2);
    expect(g.EnabledMetrics?.map((m) => m.Metric)).toContain('GroupDesiredCapacity');
    // Unset fields are absent, not empty elements parsed as "" or 0.
    expect(g.WarmPoolConfiguration).toBeUndefined();
    expect(g.MaxInstanceLifetime).toBeUndefined();
  });

  it('an unknown group name lists no group', async () => {
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['no-such-asg'] }));
    expect(out.AutoScalingGroups ?? []).toEqual([]);
  });

  it('DescribePolicies reports the target-tracking policy and its alarms', async () => {
    const out = await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: lab.asgName, PolicyTypes: ['TargetTrackingScaling'] }));
    const p = out.ScalingPolicies?.[0];
    expect(p?.PolicyName).toBe(lab.policyName);
    expect(p?.PolicyType).toBe('TargetTrackingScaling');
    expect(p?.TargetTrackingConfiguration?.TargetValue).toBe(10);
    const spec = p?.TargetTrackingConfiguration?.PredefinedMetricSpecification;
    expect(spec?.PredefinedMetricType).toBe('ALBRequestCountPerTarget');
    const lbSuffix = lab.loadBalancerArn.split(':loadbalancer/')[1];
    const tgSuffix = lab.targetGroupArn.split(':').slice(5).join(':');
    expect(spec?.ResourceLabel).toBe(`${lbSuffix}/${tgSuffix}`);
    expect(p?.Alarms?.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-test-lab-asg-AlarmHigh-[0-9a-f-]{36}$/),
      expect.stringMatching(/^TargetTracking-test-lab-asg-AlarmLow-[0-9a-f-]{36}$/),
    ]);
    const none = await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: lab.asgName, PolicyTypes: ['StepScaling'] }));
    expect(none.ScalingPolicies ?? []).toEqual([]);
  });

  it('DescribeScalingActivities pages newest first with MaxRecords and NextToken', async () => {
    const all = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: lab.asgName }));
    const activitiesAll = all.Activities ?? [];
    // 2 launches at creation + 2 at scale-out.
    expect(activitiesAll).toHaveLength(4);
    expect(all.NextToken).toBeUndefined();
    const starts = activitiesAll.map((a) => a.StartTime!.getTime());
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await asg.send(
        new DescribeScalingActivitiesCommand({ AutoScalingGroupName: lab.asgName, MaxRecords: 3, ...(token ? { NextToken: token } : {}) }),
      );
      expect(page.Activities!.length).toBeLessThanOrEqual(3);
      seen.push(...page.Activities!.map((a) => a.ActivityId!));
      token = page.NextToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(activitiesAll.map((a) => a.ActivityId));

    const newest = activitiesAll[0];
    expect(newest.Description).toMatch(/^Launching a new EC2 instance: i-0[0-9a-f]{16}$/);
    expect(newest.Cause).toMatch(
      /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a monitor alarm TargetTracking-test-lab-asg-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy .+ changing the desired capacity from 2 to 4\. {2}At \S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4\.$/,
    );
    expect(newest.StatusCode).toBe('Successful');
    expect(newest.Progress).toBe(100);
    expect(newest.EndTime!.getTime()).toBeGreaterThanOrEqual(newest.StartTime!.getTime() + 400);
    expect(JSON.parse(newest.Details!)['Availability Zone']).toMatch(/^us-east-1[ab]$/);
    const oldest = activitiesAll[3];
    expect(oldest.Cause).toContain('a user request created an AutoScalingGroup changing the desired capacity from 0 to 2.');
  });

  it('an invalid NextToken is refused in the AWS error format', async () => {
    await expect(
      asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: lab.asgName, NextToken: 'bogus' })),
    ).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
  });

  it('activity listeners saw the launches progress PreInService → InProgress → Successful', () => {
    const launched = activities.filter((a) => a.cause.includes('monitor alarm'));
    const ids = [...new Set(launched.map((a) => a.activityId))];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(launched.filter((a) => a.activityId === id).map((a) => a.statusCode)).toEqual(['PreInService', 'InProgress', 'Successful']);
    }
  });
});

describe('ELBv2 API', () => {
  it('DescribeLoadBalancers by name and by ARN; a wrong name is LoadBalancerNotFound', async () => {
    const byArn = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lab.loadBalancerArn] }));
    const lb = byArn.LoadBalancers![0];
    expect(lb.LoadBalancerArn).toBe(lab.loadBalancerArn);
    expect(lb.Type).toBe('application');
    expect(lb.State?.Code).toBe('active');
    expect(lb.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1a', 'us-east-1b']);
    const byName = await elb.send(new DescribeLoadBalancersCommand({ Names: [lb.LoadBalancerName!] }));
    expect(byName.LoadBalancers?.[0]?.LoadBalancerArn).toBe(lab.loadBalancerArn);
    await expect(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] }))).rejects.toMatchObject({
      // The wire code is LoadBalancerNotFound; the SDK names its modeled exception so.
      name: 'LoadBalancerNotFoundException',
    });
  });

  it('DescribeTargetGroups by load balancer', async () => {
    const out = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lab.loadBalancerArn }));
    expect(out.TargetGroups).toHaveLength(1);
    const tg = out.TargetGroups![0];
    expect(tg.TargetGroupArn).toBe(lab.targetGroupArn);
    expect(tg.LoadBalancerArns).toEqual([lab.loadBalancerArn]);
    expect(tg.TargetType).toBe('instance');
    expect(tg.Matcher?.HttpCode).toBe('200');
  });

  it('DescribeTargetHealth lists every instance of the group, healthy', async () => {
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lab.targetGroupArn }));
    const groups = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [lab.asgName] }));
    const ids = groups.AutoScalingGroups![0].Instances!.map((i) => i.InstanceId).sort();
    expect(out.TargetHealthDescriptions!.map((d) => d.Target!.Id).sort()).toEqual(ids);
    expect(out.TargetHealthDescriptions!.every((d) => d.TargetHealth?.State === 'healthy' && d.TargetHealth.Reason === undefined)).toBe(
      true,
    );
    const one = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lab.targetGroupArn, Targets: [{ Id: ids[0]! }] }));
    expect(one.TargetHealthDescriptions!.map((d) => d.Target!.Id)).toEqual([ids[0]]);
  });
});

describe('CloudWatch API', () => {
  it('GetMetricData answers lab-period datapoints with aligned epoch timestamps, newest first by default', async () => {
    const tgDim = lab.targetGroupArn.split(':').slice(5).join(':');
    const lbDim = lab.loadBalancerArn.split(':loadbalancer/')[1];
    const endMs = labNowMs + PERIOD_MS;
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(labStartMs - PERIOD_MS),
        EndTime: new Date(endMs),
        MetricDataQueries: [
          {
            Id: 'rcpt',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCountPerTarget',
                Dimensions: [{ Name: 'TargetGroup', Value: tgDim }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'requests',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: lbDim }] },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'desired',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/AutoScaling',
                MetricName: 'GroupDesiredCapacity',
                Dimensions: [{ Name: 'AutoScalingGroupName', Value: lab.asgName }],
              },
              Period: 60,
              Stat: 'Average',
            },
          },
          {
            Id: 'wrongdims',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'HealthyHostCount',
                Dimensions: [{ Name: 'TargetGroup', Value: tgDim }],
              },
              Period: 60,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    const byId: Record<string, MetricDataResult> = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id!, r]));
    const requests = byId.requests;
    expect(requests.StatusCode).toBe('Complete');
    const times = requests.Timestamps!.map((t) => t.getTime());
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (const t of times) expect(t % PERIOD_MS).toBe(0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(labStartMs - PERIOD_MS);
    expect(requests.Values!.reduce((a, b) => a + b, 0)).toBe(200);
    // The period that took the load: 200 requests over 2 healthy targets.
    const loaded = requests.Values!.indexOf(Math.max(...requests.Values!));
    expect(requests.Values![loaded]).toBeGreaterThanOrEqual(67);
    const rcptAtLoad = byId.rcpt.Values![byId.rcpt.Timestamps!.findIndex((t) => t.getTime() === times[loaded])];
    expect(rcptAtLoad).toBeCloseTo(requests.Values![loaded] / 2, 5);
    // Desired capacity: 2 before the alarm, 4 in the newest period.
    expect(byId.desired.Values![0]).toBe(4);
    expect(byId.desired.Values![byId.desired.Values!.length - 1]).toBe(2);
    // HealthyHostCount is not published with TargetGroup alone: no data, as CloudWatch answers.
    expect(byId.wrongdims.Values).toEqual([]);

    const asc = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(labStartMs - PERIOD_MS),
        EndTime: new Date(endMs),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'requests',
            MetricStat: {
              Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{ Name: 'LoadBalancer', Value: lbDim }] },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    const ascTimes = asc.MetricDataResults![0].Timestamps!.map((t) => t.getTime());
    expect([...ascTimes].sort((a, b) => a - b)).toEqual(ascTimes);
  });

  it('DescribeAlarms reports both target-tracking alarms with the lab period and thresholds', async () => {
    const out = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${lab.asgName}-`, AlarmTypes: ['MetricAlarm'] }),
    );
    expect(out.MetricAlarms).toHaveLength(2);
    const [high, low] = out.MetricAlarms!;
    const tgDim = lab.targetGroupArn.split(':').slice(5).join(':');
    expect(high.AlarmName).toContain('-AlarmHigh-');
    expect(high.MetricName).toBe('RequestCountPerTarget');
    expect(high.Namespace).toBe('AWS/ApplicationELB');
    expect(high.Statistic).toBe('Sum');
    expect(high.Dimensions).toEqual([{ Name: 'TargetGroup', Value: tgDim }]);
    expect(high.Period).toBe(PERIOD_MS / 1000);
    expect(high.Threshold).toBe(10);
    expect(high.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(high.EvaluationPeriods).toBe(1);
    expect(high.DatapointsToAlarm).toBe(1);
    expect(high.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(low.Threshold).toBe(9);
    expect(low.ComparisonOperator).toBe('LessThanThreshold');
    expect(low.EvaluationPeriods).toBe(50);
    expect(low.StateValue).toBe('INSUFFICIENT_DATA');
    const byName = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [high.AlarmName!] }));
    expect(byName.MetricAlarms!.map((a) => a.AlarmName)).toEqual([high.AlarmName]);
  });

  it('DescribeAlarmHistory returns the high alarm going to ALARM', async () => {
    const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${lab.asgName}-AlarmHigh` }));
    const name = alarms.MetricAlarms![0].AlarmName!;
    const out = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: name,
        HistoryItemType: 'StateUpdate',
        StartDate: new Date(labStartMs - 1000),
        ScanBy: 'TimestampAscending',
      }),
    );
    const summaries = out.AlarmHistoryItems!.map((h) => h.HistorySummary);
    // The quiet first period moved it to OK, the loaded one to ALARM.
    expect(summaries[0]).toBe('Alarm updated from INSUFFICIENT_DATA to OK');
    expect(summaries).toContain('Alarm updated from OK to ALARM');
    const toAlarm = out.AlarmHistoryItems!.find((h) => h.HistorySummary === 'Alarm updated from OK to ALARM')!;
    expect(toAlarm.Timestamp!.getTime()).toBeGreaterThanOrEqual(labStartMs);
    expect(JSON.parse(toAlarm.HistoryData!).newState.stateValue).toBe('ALARM');
    const actions = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'Action' }));
    expect(actions.AlarmHistoryItems!.length).toBeGreaterThanOrEqual(1);
  });

  it('an unknown operation gets the AWS error format', async () => {
    const res = await fetch(lab.apiUrl + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    const query = await fetch(lab.apiUrl + '/some/path/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DeleteAutoScalingGroup&Version=2011-01-01',
    });
    expect(query.status).toBe(400);
    expect(await query.text()).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
  });
});
