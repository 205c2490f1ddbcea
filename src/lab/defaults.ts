/**
 * The lab's defaults, in one place: `abx lab` shows them in its help and
 * startLab fills them in. Import-free, so the CLI can show them without
 * loading the lab itself.
 */

/** The settings with a fixed default. Launch delay and warm-up default to one period, instance capacity to defaultInstanceCapacity. */
export const LAB_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  apiPort: 0,
  periodMs: 5000,
  min: 2,
  max: 6,
  desired: 2,
  targetValue: 60,
  highEvaluationPeriods: 3,
  lowEvaluationPeriods: 15,
  region: 'us-east-1',
  asgName: 'abx-lab-asg',
  /** The course lab starts without a scaling policy; adding one is its last step. `abx demo` starts with it. */
  withPolicy: false,
  /** An ECS task's PROVISIONING time before its process starts: a compressed Fargate launch, long enough to see pending tasks. */
  taskStartDelayMs: 1000,
});

/** Requests per second at which an instance serving exactly the target runs at 60%. */
export function defaultInstanceCapacity(targetValue: number, periodMs: number): number {
  return Math.max(1, Math.round((targetValue * 1000) / periodMs / 0.6));
}

/** The image of the abx-fleet task definition the lab starts with: recorded, never pulled (a task runs this checkout's abx). */
export const LAB_FLEET_IMAGE = 'abx:lab';
