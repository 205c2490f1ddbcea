/**
 * The course lab's steps 2, 4 and 5 done as a learner does them: with the
 * AWS CLI (Debian's `awscli`, v2.9, which speaks the Query protocol to
 * CloudWatch) and `--endpoint-url` against the lab. CI installs the CLI
 * (.ci/run) and this test must run there; elsewhere it is skipped when no
 * CLI is installed (test/helpers/aws-cli.ts). The lab runs in this process on a clock the test moves.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_CLI as AWS, awsCli, awsCliEnv, RUN_AWS_CLI_TESTS } from '../helpers/aws-cli.js';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';
import { driveLoad } from '../helpers/drive.js';

// In CI the CLI is installed by .ci/run: its absence is a failure, not a skip.
const runIt = RUN_AWS_CLI_TESTS ? it : it.skip;

let t: ClockedLab;
let home: string;

beforeAll(async () => {
  if (!AWS) return;
  t = await startClockedLab({ instanceCapacity: 5000 });
  home = mkdtempSync(join(tmpdir(), 'abx-aws-cli-'));
});
afterAll(async () => {
  await t?.lab.close();
});

/** Runs `aws <args> --output json` against the lab with fake credentials only, and parses its output. */
function aws(...args: string[]): Promise<unknown> {
  return awsCli(t.lab.apiUrl, awsCliEnv(home), ...args);
}

/** Moves the lab's clock a period at a time, with an API call after each step so the lab acts on it. */
async function periods(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    t.tick(1000);
    await fetch(`${t.lab.apiUrl}/`, { method: 'POST', body: 'Action=DescribeAutoScalingGroups&Version=2011-01-01' }).then((r) => r.text());
  }
}

async function probe(url: string): Promise<number | string> {
  try {
    const res = await fetch(url);
    await res.text();
    return res.status;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  }
}

describe('the course lab with the AWS CLI', { timeout: 180_000 }, () => {
  runIt('finds an AWS CLI to run', () => {
    expect(AWS, 'no AWS CLI: .ci/run installs Debian awscli; install it (apt-get install awscli) or set ABX_TEST_AWS_CLI').toBeDefined();
  });

  runIt('step 2, prioritize security: only 80 from anywhere, instances only from the ALB group; port 90 stops answering', async () => {
    expect(await probe(t.lab.privateUrl)).toBe(200);
    const groups = (await aws('ec2', 'describe-security-groups', '--group-names', 'abx-lab-alb-sg', 'abx-lab-ec2-sg')) as {
      SecurityGroups: { GroupName: string; GroupId: string }[];
    };
    const id = Object.fromEntries(groups.SecurityGroups.map((g) => [g.GroupName, g.GroupId]));
    const alb = id['abx-lab-alb-sg'];
    const instances = id['abx-lab-ec2-sg'];
    await aws('ec2', 'authorize-security-group-ingress', '--group-id', alb, '--protocol', 'tcp', '--port', '80', '--cidr', '0.0.0.0/0');
    await aws('ec2', 'revoke-security-group-ingress', '--group-id', alb, '--protocol', 'tcp', '--port', '0-65535', '--cidr', '0.0.0.0/0');
    await aws(
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      instances,
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--source-group',
      alb,
    );
    await aws(
      'ec2',
      'revoke-security-group-ingress',
      '--group-id',
      instances,
      '--protocol',
      'tcp',
      '--port',
      '0-65535',
      '--source-group',
      alb,
    );
    const after = (await aws('ec2', 'describe-security-groups', '--group-ids', alb, instances)) as {
      SecurityGroups: {
        IpPermissions: { FromPort: number; ToPort: number; IpRanges: unknown[]; UserIdGroupPairs: { GroupId: string }[] }[];
      }[];
    };
    expect(after.SecurityGroups[0].IpPermissions).toEqual([
      expect.objectContaining({ FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ]);
    expect(after.SecurityGroups[1].IpPermissions).toEqual([
      expect.objectContaining({ FromPort: 80, ToPort: 80, UserIdGroupPairs: [expect.objectContaining({ GroupId: alb })] }),
    ]);
    expect(await probe(t.lab.privateUrl)).toBe('ECONNREFUSED');
    // Health checks go on passing: the site keeps answering.
    await periods(2);
    expect(await probe(t.lab.url)).toBe(200);
  });

  runIt('step 4, right-size: a t3.nano launch template version, the group on $Latest, an instance refresh', async () => {
    const templates = (await aws('ec2', 'describe-launch-templates')) as { LaunchTemplates: { LaunchTemplateId: string }[] };
    const templateId = templates.LaunchTemplates[0].LaunchTemplateId;
    const created = (await aws(
      'ec2',
      'create-launch-template-version',
      '--launch-template-id',
      templateId,
      '--source-version',
      '1',
      '--version-description',
      'right-sized',
      '--launch-template-data',
      '{"InstanceType":"t3.nano"}',
    )) as { LaunchTemplateVersion: { VersionNumber: number; LaunchTemplateData: { InstanceType: string } } };
    expect(created.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, LaunchTemplateData: { InstanceType: 't3.nano' } });
    await aws(
      'autoscaling',
      'update-auto-scaling-group',
      '--auto-scaling-group-name',
      'abx-lab-asg',
      '--launch-template',
      `LaunchTemplateId=${templateId},Version=$Latest`,
    );
    const started = (await aws(
      'autoscaling',
      'start-instance-refresh',
      '--auto-scaling-group-name',
      'abx-lab-asg',
      '--preferences',
      '{"MinHealthyPercentage":50,"InstanceWarmup":60}',
    )) as { InstanceRefreshId: string };
    expect(started.InstanceRefreshId).toMatch(/^[0-9a-f-]{36}$/);
    // Two batches of: drain, launch, health checks and warm-up, the refresh's warm-up.
    await periods(12);
    const refreshes = (await aws('autoscaling', 'describe-instance-refreshes', '--auto-scaling-group-name', 'abx-lab-asg')) as {
      InstanceRefreshes: { Status: string; PercentageComplete: number }[];
    };
    expect(refreshes.InstanceRefreshes[0]).toMatchObject({ Status: 'Successful', PercentageComplete: 100 });
    const running = (await aws(
      'ec2',
      'describe-instances',
      '--filters',
      'Name=instance-state-name,Values=running',
      '--query',
      'Reservations[].Instances[].InstanceType',
    )) as string[];
    expect(running).toEqual(['t3.nano', 't3.nano']);
    expect(await probe(t.lab.url)).toBe(200);
  });

  runIt('step 5, architect for scalability: target tracking at 60 with a 60 s warm-up, two alarms, a scale-out under load', async () => {
    const lbs = (await aws('elbv2', 'describe-load-balancers')) as { LoadBalancers: { LoadBalancerArn: string }[] };
    const tgs = (await aws('elbv2', 'describe-target-groups')) as { TargetGroups: { TargetGroupArn: string }[] };
    const lbDimension = lbs.LoadBalancers[0].LoadBalancerArn.split(':loadbalancer/')[1];
    const label = `${lbDimension}/${tgs.TargetGroups[0].TargetGroupArn.split(':').slice(5).join(':')}`;
    const policy = (await aws(
      'autoscaling',
      'put-scaling-policy',
      '--auto-scaling-group-name',
      'abx-lab-asg',
      '--policy-name',
      'request-count-per-target-60',
      '--policy-type',
      'TargetTrackingScaling',
      '--estimated-instance-warmup',
      '60',
      '--target-tracking-configuration',
      JSON.stringify({
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label },
      }),
    )) as { PolicyARN: string; Alarms: { AlarmName: string }[] };
    expect(policy.Alarms.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-abx-lab-asg-AlarmHigh-/),
      expect.stringMatching(/^TargetTracking-abx-lab-asg-AlarmLow-/),
    ]);
    const alarms = (await aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', 'TargetTracking-abx-lab-asg-')) as {
      MetricAlarms: { Threshold: number; EvaluationPeriods: number; StateValue: string }[];
    };
    expect(alarms.MetricAlarms.map((a) => a.Threshold)).toEqual([60, 54]);

    // Three periods at 300 requests over two targets: 150 per target, 2.5 × the target.
    await periods(1); // a fresh period: the earlier probes are not counted with the load
    const loadStartMs = t.clock.nowMs;
    for (let i = 0; i < 3; i++) {
      const load = await driveLoad(t.lab.url, { requests: 300, concurrency: 8 });
      expect(load.statuses[200]).toBe(300);
      await periods(1);
    }
    const activities = (await aws(
      'autoscaling',
      'describe-scaling-activities',
      '--auto-scaling-group-name',
      'abx-lab-asg',
      '--max-items',
      '5',
    )) as {
      Activities: { Description: string; Cause: string }[];
    };
    expect(activities.Activities[0].Description).toMatch(/^Launching a new EC2 instance: i-/);
    expect(activities.Activities[0].Cause).toMatch(
      /^At \S+Z a monitor alarm TargetTracking-abx-lab-asg-AlarmHigh-\S+ in state ALARM triggered policy request-count-per-target-60 changing the desired capacity from 2 to 5\./,
    );

    // The classic reads work from this CLI too.
    const stats = (await aws(
      'cloudwatch',
      'get-metric-statistics',
      '--namespace',
      'AWS/ApplicationELB',
      '--metric-name',
      'RequestCount',
      '--dimensions',
      `Name=LoadBalancer,Value=${lbDimension}`,
      '--statistics',
      'Sum',
      '--period',
      '60',
      '--start-time',
      new Date(loadStartMs).toISOString(),
      '--end-time',
      new Date(loadStartMs + 3000).toISOString(),
    )) as { Datapoints: { Sum: number }[] };
    expect(stats.Datapoints.map((d) => d.Sum)).toEqual([300, 300, 300]);
    const metrics = (await aws('cloudwatch', 'list-metrics', '--namespace', 'AWS/EC2', '--metric-name', 'NetworkOut')) as {
      Metrics: { Dimensions: { Name: string }[] }[];
    };
    expect(metrics.Metrics.some((m) => m.Dimensions[0]?.Name === 'AutoScalingGroupName')).toBe(true);
  });
});
