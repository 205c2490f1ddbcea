/**
 * Plan for failure: a zone outage on a fake clock. The zone's targets fail
 * their health checks, the load balancer stops routing to them, the group
 * replaces them in the healthy zone, and once the zone is back the group
 * rebalances across both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Simulation } from '../../src/lab/simulation.js';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';
import { resolveLabOptions } from '../../src/lab/index.js';
import { parseAzOutage } from '../../src/cli/az-outage.js';
import { ConfigError } from '../../src/errors.js';

const PERIOD = 5000;
const T0 = Date.UTC(2026, 10, 26, 16, 5, 0);

function perZone(s: Simulation, pick: (i: Simulation['group']['instances'][number]) => boolean): Record<string, number> {
  const out: Record<string, number> = { 'us-east-1a': 0, 'us-east-1b': 0 };
  for (const i of s.group.instances) if (pick(i)) out[i.availabilityZone]++;
  return out;
}

function run(s: Simulation, fromMs: number, toMs: number): void {
  for (let t = fromMs; t <= toMs; t += 250) s.advance(t);
}

describe('zone outage', () => {
  it('replaces the lost zone in the healthy one, stops routing there, and rebalances on recovery', () => {
    const s = new Simulation(
      resolveLabOptions({
        periodMs: PERIOD,
        min: 4,
        desired: 4,
        max: 6,
        azOutages: [{ zone: 'us-east-1a', atMs: 10_000, durationMs: 30_000 }],
      }),
      T0,
    );
    const healthy = (): Record<string, number> => perZone(s, (i) => i.lifecycleState === 'InService' && i.targetState === 'healthy');
    run(s, T0, T0 + 9_750);
    expect(healthy()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2 });
    expect(s.routable()).toHaveLength(4);

    // Down from +10 s; the checks fail for one period (2 × 30 s) before the targets count as unhealthy.
    run(s, T0 + 10_000, T0 + 14_750);
    expect(healthy()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2 });
    s.advance(T0 + 15_000);
    expect(healthy()).toEqual({ 'us-east-1a': 0, 'us-east-1b': 2 });
    expect(s.routable().map((r) => s.group.instances.find((i) => i.instanceId === r.instanceId)?.availabilityZone)).toEqual([
      'us-east-1b',
      'us-east-1b',
    ]);
    const terminations = s.group.activities.filter((a) => a.description.startsWith('Terminating'));
    expect(terminations).toHaveLength(2);
    expect(terminations.map((a) => JSON.parse(a.details)['Availability Zone'])).toEqual(['us-east-1a', 'us-east-1a']);
    expect(terminations[0].cause).toMatch(/in response to an ELB system health check failure\.$/);
    const replacements = s.group.activities.filter((a) => a.description.startsWith('Launching') && a.startTimeMs === T0 + 15_000);
    expect(replacements.map((a) => JSON.parse(a.details)['Availability Zone'])).toEqual(['us-east-1b', 'us-east-1b']);
    expect(replacements[0].cause).toMatch(
      /an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 2 to 4\.$/,
    );

    // The replacements serve after launch and warm-up: capacity is back, all in us-east-1b.
    run(s, T0 + 15_250, T0 + 39_750);
    expect(healthy()).toEqual({ 'us-east-1a': 0, 'us-east-1b': 4 });
    // The metrics saw it: HealthyHostCount fell to 2 in the period the zone was found down.
    const periods = s.metrics.periods(T0, T0 + 40_000, T0 + 40_000);
    expect(Math.min(...periods.map((p) => p.gauges.healthy))).toBeLessThanOrEqual(2);
    expect(periods.some((p) => p.gauges.unhealthy > 0 || p.gauges.healthy < 4)).toBe(true);

    // Back at +40 s: the group launches in us-east-1a before it terminates in us-east-1b, until 2 and 2.
    run(s, T0 + 40_000, T0 + 120_000);
    expect(healthy()).toEqual({ 'us-east-1a': 2, 'us-east-1b': 2 });
    expect(s.group.desired).toBe(4);
    const balancing = s.group.activities.filter((a) => /balancing the group's zones/.test(a.cause));
    expect(balancing.filter((a) => a.description.startsWith('Launching'))).toHaveLength(2);
    expect(balancing.filter((a) => a.description.startsWith('Terminating'))).toHaveLength(2);
  });

  it('a lasting outage keeps the zone out: nothing is launched there', () => {
    const s = new Simulation(resolveLabOptions({ periodMs: PERIOD, azOutages: [{ zone: 'us-east-1b', atMs: 0 }] }), T0);
    run(s, T0, T0 + 60_000);
    const live = s.group.live();
    expect(live.map((i) => i.availabilityZone)).toEqual(['us-east-1a', 'us-east-1a']);
    expect(live.every((i) => i.lifecycleState === 'InService' && i.targetState === 'healthy')).toBe(true);
  });
});

describe('zone outage through the AWS APIs', () => {
  let t: ClockedLab | undefined;
  afterEach(async () => {
    await t?.lab.close();
    t = undefined;
  });

  it('shows the zone impaired, its targets unhealthy then replaced, and the group serving from the other zone', async () => {
    t = await startClockedLab({ azOutages: [{ zone: 'us-east-1a', atMs: 2000 }] });
    const ec2 = new EC2Client(t.clientConfig);
    const elb = new ElasticLoadBalancingV2Client(t.clientConfig);
    const asg = new AutoScalingClient(t.clientConfig);
    const targets = async (): Promise<string[]> =>
      ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: t!.lab.targetGroupArn }))).TargetHealthDescriptions ?? [])
        .map((d) => `${d.Target?.AvailabilityZone}:${d.TargetHealth?.State}`)
        .sort();
    expect(await targets()).toEqual(['us-east-1a:healthy', 'us-east-1b:healthy']);
    t.tick(2000);
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? [];
    expect(zones.map((z) => `${z.ZoneName}:${z.State}`)).toEqual(['us-east-1a:impaired', 'us-east-1b:available']);
    // Until the failed checks count, the ALB still routes round robin to the lost target, and gives up on it (504).
    expect([(await fetch(t.lab.url)).status, (await fetch(t.lab.url)).status].sort()).toEqual([200, 504]);
    // One period of failed checks later the target is out and its replacement launches in us-east-1b.
    t.tick(1000);
    expect(await targets()).toEqual(['us-east-1a:draining', 'us-east-1b:healthy', 'us-east-1b:initial']);
    const res = await fetch(t.lab.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-abx-lab-instance')).toBeTruthy();
    await res.text();
    for (let i = 0; i < 4; i++) {
      t.tick(1000);
      await targets();
    }
    expect(await targets()).toEqual(['us-east-1b:healthy', 'us-east-1b:healthy']);
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups![0];
    expect(group.Instances?.map((i) => `${i.AvailabilityZone}:${i.LifecycleState}:${i.HealthStatus}`)).toEqual([
      'us-east-1b:InService:Healthy',
      'us-east-1b:InService:Healthy',
    ]);
  });
});

describe('--az-outage', () => {
  it.each([
    ['us-east-1a@+60s', { zone: 'us-east-1a', atMs: 60_000 }],
    ['us-east-1b@+8s/12s', { zone: 'us-east-1b', atMs: 8000, durationMs: 12_000 }],
    ['us-east-1a@90/2m', { zone: 'us-east-1a', atMs: 90_000, durationMs: 120_000 }],
  ])('parses %s', (raw, expected) => {
    expect(parseAzOutage(raw)).toEqual(expected);
  });

  it.each(['us-east-1a', 'us-east-1a@+', '@+60s', 'us-east-1a@+60s/0s'])('refuses %s with a one-line error', (raw) => {
    expect(() => parseAzOutage(raw)).toThrow(ConfigError);
  });

  it('refuses a zone the lab does not have', () => {
    expect(() => resolveLabOptions({ azOutages: [{ zone: 'us-west-2a', atMs: 0 }] })).toThrow(/us-east-1a or us-east-1b/);
  });
});
