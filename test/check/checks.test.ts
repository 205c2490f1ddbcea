/**
 * Each check's PASS, WARN and FAIL paths over fixture snapshots shaped as the
 * SDK hands back DescribeSecurityGroups, DescribeListeners,
 * DescribeAutoScalingGroups... (the lab's course starting state, then each
 * mistake or its fix on top).
 */
import { describe, expect, it } from 'vitest';
import { checksExitCode, runChecks, strictChecks } from '../../src/check/index.js';
import type { Check, Snapshot } from '../../src/check/types.js';
import { formatCheckTable, shellLines } from '../../src/check/table.js';

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067';
const ALB_SG = 'sg-0alb';
const EC2_SG = 'sg-0ec2';

const world = (from: number, to: number, protocol = 'tcp') => ({
  IpProtocol: protocol,
  ...(protocol === '-1' ? {} : { FromPort: from, ToPort: to }),
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [],
  UserIdGroupPairs: [],
});

function base(): Snapshot {
  return {
    region: 'us-east-1',
    group: {
      AutoScalingGroupName: 'web-asg',
      MinSize: 2,
      MaxSize: 6,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      DefaultInstanceWarmup: 120,
      CreatedTime: new Date(0),
      VPCZoneIdentifier: 'subnet-a,subnet-b',
      TargetGroupARNs: [TG_ARN],
      Instances: [
        {
          InstanceId: 'i-1',
          AvailabilityZone: 'us-east-1a',
          LifecycleState: 'InService',
          HealthStatus: 'Healthy',
          InstanceType: 'm7i.large',
          ProtectedFromScaleIn: false,
        },
        {
          InstanceId: 'i-2',
          AvailabilityZone: 'us-east-1b',
          LifecycleState: 'InService',
          HealthStatus: 'Healthy',
          InstanceType: 'm7i.large',
          ProtectedFromScaleIn: false,
        },
      ],
    },
    loadBalancer: {
      LoadBalancerArn: LB_ARN,
      LoadBalancerName: 'web-alb',
      SecurityGroups: [ALB_SG],
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', SubnetId: 'subnet-a' },
        { ZoneName: 'us-east-1b', SubnetId: 'subnet-b' },
      ],
    },
    listeners: [
      {
        ListenerArn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/l80`,
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      },
      {
        ListenerArn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/l443`,
        Port: 443,
        Protocol: 'HTTPS',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: TG_ARN }],
      },
    ],
    targetGroup: { TargetGroupArn: TG_ARN, Port: 80, Protocol: 'HTTP' },
    targetHealth: [
      { Target: { Id: 'i-1', Port: 80 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: 'i-2', Port: 80 }, TargetHealth: { State: 'healthy' } },
    ],
    securityGroups: [
      { GroupId: ALB_SG, GroupName: 'web-alb-sg', IpPermissions: [world(80, 80), world(443, 443)] },
      {
        GroupId: EC2_SG,
        GroupName: 'web-ec2-sg',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: ALB_SG }], IpRanges: [] }],
      },
    ],
    instanceSecurityGroups: [
      { id: EC2_SG, from: 'instance i-1' },
      { id: EC2_SG, from: 'launch template lt-0abc version 3' },
    ],
    subnets: [
      { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' },
      { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' },
    ],
    launchTemplate: { id: 'lt-0abc', version: '3', data: { InstanceType: 'm7i.large', MetadataOptions: { HttpTokens: 'required' } } },
    policies: [
      {
        PolicyName: 'rps',
        PolicyType: 'TargetTrackingScaling',
        EstimatedInstanceWarmup: 120,
        TargetTrackingConfiguration: {
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
          TargetValue: 60,
        },
      },
    ],
    unread: {},
    troubles: [],
    notes: [],
  };
}

function check(s: Snapshot, id: string): Check {
  const found = runChecks(s).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

type Case = [name: string, id: string, change: (s: Snapshot) => void, status: Check['status'], expected?: RegExp];

const cases: Case[] = [
  // security
  ['only 80/443 open', 'security.alb-sg-world', () => undefined, 'PASS'],
  [
    'All TCP 0-65535 open (the lab)',
    'security.alb-sg-world',
    (s) => {
      s.securityGroups![0].IpPermissions = [world(0, 65535)];
      s.listeners!.push({ Port: 90, Protocol: 'HTTP' });
    },
    'FAIL',
    /0\.0\.0\.0\/0 on tcp 0-65535/,
  ],
  [
    '::/0 on 8080',
    'security.alb-sg-world',
    (s) =>
      s.securityGroups![0].IpPermissions!.push({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }),
    'FAIL',
    /::\/0 on tcp 8080/,
  ],
  [
    'all traffic (-1)',
    'security.alb-sg-world',
    (s) => s.securityGroups![0].IpPermissions!.push(world(0, 0, '-1')),
    'FAIL',
    /all traffic 0-65535/,
  ],
  ['listener 90 closed to the world', 'security.listener-ports', (s) => s.listeners!.push({ Port: 90, Protocol: 'HTTP' }), 'PASS'],
  [
    'listener 90 open to the world',
    'security.listener-ports',
    (s) => {
      s.listeners!.push({ Port: 90, Protocol: 'HTTP' });
      s.securityGroups![0].IpPermissions!.push(world(90, 90));
    },
    'WARN',
    /port 90/,
  ],
  ['instances only from the ALB group', 'security.instance-sg', () => undefined, 'PASS'],
  [
    'instances open to the world',
    'security.instance-sg',
    (s) => s.securityGroups![1].IpPermissions!.push(world(80, 80)),
    'FAIL',
    /from anywhere/,
  ],
  ['no SSH/RDP', 'security.admin-ports', () => undefined, 'PASS'],
  ['SSH to the world', 'security.admin-ports', (s) => s.securityGroups![1].IpPermissions!.push(world(22, 22)), 'FAIL', /SSH \(22\)/],
  ['RDP in a range', 'security.admin-ports', (s) => s.securityGroups![1].IpPermissions!.push(world(3000, 4000)), 'FAIL', /RDP \(3389\)/],
  ['IMDSv2 required', 'security.imdsv2', () => undefined, 'PASS'],
  [
    'IMDSv2 optional',
    'security.imdsv2',
    (s) => (s.launchTemplate!.data.MetadataOptions = { HttpTokens: 'optional' }),
    'WARN',
    /HttpTokens optional/,
  ],
  ['HTTP redirects', 'security.http-redirect', () => undefined, 'PASS'],
  [
    'HTTP forwards',
    'security.http-redirect',
    (s) => (s.listeners![0].DefaultActions = [{ Type: 'forward', TargetGroupArn: TG_ARN }]),
    'WARN',
    /on 80/,
  ],
  // failure
  ['subnets in 2 zones', 'failure.group-azs', () => undefined, 'PASS'],
  [
    'subnets in 1 zone',
    'failure.group-azs',
    (s) => {
      s.subnets = [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }];
      s.group!.VPCZoneIdentifier = 'subnet-a';
    },
    'FAIL',
    /one zone only \(us-east-1a\)/,
  ],
  ['InService over 2 zones', 'failure.inservice-azs', () => undefined, 'PASS'],
  [
    'InService in 1 zone',
    'failure.inservice-azs',
    (s) => (s.group!.Instances![1].AvailabilityZone = 'us-east-1a'),
    'FAIL',
    /all 2 InService instances are in us-east-1a/,
  ],
  ['ALB in 2 zones', 'failure.alb-azs', () => undefined, 'PASS'],
  ['ALB in 1 zone', 'failure.alb-azs', (s) => s.loadBalancer!.AvailabilityZones!.pop(), 'FAIL', /one zone only/],
  ['ELB health check', 'failure.health-check-type', () => undefined, 'PASS'],
  ['EC2 health check behind an ALB', 'failure.health-check-type', (s) => (s.group!.HealthCheckType = 'EC2'), 'WARN', /not replaced/],
  ['MinSize 2', 'failure.min-size', () => undefined, 'PASS'],
  ['MinSize 1', 'failure.min-size', (s) => (s.group!.MinSize = 1), 'WARN', /single instance/],
  ['targets healthy', 'failure.target-health', () => undefined, 'PASS'],
  [
    'a target unhealthy',
    'failure.target-health',
    (s) => (s.targetHealth![1].TargetHealth = { State: 'unhealthy', Reason: 'Target.Timeout' }),
    'FAIL',
    /i-2 \(Target\.Timeout\)/,
  ],
  // scalability
  ['a target-tracking policy', 'scalability.policy', () => undefined, 'PASS', /ALBRequestCountPerTarget target 60/],
  ['no policy', 'scalability.policy', (s) => (s.policies = []), 'FAIL', /no scaling policy/],
  ['warm-up within the grace', 'scalability.warmup', () => undefined, 'PASS'],
  [
    'no warm-up',
    'scalability.warmup',
    (s) => {
      delete s.policies![0].EstimatedInstanceWarmup;
      delete s.group!.DefaultInstanceWarmup;
    },
    'WARN',
    /no instance warm-up/,
  ],
  [
    'warm-up longer than the grace',
    'scalability.warmup',
    (s) => (s.policies![0].EstimatedInstanceWarmup = 600),
    'WARN',
    /600 s is longer than the health check grace 300 s/,
  ],
  ['room to scale', 'scalability.max-size', () => undefined, 'PASS'],
  ['MaxSize = MinSize', 'scalability.max-size', (s) => (s.group!.MaxSize = 2), 'FAIL', /cannot scale/],
  ['m7i: no burstable note', 'scalability.instance-type', () => undefined, 'INFO', /^m7i\.large \(family m7i, size large\)$/],
  [
    't3.micro: burstable',
    'scalability.instance-type',
    (s) => s.group!.Instances!.forEach((i) => (i.InstanceType = 't3.micro')),
    'INFO',
    /burstable.*CPU credits/,
  ],
  // what a group at 0 instances launches with
  [
    'SSH open on the launch template group, no instance running',
    'security.admin-ports',
    (s) => {
      s.group!.Instances = [];
      s.instanceSecurityGroups = [{ id: 'sg-0lt', from: 'launch template lt-0abc version 3' }];
      s.securityGroups!.push({ GroupId: 'sg-0lt', GroupName: 'web-lt-sg', IpPermissions: [world(22, 22), world(80, 80)] });
    },
    'FAIL',
    /SSH \(22\) open to the world on web-lt-sg/,
  ],
  [
    'the launch template group open to the world, no instance running',
    'security.instance-sg',
    (s) => {
      s.group!.Instances = [];
      s.instanceSecurityGroups = [{ id: 'sg-0lt', from: 'launch template lt-0abc version 3' }];
      s.securityGroups!.push({ GroupId: 'sg-0lt', GroupName: 'web-lt-sg', IpPermissions: [world(80, 80)] });
    },
    'FAIL',
    /from anywhere/,
  ],
  // a policy that cannot act
  [
    'a disabled policy',
    'scalability.policy',
    (s) => (s.policies![0].Enabled = false),
    'FAIL',
    /no policy of group web-asg can act \(rps is disabled\)/,
  ],
  [
    'a step policy with no alarm',
    'scalability.policy',
    (s) => (s.policies = [{ PolicyName: 'step', PolicyType: 'StepScaling', StepAdjustments: [{ ScalingAdjustment: 1 }], Alarms: [] }]),
    'FAIL',
    /step \(StepScaling\) has no alarm to invoke it/,
  ],
  [
    'a step policy with its alarm',
    'scalability.policy',
    (s) => (s.policies = [{ PolicyName: 'step', PolicyType: 'StepScaling', Alarms: [{ AlarmName: 'cpu-high' }] }]),
    'PASS',
    /policy step \(StepScaling, 1 alarm\)/,
  ],
  [
    'a working policy beside a simple one nothing invokes',
    'scalability.policy',
    (s) => s.policies!.push({ PolicyName: 'old', PolicyType: 'SimpleScaling', Alarms: [] }),
    'WARN',
    /ALBRequestCountPerTarget target 60; but old \(SimpleScaling\) has no alarm to invoke it/,
  ],
];

describe('checks', () => {
  it.each(cases)('%s: %s is %s', (_name, id, change, status, expected) => {
    const s = base();
    change(s);
    const c = check(s, id);
    expect(c.status).toBe(status);
    if (expected) expect(c.summary).toMatch(expected);
    // A fix is a command that runs when pasted (no placeholder), or none at all.
    if (status === 'FAIL' || status === 'WARN') {
      if (c.fix !== null) expect(c.fix).toMatch(/^aws [^<>]*$/);
    } else expect(c.fix).toBeNull();
  });

  it('the well-built fixture passes everything: exit 0', () => {
    const checks = runChecks(base());
    expect(checks.filter((c) => c.status !== 'PASS' && c.status !== 'INFO')).toEqual([]);
    expect(checksExitCode(checks)).toBe(0);
  });

  it('a FAIL makes exit 1; fixes carry the real ids', () => {
    const s = base();
    s.securityGroups![0].IpPermissions = [world(0, 65535)];
    s.policies = [];
    const checks = runChecks(s);
    expect(checksExitCode(checks)).toBe(1);
    const open = checks.find((c) => c.id === 'security.alb-sg-world')!;
    expect(open.fix).toContain(`revoke-security-group-ingress --group-id ${ALB_SG}`);
    expect(open.fix).toContain(`authorize-security-group-ingress --group-id ${ALB_SG} --protocol tcp --port 80 --cidr 0.0.0.0/0`);
    const policy = checks.find((c) => c.id === 'scalability.policy')!;
    expect(policy.fix).toContain('app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/73e2d6bc24d8a067');
  });

  it('--only keeps the principles asked for, in principle order', () => {
    const checks = runChecks(base(), ['scalability', 'failure']);
    expect(new Set(checks.map((c) => c.principle))).toEqual(new Set(['failure', 'scalability']));
    expect(checks[0].principle).toBe('failure');
  });

  it('the table fits 80 columns except where a command word cannot be broken', () => {
    const s = base();
    s.group!.MaxSize = 2;
    const lines = formatCheckTable(s, runChecks(s), 80);
    expect(lines).toContain('failure');
    for (const line of lines) if (!/^ +\S+( \\)?$/.test(line)) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.at(-1)).toMatch(/1 FAIL/);
  });

  it('a check whose inputs were not read is a SKIP with the reason, never a PASS; --strict makes it a FAIL', () => {
    const s = base();
    delete s.securityGroups;
    s.unread = { loadBalancerSecurityGroups: 'DescribeSecurityGroups was denied: allow IAM action ec2:DescribeSecurityGroups' };
    const checks = runChecks(s);
    for (const id of ['security.alb-sg-world', 'security.listener-ports', 'security.instance-sg', 'security.admin-ports']) {
      const c = checks.find((x) => x.id === id)!;
      expect(c.status, id).toBe('SKIP');
      expect(c.fix).toBeNull();
    }
    expect(checks.find((c) => c.id === 'security.alb-sg-world')!.reason).toBe(
      'DescribeSecurityGroups was denied: allow IAM action ec2:DescribeSecurityGroups',
    );
    // Without a reason recorded, the SKIP still says what could not be read.
    expect(checks.find((c) => c.id === 'security.instance-sg')!.reason).toBe("the instances' security groups could not be read");
    expect(checksExitCode(checks)).toBe(0);
    const strict = strictChecks(checks);
    expect(strict.find((c) => c.id === 'security.admin-ports')).toMatchObject({ status: 'FAIL', reason: expect.any(String) as unknown });
    expect(checksExitCode(strict)).toBe(1);
    expect(formatCheckTable(s, checks, 80).at(-1)).toMatch(/^\d+ SKIP, \d+ PASS, 1 INFO$/);
  });

  it('every check is there even when nothing but the region was read: all SKIP', () => {
    const checks = runChecks({ region: 'us-east-1', unread: {}, troubles: [], notes: [] });
    expect(checks.map((c) => c.id).sort()).toEqual(
      [
        'failure.alb-azs',
        'failure.group-azs',
        'failure.health-check-type',
        'failure.inservice-azs',
        'failure.min-size',
        'failure.target-health',
        'scalability.instance-type',
        'scalability.max-size',
        'scalability.policy',
        'scalability.warmup',
        'security.admin-ports',
        'security.alb-sg-world',
        'security.http-redirect',
        'security.imdsv2',
        'security.instance-sg',
        'security.listener-ports',
      ].sort(),
    );
    expect(checks.every((c) => c.status === 'SKIP' && c.reason)).toBe(true);
  });

  it('a fix prints as lines a shell runs when pasted: joined back, they are the command', () => {
    const s = base();
    s.securityGroups![0].IpPermissions = [world(0, 65535)];
    s.policies = [];
    for (const c of runChecks(s).filter((x) => x.fix)) {
      const lines = shellLines(c.fix!, 80);
      // Every line but the last ends in " \\"; nothing but the command is on them.
      lines.slice(0, -1).forEach((l) => expect(l).toMatch(/ \\$/));
      expect(lines.at(-1)).not.toMatch(/\\$/);
      const joined = lines
        .map((l) => l.replace(/ \\$/, '').trim())
        .join(' ')
        .replace(/ && /g, ' && ');
      expect(joined).toBe(c.fix);
      for (const l of lines) if (l.length > 80) expect(l.trim()).toMatch(/^\S+( \\)?$/);
    }
  });
});
