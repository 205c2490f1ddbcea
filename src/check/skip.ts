/**
 * What a check needs and, when it was not read, why: the one rule that keeps
 * a check from saying PASS about something abx did not see. Pure.
 */
import type { Check, Principle, Snapshot, SnapshotPart } from './types.js';

const WHAT: Record<SnapshotPart, string> = {
  group: 'the Auto Scaling group',
  loadBalancer: 'the load balancer',
  listeners: "the load balancer's listeners",
  targetGroup: 'the target group',
  targetHealth: "the target group's target health",
  loadBalancerSecurityGroups: "the load balancer's security groups",
  instanceSecurityGroups: "the instances' security groups",
  subnets: "the group's subnets",
  launchTemplate: "the group's launch template",
  policies: "the group's scaling policies",
};

/** Every id in `ids` has its rules in the snapshot. */
function groupsRead(s: Snapshot, ids: readonly string[]): boolean {
  const read = new Set((s.securityGroups ?? []).map((g) => g.GroupId));
  return ids.every((id) => read.has(id));
}

function present(s: Snapshot, part: SnapshotPart): boolean {
  switch (part) {
    case 'loadBalancerSecurityGroups':
      return s.loadBalancer !== undefined && groupsRead(s, s.loadBalancer.SecurityGroups ?? []);
    case 'instanceSecurityGroups':
      return (
        s.instanceSecurityGroups !== undefined &&
        groupsRead(
          s,
          s.instanceSecurityGroups.map((g) => g.id),
        )
      );
    default:
      return s[part] !== undefined;
  }
}

/** Why `part` was not read, or null when it was. */
export function unreadReason(s: Snapshot, part: SnapshotPart): string | null {
  if (present(s, part)) return null;
  // The security groups' rules come after the resource that names them: without that resource, its reason is the one.
  if (part === 'loadBalancerSecurityGroups' && !s.loadBalancer) return unreadReason(s, 'loadBalancer');
  return s.unread?.[part] ?? `${WHAT[part]} could not be read`;
}

/** The first reason among `parts`, or null when all were read. */
export function firstUnread(s: Snapshot, parts: readonly SnapshotPart[]): string | null {
  for (const part of parts) {
    const reason = unreadReason(s, part);
    if (reason !== null) return reason;
  }
  return null;
}

/** A check that could not be made: SKIP, with the reason in the summary and on its own. */
export function skipped(id: string, principle: Principle, about: string, reason: string): Check {
  return { id, principle, status: 'SKIP', summary: `could not check ${about}: ${reason}`, evidence: [], fix: null, reason };
}

/** SKIP for `id` when one of `parts` was not read, else null (the check goes on). */
export function skipUnless(s: Snapshot, id: string, principle: Principle, about: string, parts: readonly SnapshotPart[]): Check | null {
  const reason = firstUnread(s, parts);
  return reason === null ? null : skipped(id, principle, about, reason);
}
