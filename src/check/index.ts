/**
 * `abx check`'s verdict: every check over one Snapshot (a check whose inputs
 * could not be read is a SKIP with its reason, never a PASS), --strict, and
 * the exit code the verdict implies.
 */
import type { Result } from '../stats/result.js';
import { failureChecks } from './failure.js';
import { measuredChecks } from './measured.js';
import { scalabilityChecks } from './scalability.js';
import { securityChecks } from './security.js';
import type { Check, Principle, Snapshot } from './types.js';

export type { Check, CheckStatus, Principle, ReadTrouble, Snapshot } from './types.js';
export { PRINCIPLES } from './types.js';

/**
 * All checks, grouped by principle in PRINCIPLES order; `only` keeps those
 * principles. With a run's result (`--from`), the checks that need a measurement too.
 */
export function runChecks(s: Snapshot, only?: readonly Principle[], measured?: Result): Check[] {
  const all = [...securityChecks(s), ...failureChecks(s), ...scalabilityChecks(s), ...(measured ? measuredChecks(s, measured) : [])];
  const order: Principle[] = ['security', 'failure', 'scalability'];
  return all.filter((c) => !only || only.includes(c.principle)).sort((a, b) => order.indexOf(a.principle) - order.indexOf(b.principle));
}

/** --strict, for CI: what could not be checked fails, with its reason kept. */
export function strictChecks(checks: readonly Check[]): Check[] {
  return checks.map((c) => (c.status === 'SKIP' ? { ...c, status: 'FAIL', summary: `${c.summary} (--strict: not checked is a FAIL)` } : c));
}

/** 1 when any check FAILs, else 0. */
export function checksExitCode(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.status === 'FAIL') ? 1 : 0;
}
