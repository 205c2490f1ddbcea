/**
 * The Auto Scaling group: instances, their lifecycle and the scaling
 * activities that record it. Pure state driven by explicit times (epoch ms),
 * so tests move a fake clock and call advance().
 *
 * A launched instance goes:
 *   Pending, target `initial` (Elb.RegistrationInProgress), activity PreInService
 *     └ launchDelayMs later: still Pending, target `initial` (Elb.InitialHealthChecking),
 *       activity InProgress: the health checks run while the instance warms up
 *         └ warmupMs later: InService, target `healthy` (it now receives traffic),
 *           activity Successful with an EndTime.
 * A terminated instance is Terminating with its target `draining` for drainMs
 * (activity InProgress), then leaves the group (activity Successful).
 * New instances go to the Availability Zone with fewer live instances (ties to
 * the first), so a growing group alternates us-east-1a / us-east-1b. Scale-in
 * picks from the zone with the most instances, newest first, which keeps the
 * zones balanced as AWS's default termination policy does.
 */
import { isoSeconds, newInstanceId, newUuid } from './ids.js';

export type LifecycleState = 'Pending' | 'InService' | 'Terminating';
export type TargetState = 'initial' | 'healthy' | 'draining';

export interface Instance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: LifecycleState;
  targetState: TargetState;
  /** Reason code shown by DescribeTargetHealth for a target that is not healthy. */
  targetReason?: string;
  launchedAtMs: number;
  /** When health checks start (launch + launchDelayMs). */
  healthCheckAtMs: number;
  /** When it becomes InService (health checks + warm-up done). */
  inServiceAtMs: number;
  /** When it leaves the group after draining. */
  goneAtMs?: number;
  activityId: string;
}

export type ActivityStatus = 'PreInService' | 'InProgress' | 'Successful';

export interface Activity {
  /** Creation order: paging tokens point at it, so new activities never shift pages. */
  seq: number;
  activityId: string;
  description: string;
  cause: string;
  statusCode: ActivityStatus;
  progress: number;
  startTimeMs: number;
  endTimeMs?: number;
  /** JSON text, as AWS sends it: subnet and Availability Zone. */
  details: string;
}

/** What made the desired capacity change, for the Cause text. */
export interface ScalingReason {
  /** Epoch ms of the alarm evaluation (or the group's creation). */
  atMs: number;
  /** Absent for the group's creation by "a user request". */
  alarmName?: string;
  policyName?: string;
}

export interface GroupConfig {
  asgName: string;
  min: number;
  max: number;
  launchDelayMs: number;
  warmupMs: number;
  /** How long a terminated target drains before the instance is gone. */
  drainMs: number;
  availabilityZones: [string, string];
  subnetIds: Record<string, string>;
}

export type ActivityListener = (activity: Activity) => void;

export class ScalingGroup {
  desired: number;
  readonly instances: Instance[] = [];
  readonly activities: Activity[] = [];
  private readonly listeners: ActivityListener[] = [];
  private seq = 0;
  /** Bumped whenever the set of healthy targets changes, so the balancer rebuilds its list only then. */
  version = 0;

  constructor(readonly config: GroupConfig) {
    this.desired = 0;
  }

  onActivity(listener: ActivityListener): void {
    this.listeners.push(listener);
  }

  /**
   * Creates the group at `nowMs` with `desired` instances already InService:
   * the lab starts from a warmed-up group, as the classic lab does once its
   * stack is up. The creation activities are recorded as completed.
   */
  create(desired: number, nowMs: number): void {
    const to = Math.min(this.config.max, Math.max(this.config.min, desired));
    const cause = `At ${isoSeconds(nowMs)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${to}.  At ${isoSeconds(nowMs)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to ${to}.`;
    this.desired = to;
    for (let i = 0; i < to; i++) {
      const instance = this.launch(nowMs, cause);
      instance.healthCheckAtMs = nowMs;
      instance.inServiceAtMs = nowMs;
    }
    this.advance(nowMs);
  }

  live(): Instance[] {
    return this.instances.filter((i) => i.lifecycleState !== 'Terminating');
  }

  inService(): Instance[] {
    return this.instances.filter((i) => i.lifecycleState === 'InService');
  }

  /** Launching or warming up: counted in desired, not yet serving. */
  warming(): Instance[] {
    return this.instances.filter((i) => i.lifecycleState === 'Pending');
  }

  /** Registered targets (every instance the target group knows, draining included). */
  registered(): Instance[] {
    return this.instances;
  }

  /** Sets the desired capacity (clamped to min/max) and launches or terminates to match. Returns the new desired. */
  setDesired(requested: number, reason: ScalingReason, nowMs: number): number {
    const from = this.desired;
    const to = Math.min(this.config.max, Math.max(this.config.min, requested));
    if (to === from) return to;
    this.desired = to;
    const head = reason.alarmName
      ? `At ${isoSeconds(reason.atMs)} a monitor alarm ${reason.alarmName} in state ALARM triggered policy ${reason.policyName} changing the desired capacity from ${from} to ${to}.`
      : `At ${isoSeconds(reason.atMs)} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`;
    const actual = this.live().length;
    if (to > actual) {
      const cause = `${head}  At ${isoSeconds(nowMs)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${actual} to ${to}.`;
      for (let n = actual; n < to; n++) this.launch(nowMs, cause);
    } else if (to < actual) {
      for (let n = actual; n > to; n--) {
        const victim = this.pickVictim();
        if (!victim) break;
        const cause = `${head}  At ${isoSeconds(nowMs)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${actual} to ${to}.  At ${isoSeconds(nowMs)} instance ${victim.instanceId} was selected for termination.`;
        this.terminate(victim, cause, nowMs);
      }
    }
    this.advance(nowMs);
    return to;
  }

  /** Applies every lifecycle transition due by `nowMs`. Returns true when the healthy targets changed. */
  advance(nowMs: number): boolean {
    let changed = false;
    for (let i = 0; i < this.instances.length; i++) {
      const instance = this.instances[i];
      const activity = this.activityOf(instance);
      if (instance.lifecycleState === 'Pending') {
        if (nowMs >= instance.inServiceAtMs) {
          instance.lifecycleState = 'InService';
          instance.targetState = 'healthy';
          delete instance.targetReason;
          changed = true;
          if (activity) this.progress(activity, 'Successful', 100, instance.inServiceAtMs);
        } else if (nowMs >= instance.healthCheckAtMs && instance.targetReason !== 'Elb.InitialHealthChecking') {
          instance.targetReason = 'Elb.InitialHealthChecking';
          if (activity) this.progress(activity, 'InProgress', 50);
        }
      } else if (instance.lifecycleState === 'Terminating' && instance.goneAtMs !== undefined && nowMs >= instance.goneAtMs) {
        this.instances.splice(i, 1);
        i--;
        changed = true;
        if (activity) this.progress(activity, 'Successful', 100, instance.goneAtMs);
      }
    }
    if (changed) this.version++;
    return changed;
  }

  /** The earliest future time at which advance() has something to do, or Infinity. */
  nextTransitionMs(): number {
    let next = Infinity;
    for (const i of this.instances) {
      if (i.lifecycleState === 'Pending') {
        next = Math.min(next, i.targetReason === 'Elb.InitialHealthChecking' ? i.inServiceAtMs : i.healthCheckAtMs);
      } else if (i.lifecycleState === 'Terminating' && i.goneAtMs !== undefined) {
        next = Math.min(next, i.goneAtMs);
      }
    }
    return next;
  }

  private activityOf(instance: Instance): Activity | undefined {
    for (let i = this.activities.length - 1; i >= 0; i--) {
      if (this.activities[i].activityId === instance.activityId) return this.activities[i];
    }
    return undefined;
  }

  private launch(nowMs: number, cause: string): Instance {
    const az = this.nextZone();
    const instanceId = newInstanceId();
    const activity = this.record(`Launching a new EC2 instance: ${instanceId}`, cause, az, nowMs, 'PreInService', 20);
    const instance: Instance = {
      instanceId,
      availabilityZone: az,
      lifecycleState: 'Pending',
      targetState: 'initial',
      targetReason: 'Elb.RegistrationInProgress',
      launchedAtMs: nowMs,
      healthCheckAtMs: nowMs + this.config.launchDelayMs,
      inServiceAtMs: nowMs + this.config.launchDelayMs + this.config.warmupMs,
      activityId: activity.activityId,
    };
    this.instances.push(instance);
    return instance;
  }

  private terminate(instance: Instance, cause: string, nowMs: number): void {
    const activity = this.record(
      `Terminating EC2 instance: ${instance.instanceId}`,
      cause,
      instance.availabilityZone,
      nowMs,
      'InProgress',
      50,
    );
    if (instance.lifecycleState === 'InService') this.version++;
    instance.lifecycleState = 'Terminating';
    instance.targetState = 'draining';
    instance.targetReason = 'Target.DeregistrationInProgress';
    instance.goneAtMs = nowMs + this.config.drainMs;
    instance.activityId = activity.activityId;
  }

  private nextZone(): string {
    const [a, b] = this.config.availabilityZones;
    const live = this.live();
    const inA = live.filter((i) => i.availabilityZone === a).length;
    const inB = live.length - inA;
    return inB < inA ? b : a;
  }

  private pickVictim(): Instance | undefined {
    const live = this.live();
    const [a, b] = this.config.availabilityZones;
    const inA = live.filter((i) => i.availabilityZone === a).length;
    const inB = live.length - inA;
    const zone = inB > inA ? b : a;
    const candidates = live.filter((i) => i.availabilityZone === zone);
    const pool = candidates.length > 0 ? candidates : live;
    return pool.reduce<Instance | undefined>((newest, i) => (!newest || i.launchedAtMs >= newest.launchedAtMs ? i : newest), undefined);
  }

  private record(description: string, cause: string, az: string, nowMs: number, statusCode: ActivityStatus, progress: number): Activity {
    const activity: Activity = {
      seq: this.seq++,
      activityId: newUuid(),
      description,
      cause,
      statusCode,
      progress,
      startTimeMs: nowMs,
      details: JSON.stringify({ 'Subnet ID': this.config.subnetIds[az] ?? '', 'Availability Zone': az }),
    };
    this.activities.push(activity);
    this.emit(activity);
    return activity;
  }

  private progress(activity: Activity, statusCode: ActivityStatus, progress: number, endTimeMs?: number): void {
    activity.statusCode = statusCode;
    activity.progress = progress;
    if (endTimeMs !== undefined) activity.endTimeMs = endTimeMs;
    this.emit(activity);
  }

  private emit(activity: Activity): void {
    for (const listener of this.listeners) listener(activity);
  }
}
