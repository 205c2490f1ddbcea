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
 * New instances go to the available Availability Zone with fewer live
 * instances (ties to the first), so a growing group alternates us-east-1a /
 * us-east-1b, and a zone that is down gets none. Scale-in picks an unhealthy
 * instance or one outside the group's zones first, then the zone with the
 * most instances, newest first, which keeps the zones balanced as AWS's
 * default termination policy does.
 *
 * Besides scaling, the group keeps its desired capacity as AWS does: an
 * instance that fails its health check (after the grace period) or that a
 * user terminates without decrement is replaced, and once a zone is back
 * the group rebalances (launch in the emptier zone first, then terminate in
 * the fuller one).
 */
import { isoSeconds, newInstanceId, newUuid } from './ids.js';

export type LifecycleState = 'Pending' | 'InService' | 'Terminating';
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining';
/** EC2's instance states, as DescribeInstances names them. */
export type Ec2State = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
/** Why an instance failed its health check: decides the Cause text of its replacement. */
export type HealthFailure = 'ec2-stopped' | 'ec2-status' | 'elb';

export interface Instance {
  instanceId: string;
  availabilityZone: string;
  lifecycleState: LifecycleState;
  targetState: TargetState;
  /** Reason code shown by DescribeTargetHealth for a target that is not healthy. */
  targetReason?: string;
  /** From the launch template version it was launched with, e.g. 't3.micro'. */
  instanceType: string;
  /** The launch template version number it was launched with, as text ('1', '2'). */
  launchTemplateVersion: string;
  ec2State: Ec2State;
  /** Auto Scaling's view: 'Unhealthy' instances are replaced once the grace period is over. */
  healthStatus: 'Healthy' | 'Unhealthy';
  /** Set while the instance fails a health check. */
  healthFailure?: HealthFailure;
  /** Since when its checks have been failing (they count only after a few in a row). */
  failingSinceMs?: number;
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
  /** Epoch ms of the alarm evaluation (or the user's request). */
  atMs: number;
  /** Absent for "a user request". */
  alarmName?: string;
  policyName?: string;
  /**
   * Set when the change came from UpdateAutoScalingGroup: AWS then says
   * "a user request update of AutoScalingGroup constraints to min: 2, max: 6, desired: 3".
   */
  constraints?: { min: number; max: number; desired: number };
}

/** What a new instance is launched with (the group's launch template, resolved). */
export interface LaunchSpec {
  instanceType: string;
  version: string;
}

export interface GroupConfig {
  asgName: string;
  min: number;
  max: number;
  launchDelayMs: number;
  warmupMs: number;
  /** How long a terminated target drains before the instance is gone. */
  drainMs: number;
  /** The zones the group launches into (UpdateAutoScalingGroup may change them). */
  availabilityZones: string[];
  subnetIds: Record<string, string>;
  /** 'ELB' (the lab's default) or 'EC2': which failures make Auto Scaling replace an instance. */
  healthCheckType?: 'ELB' | 'EC2';
  /** No replacement for a failed health check until this long after launch. */
  healthCheckGracePeriodMs?: number;
  /** The launch template the next instance gets; default t3.micro, version 1. */
  launchSpec?: () => LaunchSpec;
  /** False while a zone is down: nothing is launched there. */
  zoneAvailable?: (zone: string) => boolean;
}

export type ActivityListener = (activity: Activity) => void;

export class ScalingGroup {
  desired: number;
  readonly instances: Instance[] = [];
  readonly activities: Activity[] = [];
  private readonly listeners: ActivityListener[] = [];
  private readonly goneListeners: ((instance: Instance) => void)[] = [];
  private seq = 0;
  /** The instance an AZRebalance launched, until its partner in the fuller zone is terminated. */
  private rebalancing: string | undefined;
  /** Bumped whenever the set of healthy targets changes, so the balancer rebuilds its list only then. */
  version = 0;

  constructor(readonly config: GroupConfig) {
    this.desired = 0;
  }

  onActivity(listener: ActivityListener): void {
    this.listeners.push(listener);
  }

  /** Called when a terminated instance leaves the group (EC2 still lists it as terminated for a while). */
  onGone(listener: (instance: Instance) => void): void {
    this.goneListeners.push(listener);
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
      if (!instance) break;
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
    const c = reason.constraints;
    const head = reason.alarmName
      ? `At ${isoSeconds(reason.atMs)} a monitor alarm ${reason.alarmName} in state ALARM triggered policy ${reason.policyName} changing the desired capacity from ${from} to ${to}.`
      : c
        ? `At ${isoSeconds(reason.atMs)} a user request update of AutoScalingGroup constraints to min: ${c.min}, max: ${c.max}, desired: ${c.desired} changing the desired capacity from ${from} to ${to}.`
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
          if (instance.ec2State === 'pending') instance.ec2State = 'running';
          instance.targetState = 'healthy';
          delete instance.targetReason;
          changed = true;
          if (activity) this.progress(activity, 'Successful', 100, instance.inServiceAtMs);
        } else if (nowMs >= instance.healthCheckAtMs && instance.targetReason !== 'Elb.InitialHealthChecking') {
          if (instance.ec2State === 'pending') instance.ec2State = 'running';
          instance.targetReason = 'Elb.InitialHealthChecking';
          if (activity) this.progress(activity, 'InProgress', 50);
        }
      } else if (instance.lifecycleState === 'Terminating' && instance.goneAtMs !== undefined && nowMs >= instance.goneAtMs) {
        this.instances.splice(i, 1);
        i--;
        instance.ec2State = 'terminated';
        for (const listener of this.goneListeners) listener(instance);
        changed = true;
        if (activity) this.progress(activity, 'Successful', 100, instance.goneAtMs);
      }
    }
    if (changed) this.version++;
    return changed;
  }

  /**
   * TerminateInstanceInAutoScalingGroup. Without decrement the group launches
   * a replacement (desired unchanged); with it, desired drops by one (never
   * below min). Returns the activity, or undefined for an unknown instance.
   */
  terminateByUser(instanceId: string, decrement: boolean, nowMs: number): Activity | undefined {
    const instance = this.live().find((i) => i.instanceId === instanceId);
    if (!instance) return undefined;
    let cause = `At ${isoSeconds(nowMs)} instance ${instanceId} was taken out of service in response to a user request.`;
    if (decrement) {
      const from = this.desired;
      this.desired = Math.max(this.config.min, from - 1);
      cause = `At ${isoSeconds(nowMs)} instance ${instanceId} was taken out of service in response to a user request, shrinking the capacity from ${from} to ${this.desired}.`;
    }
    const activity = this.terminate(instance, cause, nowMs);
    this.reconcile(nowMs);
    return activity;
  }

  /**
   * Replaces instances whose health check failed once the grace period since
   * their launch is over, as Auto Scaling does: terminate, then launch to get
   * back to the desired capacity. Returns true when anything changed.
   */
  replaceUnhealthy(nowMs: number): boolean {
    const grace = this.config.healthCheckGracePeriodMs ?? 0;
    let changed = false;
    for (const instance of this.live()) {
      if (instance.healthStatus !== 'Unhealthy' || nowMs < instance.launchedAtMs + grace) continue;
      const why =
        instance.healthFailure === 'elb'
          ? 'an ELB system health check failure'
          : instance.healthFailure === 'ec2-stopped'
            ? 'an EC2 health check indicating it has been terminated or stopped'
            : 'an EC2 instance status check failure';
      this.terminate(instance, `At ${isoSeconds(nowMs)} an instance was taken out of service in response to ${why}.`, nowMs);
      changed = true;
    }
    if (changed) this.reconcile(nowMs);
    return changed;
  }

  /** Terminates `instance` for an instance refresh; the group launches its replacement. */
  terminateForRefresh(instance: Instance, nowMs: number): void {
    this.terminate(
      instance,
      `At ${isoSeconds(nowMs)} an instance was taken out of service in response to an instance refresh.  At ${isoSeconds(nowMs)} instance ${instance.instanceId} was selected for termination.`,
      nowMs,
    );
    this.reconcile(nowMs);
  }

  /**
   * Launches or terminates until the live instances match desired: after a
   * termination without decrement, or when a zone failed. Launches go to an
   * available zone; when none is, nothing launches until one comes back.
   */
  reconcile(nowMs: number): void {
    const actual = this.live().length;
    if (actual < this.desired) {
      const cause = `At ${isoSeconds(nowMs)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${actual} to ${this.desired}.`;
      for (let n = actual; n < this.desired; n++) this.launch(nowMs, cause);
    } else if (actual > this.desired && !this.rebalancing) {
      for (let n = actual; n > this.desired; n--) {
        const victim = this.pickVictim();
        if (!victim) break;
        this.terminate(
          victim,
          `At ${isoSeconds(nowMs)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${actual} to ${this.desired}.  At ${isoSeconds(nowMs)} instance ${victim.instanceId} was selected for termination.`,
          nowMs,
        );
      }
    }
  }

  /**
   * AZRebalance: when the available zones differ by more than one instance
   * and nothing is launching, launch one in the zone with the fewest first
   * (capacity never dips), then, once it is InService, terminate one in the
   * zone with the most.
   */
  rebalance(nowMs: number): void {
    if (this.rebalancing) {
      const launched = this.instances.find((i) => i.instanceId === this.rebalancing);
      if (launched && launched.lifecycleState === 'Pending') return;
      this.rebalancing = undefined;
      const victim = this.pickVictim();
      if (victim && this.live().length > this.desired)
        this.terminate(
          victim,
          `At ${isoSeconds(nowMs)} instance ${victim.instanceId} was selected for termination to aid in balancing the group's zones.`,
          nowMs,
        );
      return;
    }
    if (this.warming().length > 0 || this.live().length !== this.desired) return;
    const counts = this.zoneCounts();
    if (counts.length < 2) return;
    if (counts[counts.length - 1].count - counts[0].count < 2) return;
    const instance = this.launch(
      nowMs,
      `At ${isoSeconds(nowMs)} an instance was launched to aid in balancing the group's zones.`,
      counts[0].zone,
    );
    if (instance) this.rebalancing = instance.instanceId;
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

  private launch(nowMs: number, cause: string, zone?: string): Instance | undefined {
    const az = zone ?? this.nextZone();
    if (az === undefined) return undefined;
    const spec = this.config.launchSpec?.() ?? { instanceType: 't3.micro', version: '1' };
    const instanceId = newInstanceId();
    const activity = this.record(`Launching a new EC2 instance: ${instanceId}`, cause, az, nowMs, 'PreInService', 20);
    const instance: Instance = {
      instanceId,
      availabilityZone: az,
      lifecycleState: 'Pending',
      targetState: 'initial',
      targetReason: 'Elb.RegistrationInProgress',
      instanceType: spec.instanceType,
      launchTemplateVersion: spec.version,
      ec2State: 'pending',
      healthStatus: 'Healthy',
      launchedAtMs: nowMs,
      healthCheckAtMs: nowMs + this.config.launchDelayMs,
      inServiceAtMs: nowMs + this.config.launchDelayMs + this.config.warmupMs,
      activityId: activity.activityId,
    };
    this.instances.push(instance);
    return instance;
  }

  private terminate(instance: Instance, cause: string, nowMs: number): Activity {
    const activity = this.record(
      `Terminating EC2 instance: ${instance.instanceId}`,
      cause,
      instance.availabilityZone,
      nowMs,
      'InProgress',
      50,
    );
    this.version++;
    instance.lifecycleState = 'Terminating';
    instance.targetState = 'draining';
    instance.targetReason = 'Target.DeregistrationInProgress';
    if (instance.ec2State !== 'stopped' && instance.ec2State !== 'terminated') instance.ec2State = 'shutting-down';
    instance.goneAtMs = nowMs + this.config.drainMs;
    instance.activityId = activity.activityId;
    return activity;
  }

  /** Live instances per available group zone, fewest first (ties in the group's zone order). */
  private zoneCounts(): { zone: string; count: number }[] {
    const available = this.config.availabilityZones.filter((z) => this.config.zoneAvailable?.(z) ?? true);
    const live = this.live();
    return available
      .map((zone, order) => ({ zone, order, count: live.filter((i) => i.availabilityZone === zone).length }))
      .sort((x, y) => x.count - y.count || x.order - y.order);
  }

  private nextZone(): string | undefined {
    return this.zoneCounts()[0]?.zone;
  }

  /**
   * Scale-in's choice, as AWS's default termination policy: an unhealthy
   * instance or one in a zone that is down or left the group first, then the
   * zone with the most instances, newest first.
   */
  private pickVictim(): Instance | undefined {
    const live = this.live();
    const newest = (pool: Instance[]): Instance | undefined =>
      pool.reduce<Instance | undefined>((n, i) => (!n || i.launchedAtMs >= n.launchedAtMs ? i : n), undefined);
    const counts = this.zoneCounts();
    const stray = live.filter((i) => i.healthStatus === 'Unhealthy' || !counts.some((c) => c.zone === i.availabilityZone));
    if (stray.length > 0) return newest(stray);
    const zone = counts[counts.length - 1]?.zone;
    const candidates = live.filter((i) => i.availabilityZone === zone);
    return newest(candidates.length > 0 ? candidates : live);
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
