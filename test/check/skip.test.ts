/**
 * No verdict by omission: every check of `abx check` has a SKIP path, reached
 * here through a call that IAM denies (or that answers an HTML 500 page), in
 * front of `abx lab --with-policy`. A SKIP names the call and the IAM action;
 * the checks that did read their inputs keep their verdicts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/index.js';
import { readSnapshot } from '../../src/check/read.js';
import type { Check } from '../../src/check/types.js';
import { iamActionFor } from '../../src/aws/errors.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';
import { startDenyProxy, type DenyProxy } from '../helpers/deny-proxy.js';

let t: ClockedLab;
let proxy: DenyProxy;
beforeAll(async () => {
  t = await startClockedLab({ withPolicy: true });
  proxy = await startDenyProxy(t.lab.apiUrl);
});
afterAll(async () => {
  await proxy?.close();
  await t?.lab.close();
});

async function checksWith(deny: string[], by: 'asg' | 'targetGroup' = 'asg', broken: string[] = []): Promise<Record<string, Check>> {
  proxy.deny = new Set(deny);
  proxy.break = new Set(broken);
  const snapshot = await readSnapshot(
    { region: t.lab.region, endpointUrl: proxy.url, credentials: t.clientConfig.credentials, maxAttempts: 1 },
    by === 'asg' ? { asg: t.lab.asgName } : { targetGroupArn: t.lab.targetGroupArn },
  );
  const startedAtMs = Date.UTC(2026, 10, 26, 16, 0, 0);
  const result = makeResult({ secondsMs: [[1, 2]], startedAtMs, observation: makeObservation(startedAtMs) });
  return Object.fromEntries(runChecks(snapshot, undefined, result).map((c) => [c.id, c]));
}

const ALL = [
  'security.alb-sg-world',
  'security.listener-ports',
  'security.instance-sg',
  'security.admin-ports',
  'security.imdsv2',
  'security.http-redirect',
  'failure.group-azs',
  'failure.inservice-azs',
  'failure.alb-azs',
  'failure.health-check-type',
  'failure.min-size',
  'failure.target-health',
  'scalability.policy',
  'scalability.warmup',
  'scalability.max-size',
  'scalability.instance-type',
  'scalability.peak-capacity',
];

describe('every check SKIPs when the call it needs is denied', () => {
  it('nothing denied: nothing skipped (the baseline the cases below change)', async () => {
    const checks = await checksWith([]);
    expect(Object.keys(checks).sort()).toEqual([...ALL].sort());
    expect(Object.values(checks).filter((c) => c.status === 'SKIP')).toEqual([]);
    // The course's open group, found from --asg with the policy's ResourceLabel in place.
    expect(checks['security.alb-sg-world'].status).toBe('FAIL');
  });

  it.each<[string, 'asg' | 'targetGroup', string[]]>([
    [
      'DescribeAutoScalingGroups',
      'targetGroup',
      [
        'security.instance-sg',
        'security.imdsv2',
        'failure.group-azs',
        'failure.inservice-azs',
        'failure.health-check-type',
        'failure.min-size',
        'scalability.policy',
        'scalability.warmup',
        'scalability.max-size',
        'scalability.instance-type',
        'scalability.peak-capacity',
      ],
    ],
    ['DescribePolicies', 'asg', ['scalability.policy', 'scalability.warmup']],
    [
      'DescribeTargetGroups',
      'asg',
      [
        'security.alb-sg-world',
        'security.listener-ports',
        'security.admin-ports',
        'security.http-redirect',
        'failure.alb-azs',
        'failure.target-health',
      ],
    ],
    [
      'DescribeLoadBalancers',
      'asg',
      ['security.alb-sg-world', 'security.listener-ports', 'security.admin-ports', 'security.http-redirect', 'failure.alb-azs'],
    ],
    ['DescribeListeners', 'asg', ['security.alb-sg-world', 'security.listener-ports', 'security.http-redirect']],
    ['DescribeTargetHealth', 'asg', ['failure.target-health']],
    ['DescribeInstances', 'asg', ['security.instance-sg']],
    ['DescribeSecurityGroups', 'asg', ['security.alb-sg-world', 'security.listener-ports', 'security.instance-sg', 'security.admin-ports']],
    ['DescribeLaunchTemplateVersions', 'asg', ['security.imdsv2']],
  ])('%s denied (from --%s): exactly these SKIP, naming the IAM action', async (action, by, skipped) => {
    const checks = await checksWith([action], by);
    const skips = Object.values(checks)
      .filter((c) => c.status === 'SKIP')
      .map((c) => c.id)
      .sort();
    expect(skips).toEqual([...skipped].sort());
    for (const id of skipped) {
      expect(checks[id].reason, id).toBe(`${action} was denied: allow IAM action ${iamActionFor(action)}`);
      expect(checks[id].summary, id).toMatch(/^could not check .*: /);
      expect(checks[id].fix).toBeNull();
    }
  });

  it('a call that answers an HTML 500 page: SKIP with "HTTP 500 from <Action>: <first line>"', async () => {
    const checks = await checksWith([], 'asg', ['DescribeTargetHealth']);
    expect(checks['failure.target-health']).toMatchObject({
      status: 'SKIP',
      reason: 'HTTP 500 from DescribeTargetHealth: 500 Internal Server Error',
    });
  });

  it('the union of the cases covers every check', () => {
    // Kept honest by hand: a new check must join a case above (or get one).
    const covered = new Set([
      'security.instance-sg',
      'security.imdsv2',
      'failure.group-azs',
      'failure.inservice-azs',
      'failure.health-check-type',
      'failure.min-size',
      'scalability.policy',
      'scalability.warmup',
      'scalability.max-size',
      'scalability.instance-type',
      'scalability.peak-capacity',
      'security.alb-sg-world',
      'security.listener-ports',
      'security.admin-ports',
      'security.http-redirect',
      'failure.alb-azs',
      'failure.target-health',
    ]);
    expect([...covered].sort()).toEqual([...ALL].sort());
  });
});
