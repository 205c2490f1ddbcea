/**
 * `abx check`'s verdict: every check over one Snapshot, read troubles as
 * WARNs naming the IAM action, and the exit code the verdict implies.
 */
import type { Result } from '../stats/result.js';
import { failureChecks } from './failure.js';
import { measuredChecks } from './measured.js';
import { scalabilityChecks } from './scalability.js';
import { securityChecks } from './security.js';
import type { Check, Principle, ReadTrouble, Snapshot } from './types.js';

export type { Check, CheckStatus, Principle, ReadTrouble, Snapshot } from './types.js';
export { PRINCIPLES } from './types.js';

/** Which principle a failed read leaves unchecked, so its WARN sits with the checks it hides. */
const READ_PRINCIPLE: Record<string, Principle> = {
  DescribeSecurityGroups: 'security',
  DescribeListeners: 'security',
  DescribeInstances: 'security',
  DescribeLaunchTemplateVersions: 'security',
  DescribePolicies: 'scalability',
  DescribeAlarms: 'scalability',
};

export function troubleCheck(t: ReadTrouble): Check {
  return {
    id: `read.${t.action}`,
    principle: READ_PRINCIPLE[t.action] ?? 'failure',
    status: 'WARN',
    summary: t.accessDenied ? `not checked: ${t.action} was denied; allow IAM action ${t.iamAction}` : `not checked: ${t.message}`,
    evidence: [t.message],
    fix: t.accessDenied ? `allow "${t.iamAction}" in the IAM policy of these credentials` : null,
  };
}

/**
 * All checks, grouped by principle in PRINCIPLES order; `only` keeps those
 * principles. With a run's result (`--from`), the checks that need a measurement too.
 */
export function runChecks(s: Snapshot, only?: readonly Principle[], measured?: Result): Check[] {
  const all = [
    ...securityChecks(s),
    ...failureChecks(s),
    ...scalabilityChecks(s),
    ...(measured ? measuredChecks(s, measured) : []),
    ...s.troubles.map(troubleCheck),
  ];
  const order: Principle[] = ['security', 'failure', 'scalability'];
  return all.filter((c) => !only || only.includes(c.principle)).sort((a, b) => order.indexOf(a.principle) - order.indexOf(b.principle));
}

/** 1 when any check FAILs, else 0. */
export function checksExitCode(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}
