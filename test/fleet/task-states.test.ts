/**
 * How the fleet reads ECS's task states: three phases for the live line, and
 * a failure in ECS's own words for a task that did not exit 0.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '@aws-sdk/client-ecs';
import { allStopped, countPhases, shardStates, stoppedFailure, taskId } from '../../src/fleet/task-states.js';
import type { Launch } from '../../src/fleet/ecs.js';

const arn = (n: number): string => `arn:aws:ecs:us-east-1:123456789012:task/default/${String(n).repeat(32).slice(0, 32)}`;

describe('shardStates', () => {
  const launches: Launch[] = [
    { index: 0, taskArn: arn(1) },
    { index: 1, taskArn: arn(2) },
    { index: 2, taskArn: arn(3) },
    { index: 3, failure: 'RESOURCE:ENI' },
  ];

  it('counts provisioning and pending as pending, stopping as still running, and judges only stopped tasks', () => {
    const tasks: Task[] = [
      { taskArn: arn(1), lastStatus: 'PROVISIONING' },
      { taskArn: arn(2), lastStatus: 'STOPPING', stopCode: 'UserInitiated', containers: [{ name: 'abx' }] },
      { taskArn: arn(3), lastStatus: 'RUNNING' },
    ];
    const states = shardStates(launches, tasks);
    expect(states.map((s) => s.phase)).toEqual(['pending', 'running', 'running', 'stopped']);
    expect(states.map((s) => s.failure)).toEqual([null, null, null, 'RESOURCE:ENI']);
    expect(countPhases(states)).toEqual({ pending: 1, running: 2, stopped: 1 });
    expect(allStopped(states)).toBe(false);
  });

  it('a task ECS has not described yet is pending; all stopped only when every task is', () => {
    expect(shardStates(launches, [])[0].phase).toBe('pending');
    const stopped = [1, 2, 3].map((n) => ({ taskArn: arn(n), lastStatus: 'STOPPED', containers: [{ exitCode: 0 }] }));
    const states = shardStates(launches, stopped);
    expect(allStopped(states)).toBe(true);
    expect(states.slice(0, 3).every((s) => s.failure === null)).toBe(true);
  });
});

describe('stoppedFailure', () => {
  it('exit 0 is no failure', () => {
    expect(stoppedFailure({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ exitCode: 0 }] })).toBeNull();
  });

  it('a non-zero exit says the code and ECS reason', () => {
    expect(
      stoppedFailure({
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ exitCode: 2 }],
      }),
    ).toBe('exit 2 (EssentialContainerExited: Essential container in task exited)');
  });

  it('a task that never ran says why, once even when task and container give the same reason', () => {
    const reason = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref abx:nope: not found';
    expect(stoppedFailure({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: reason, containers: [{ reason }] })).toBe(
      `TaskFailedToStart: ${reason}`,
    );
  });
});

it('taskId is the ARN tail the console shows', () => {
  expect(taskId('arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef')).toBe(
    '0123456789abcdef0123456789abcdef',
  );
});
