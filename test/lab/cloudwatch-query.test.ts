/**
 * CloudWatch's classic reads (GetMetricStatistics, ListMetrics) through the
 * real SDK, and the same CloudWatch answered over the Query protocol
 * (form body, Version 2010-08-01, XML), which AWS CLI v2 builds before
 * mid-2023 and older boto3 still speak. The lab's clock is the test's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CLOCK_START_MS, startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';
import { driveLoad } from '../helpers/drive.js';

let t: ClockedLab | undefined;
afterEach(async () => {
  await t?.lab.close();
  t = undefined;
});

async function loadBalancerDimension(c: ClockedLab): Promise<string> {
  const elb = new ElasticLoadBalancingV2Client(c.clientConfig);
  const arn = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers![0].LoadBalancerArn!;
  return arn.split(':loadbalancer/')[1];
}

function query(c: ClockedLab, form: Record<string, string>): Promise<Response> {
  return fetch(`${c.lab.apiUrl}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2010-08-01', ...form }).toString(),
  });
}

describe('lab CloudWatch: GetMetricStatistics and ListMetrics', () => {
  it('answers the statistics of one lab period per datapoint, per group and per instance', async () => {
    t = await startClockedLab();
    const cw = new CloudWatchClient(t.clientConfig);
    const load = await driveLoad(t.lab.url, { requests: 40, concurrency: 4 });
    expect(load.statuses[200]).toBe(40);
    t.tick(1000);
    const range = { StartTime: new Date(CLOCK_START_MS), EndTime: new Date(CLOCK_START_MS + 1000), Period: 60 };

    const requests = await cw.send(
      new GetMetricStatisticsCommand({
        ...range,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: await loadBalancerDimension(t) }],
        Statistics: ['Sum'],
      }),
    );
    expect(requests.Label).toBe('RequestCount');
    expect(requests.Datapoints).toEqual([{ Timestamp: new Date(CLOCK_START_MS), Sum: 40, Unit: 'Count' }]);

    const cpu = await cw.send(
      new GetMetricStatisticsCommand({
        ...range,
        Namespace: 'AWS/EC2',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'abx-lab-asg' }],
        Statistics: ['SampleCount', 'Average', 'Minimum', 'Maximum'],
      }),
    );
    // One sample per instance, each above the idle floor of 1%.
    const point = cpu.Datapoints![0];
    expect(point.SampleCount).toBe(2);
    expect(point.Unit).toBe('Percent');
    expect(point.Minimum).toBeGreaterThan(1);
    expect(point.Average).toBeCloseTo((point.Minimum! + point.Maximum!) / 2, 9);

    const served = Object.keys(load.byInstance);
    expect(served).toHaveLength(2);
    const networkOut = await cw.send(
      new GetMetricStatisticsCommand({
        ...range,
        Namespace: 'AWS/EC2',
        MetricName: 'NetworkOut',
        Dimensions: [{ Name: 'InstanceId', Value: served[0] }],
        Statistics: ['Sum'],
      }),
    );
    expect(networkOut.Datapoints?.[0]?.Unit).toBe('Bytes');
    expect(networkOut.Datapoints?.[0]?.Sum).toBeGreaterThan(load.byInstance[served[0]] * 20);

    await expect(
      cw.send(new GetMetricStatisticsCommand({ ...range, Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' })),
    ).rejects.toMatchObject({
      name: 'MissingRequiredParameterException',
      message: 'Must specify either Statistics or ExtendedStatistics.',
    });
  });

  it('lists the metrics the lab publishes, filtered by namespace, name and dimension', async () => {
    t = await startClockedLab();
    const cw = new CloudWatchClient(t.clientConfig);
    const ec2 = (await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }))).Metrics ?? [];
    expect(ec2.map((m) => m.Dimensions?.[0]?.Name).sort()).toEqual(['AutoScalingGroupName', 'InstanceId', 'InstanceId']);
    const alb = (await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ApplicationELB' }))).Metrics ?? [];
    for (const name of [
      'RequestCount',
      'RequestCountPerTarget',
      'TargetResponseTime',
      'HealthyHostCount',
      'UnHealthyHostCount',
      'HTTPCode_Target_2XX_Count',
      'HTTPCode_ELB_5XX_Count',
    ])
      expect(alb.map((m) => m.MetricName)).toContain(name);
    const byGroup =
      (await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'abx-lab-asg' }] }))).Metrics ?? [];
    expect(byGroup.map((m) => m.MetricName)).toEqual(
      expect.arrayContaining(['CPUUtilization', 'NetworkIn', 'NetworkOut', 'GroupDesiredCapacity']),
    );
    expect(byGroup.every((m) => m.Dimensions?.some((d) => d.Name === 'AutoScalingGroupName'))).toBe(true);
  });
});

describe('lab CloudWatch over the Query protocol', () => {
  it('answers DescribeAlarms in XML, as CloudWatch does for Action/Version forms', async () => {
    t = await startClockedLab({ withPolicy: true });
    const res = await query(t, { Action: 'DescribeAlarms', AlarmNamePrefix: 'TargetTracking-abx-lab-asg-AlarmHigh' });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toMatch(
      /^<DescribeAlarmsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><DescribeAlarmsResult><MetricAlarms><member>/,
    );
    expect(xml).toMatch(/<AlarmName>TargetTracking-abx-lab-asg-AlarmHigh-[0-9a-f-]{36}<\/AlarmName>/);
    expect(xml).toMatch(/<StateUpdatedTimestamp>2026-11-26T16:05:00\.000Z<\/StateUpdatedTimestamp>/);
    expect(xml).toMatch(
      /<Dimensions><member><Name>TargetGroup<\/Name><Value>targetgroup\/abx-lab-tg\/[0-9a-f]{16}<\/Value><\/member><\/Dimensions>/,
    );
    expect(xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DescribeAlarmsResponse>$/);
    expect(xml).not.toMatch(/AlarmLow/);
  });

  it('answers GetMetricStatistics with ISO times in and out, and GetMetricData with member lists', async () => {
    t = await startClockedLab();
    await driveLoad(t.lab.url, { requests: 12, concurrency: 2 });
    t.tick(1000);
    const stats = await query(t, {
      Action: 'GetMetricStatistics',
      Namespace: 'AWS/AutoScaling',
      MetricName: 'GroupDesiredCapacity',
      'Dimensions.member.1.Name': 'AutoScalingGroupName',
      'Dimensions.member.1.Value': 'abx-lab-asg',
      StartTime: new Date(CLOCK_START_MS).toISOString(),
      EndTime: new Date(CLOCK_START_MS + 1000).toISOString(),
      Period: '60',
      'Statistics.member.1': 'Maximum',
    });
    expect(await stats.text()).toMatch(
      /<GetMetricStatisticsResult><Label>GroupDesiredCapacity<\/Label><Datapoints><member><Timestamp>2026-11-26T16:05:00\.000Z<\/Timestamp><Maximum>2<\/Maximum><Unit>None<\/Unit><\/member><\/Datapoints><\/GetMetricStatisticsResult>/,
    );
    const data = await query(t, {
      Action: 'GetMetricData',
      'MetricDataQueries.member.1.Id': 'rc',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'AWS/ApplicationELB',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'RequestCountPerTarget',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'TargetGroup',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': t.lab.targetGroupArn.split(':').slice(5).join(':'),
      'MetricDataQueries.member.1.MetricStat.Period': '60',
      'MetricDataQueries.member.1.MetricStat.Stat': 'Sum',
      StartTime: new Date(CLOCK_START_MS).toISOString(),
      EndTime: new Date(CLOCK_START_MS + 1000).toISOString(),
    });
    expect(await data.text()).toMatch(
      /<MetricDataResults><member><Id>rc<\/Id><Label>RequestCountPerTarget<\/Label><Timestamps><member>2026-11-26T16:05:00\.000Z<\/member><\/Timestamps><Values><member>6<\/member><\/Values><StatusCode>Complete<\/StatusCode><\/member><\/MetricDataResults>/,
    );
  });

  it('answers an unknown action and a bad parameter in the Query error shape', async () => {
    t = await startClockedLab();
    const unknown = await query(t, { Action: 'PutMetricData' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(
      /^<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    const missing = await query(t, { Action: 'GetMetricStatistics', Namespace: 'AWS/EC2' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/<Code>MissingParameter<\/Code>/);
  });
});
