/**
 * An instance refresh: replace every instance not launched from the group's
 * current launch template version, a batch at a time. The batch is what
 * MinHealthyPercentage leaves room for (at least one instance, as AWS
 * replaces at least one at a time): terminate the batch, let the group
 * launch replacements, wait until they are InService and past the refresh's
 * warm-up, then take the next batch.
 */
import { newUuid } from './ids.js';
import type { Instance, LaunchSpec, ScalingGroup } from './group.js';

export type RefreshStatus = 'Pending' | 'InProgress' | 'Successful' | 'Cancelled';

export interface InstanceRefresh {
  instanceRefreshId: string;
  status: RefreshStatus;
  statusReason?: string;
  startMs: number;
  endMs?: number;
  minHealthyPercentage: number;
  /** As asked, in AWS seconds (reported back by DescribeInstanceRefreshes). */
  instanceWarmupSec: number;
  /** The same on the lab's clock. */
  instanceWarmupMs: number;
  /** Instances still to replace at the last step. */
  instancesToUpdate: number;
  percentageComplete: number;
  /** Outdated instances when the refresh started. */
  total: number;
  /** The instances there were when it started: only their replacements need the warm-up. */
  startedWith: string[];
}

function outdated(group: ScalingGroup, spec: LaunchSpec): Instance[] {
  return group.live().filter((i) => i.launchTemplateVersion !== spec.version || i.instanceType !== spec.instanceType);
}

export function startRefresh(
  group: ScalingGroup,
  spec: LaunchSpec,
  minHealthyPercentage: number,
  instanceWarmup: { sec: number; ms: number },
  nowMs: number,
): InstanceRefresh {
  const total = outdated(group, spec).length;
  return {
    instanceRefreshId: newUuid(),
    status: 'Pending',
    startMs: nowMs,
    minHealthyPercentage,
    instanceWarmupSec: instanceWarmup.sec,
    instanceWarmupMs: instanceWarmup.ms,
    instancesToUpdate: total,
    percentageComplete: 0,
    total,
    startedWith: group.instances.map((i) => i.instanceId),
  };
}

/** One step of a refresh at `nowMs`; a no-op once it has ended. */
export function stepRefresh(refresh: InstanceRefresh, group: ScalingGroup, spec: LaunchSpec, nowMs: number): void {
  if (refresh.status === 'Successful' || refresh.status === 'Cancelled') return;
  refresh.status = 'InProgress';
  const old = outdated(group, spec);
  refresh.instancesToUpdate = old.length;
  refresh.percentageComplete = refresh.total === 0 ? 100 : Math.floor((100 * (refresh.total - old.length)) / refresh.total);
  // Wait for the previous batch: nothing launching, draining, or (among the replacements) still within the warm-up.
  const busy =
    group.warming().length > 0 ||
    group.instances.some((i) => i.lifecycleState === 'Terminating') ||
    group.inService().some((i) => !refresh.startedWith.includes(i.instanceId) && i.inServiceAtMs + refresh.instanceWarmupMs > nowMs);
  if (busy) return;
  if (old.length === 0) {
    refresh.status = 'Successful';
    refresh.statusReason = undefined;
    refresh.percentageComplete = 100;
    refresh.endMs = nowMs;
    return;
  }
  const batch = Math.max(1, Math.floor((group.desired * (100 - refresh.minHealthyPercentage)) / 100));
  refresh.statusReason = `Waiting for instances to warm up before continuing. For example: ${old[0].instanceId} is warming up.`;
  for (const instance of old.slice(0, batch)) group.terminateForRefresh(instance, nowMs);
}
