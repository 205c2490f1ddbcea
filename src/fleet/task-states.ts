/**
 * The fleet's shards as ECS reports their tasks: pending, running or
 * stopped, and for a stopped one whether it failed and why, in ECS's own
 * words (stop code, reason, exit code). Pure: the CLI draws its live line and
 * its failure lines from these.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { Launch } from './ecs.js';

export type ShardPhase = 'pending' | 'running' | 'stopped';

export interface ShardTaskState {
  index: number;
  /** The task's ARN; null when it never launched. */
  taskArn: string | null;
  phase: ShardPhase;
  /** Why this shard failed (never launched, failed to start, exited non-zero); null when it did not (yet). */
  failure: string | null;
  /** ECS's stop code once stopped: UserInitiated after a StopTask (abx's own, on Ctrl-C, is no failure of the shard's). */
  stopCode: string | null;
}

/** The last part of a task ARN: what the ECS console and CLI show. */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/**
 * ECS's lastStatus as one of three phases. Only STOPPED (or DELETED) is
 * stopped: a STOPPING task's container may still exit 0 and write its result.
 */
function phaseOf(task: Task | undefined): ShardPhase {
  switch (task?.lastStatus) {
    case 'STOPPED':
    case 'DELETED':
      return 'stopped';
    case 'RUNNING':
    case 'DEACTIVATING':
    case 'STOPPING':
    case 'DEPROVISIONING':
      return 'running';
    default:
      return 'pending';
  }
}

/** Why a stopped task failed, or null when its container exited 0. */
export function stoppedFailure(task: Task): string | null {
  const container = task.containers?.[0];
  const exitCode = container?.exitCode;
  if (exitCode === 0) return null;
  const reason = [task.stoppedReason, container?.reason].filter((r, i, all) => r && all.indexOf(r) === i).join('; ');
  const code = task.stopCode ? `${task.stopCode}: ` : '';
  if (exitCode === undefined) return `${code}${reason || 'stopped before its container ran'}`;
  return `exit ${exitCode}${reason ? ` (${code}${reason})` : ''}`;
}

/** Each shard's state, from its launch and the latest DescribeTasks answer. */
export function shardStates(launches: Launch[], tasks: Task[]): ShardTaskState[] {
  const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
  return launches.map((launch) => {
    if ('failure' in launch) return { index: launch.index, taskArn: null, phase: 'stopped', failure: launch.failure, stopCode: null };
    const task = byArn.get(launch.taskArn);
    const phase = phaseOf(task);
    return {
      index: launch.index,
      taskArn: launch.taskArn,
      phase,
      failure: phase === 'stopped' && task ? stoppedFailure(task) : null,
      stopCode: phase === 'stopped' ? (task?.stopCode ?? null) : null,
    };
  });
}

export function countPhases(states: ShardTaskState[]): Record<ShardPhase, number> {
  const counts: Record<ShardPhase, number> = { pending: 0, running: 0, stopped: 0 };
  for (const s of states) counts[s.phase]++;
  return counts;
}

/** True when every shard's task has stopped (or never launched). */
export function allStopped(states: ShardTaskState[]): boolean {
  return states.every((s) => s.phase === 'stopped');
}
