/**
 * `abx check` end to end against the lab through the real SDK clients: the
 * course's starting state FAILs the All TCP 0-65535 exposure (port 90) and
 * PASSes multi-AZ; after the fix made through the EC2 API (revoke the open
 * rule, authorize port 80 from anywhere) the security check PASSes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CHECK_IAM_ACTIONS } from '../../src/check/read.js';
import { runCheck } from '../../src/cli/check.js';
import { check as checkLibrary } from '../../src/index.js';
import type { Check, Snapshot } from '../../src/check/types.js';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';

let t: ClockedLab | undefined;
afterEach(async () => {
  await t?.lab.close();
  t = undefined;
});

async function check(lab: ClockedLab, json: boolean): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCheck(
    undefined,
    { asg: lab.lab.asgName, region: lab.lab.region, endpointUrl: lab.lab.apiUrl, ...(json ? { json: true } : {}) },
    { out: (s) => (out += s), err: (s) => (err += s), width: 80, credentials: lab.clientConfig.credentials, maxAttempts: 1 },
  );
  return { code, out, err };
}

function byId(out: string): Record<string, Check> {
  const doc = JSON.parse(out) as { schema: string; checks: Check[] };
  expect(doc.schema).toBe('abx.check/v1');
  return Object.fromEntries(doc.checks.map((c) => [c.id, c]));
}

describe('abx check against the lab', () => {
  it('FAILs the port 90 exposure, PASSes multi-AZ, and PASSes security after a revoke and an authorize', async () => {
    t = await startClockedLab();
    const before = await check(t, true);
    expect(before.err).toBe('');
    expect(before.code).toBe(1);
    const checks = byId(before.out);
    expect(checks['security.alb-sg-world']).toMatchObject({ status: 'FAIL', principle: 'security' });
    expect(checks['security.alb-sg-world'].summary).toMatch(/abx-lab-alb-sg .*listener ports 80, 90: 0\.0\.0\.0\/0 on tcp 0-65535/);
    expect(checks['security.listener-ports']).toMatchObject({ status: 'WARN' });
    expect(checks['security.listener-ports'].summary).toContain('port 90');
    expect(checks['failure.group-azs'].status).toBe('PASS');
    expect(checks['failure.inservice-azs'].status).toBe('PASS');
    expect(checks['failure.alb-azs'].status).toBe('PASS');
    // The course lab starts without a policy.
    expect(checks['scalability.policy'].status).toBe('FAIL');
    expect(checks['scalability.instance-type'].summary).toMatch(/t3\.micro.*burstable/);

    // The fix, as the check's own fix line says it: through the EC2 API.
    const ec2 = new EC2Client(t.clientConfig);
    try {
      const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['abx-lab-alb-sg'] }));
      const sg = groups.SecurityGroups![0];
      const open = sg.IpPermissions!.find((p) => p.FromPort === 0 && p.ToPort === 65535)!;
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: sg.GroupId,
          IpPermissions: [{ IpProtocol: open.IpProtocol, FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg.GroupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    } finally {
      ec2.destroy();
    }

    const after = byId((await check(t, true)).out);
    expect(after['security.alb-sg-world']).toMatchObject({ status: 'PASS', fix: null });
    expect(after['security.listener-ports'].status).toBe('PASS');
    expect(after['security.admin-ports'].status).toBe('PASS');
    expect(after['failure.group-azs'].status).toBe('PASS');
  });

  it('prints the table grouped by principle within 80 columns', async () => {
    t = await startClockedLab();
    const { code, out } = await check(t, false);
    expect(code).toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^abx check: group abx-lab-asg, load balancer abx-lab-alb, us-east-1$/);
    expect(lines.indexOf('security')).toBeLessThan(lines.indexOf('failure'));
    expect(lines.indexOf('failure')).toBeLessThan(lines.indexOf('scalability'));
    expect(out).toMatch(/ {2}FAIL {2}alb-sg-world/);
    // Only an unbreakable command word (an ARN, a JSON argument) may pass the width.
    for (const line of lines) if (line.length > 80) expect(line).toMatch(/^ +\S+( (&& )?\\)?$/);
  });
});

describe('abx check against abx lab --with-policy: every discovery form reads the load balancer', () => {
  it.each(['asg', 'targetGroup', 'url'] as const)('from --%s: FAILs alb-sg-world and warns about port 90', async (form) => {
    t = await startClockedLab({ withPolicy: true });
    const dns = await (async () => {
      const { ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
      const elb = new ElasticLoadBalancingV2Client(t.clientConfig);
      try {
        return (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers![0].DNSName!;
      } finally {
        elb.destroy();
      }
    })();
    let out = '';
    const flags = { region: t.lab.region, endpointUrl: t.lab.apiUrl, json: true };
    const code = await runCheck(
      form === 'url' ? `http://${dns}/` : undefined,
      form === 'asg' ? { ...flags, asg: t.lab.asgName } : form === 'targetGroup' ? { ...flags, targetGroup: t.lab.targetGroupArn } : flags,
      { out: (s) => (out += s), err: () => undefined, credentials: t.clientConfig.credentials, maxAttempts: 1 },
    );
    const checks = byId(out);
    expect(code).toBe(1);
    expect(checks['security.alb-sg-world']).toMatchObject({ status: 'FAIL' });
    expect(checks['security.listener-ports'].summary).toContain('port 90');
    // The policy is there: not the course's starting FAIL.
    expect(checks['scalability.policy'].status).toBe('PASS');
    expect(Object.values(checks).filter((c) => c.status === 'SKIP')).toEqual([]);
  });
});

describe('check() in the library', () => {
  it('returns the snapshot and the checks, --only applied', async () => {
    t = await startClockedLab();
    const { snapshot, checks }: { snapshot: Snapshot; checks: Check[] } = await checkLibrary({
      asg: t.lab.asgName,
      region: t.lab.region,
      endpointUrl: t.lab.apiUrl,
      credentials: t.clientConfig.credentials,
      only: ['failure'],
    });
    expect(snapshot.group?.AutoScalingGroupName).toBe(t.lab.asgName);
    expect(snapshot.listeners?.map((l) => l.Port)).toEqual([80, 90]);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.principle === 'failure')).toBe(true);
  });
});

describe('the IAM actions abx check needs', () => {
  it('names every read with its service prefix', () => {
    expect(CHECK_IAM_ACTIONS).toEqual(
      expect.arrayContaining([
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribePolicies',
        'cloudwatch:DescribeAlarms',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeTargetHealth',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeSubnets',
        'ec2:DescribeLaunchTemplateVersions',
      ]),
    );
    expect(CHECK_IAM_ACTIONS.every((a) => !a.startsWith('aws:'))).toBe(true);
  });
});
