/**
 * Auto Scaling (AWS Query, Version 2011-01-01) over the simulation. Reads:
 * DescribeAutoScalingGroups, DescribeScalingActivities, DescribePolicies,
 * DescribeAutoScalingInstances, DescribeInstanceRefreshes. Writes, with the
 * effects AWS has: SetDesiredCapacity, UpdateAutoScalingGroup,
 * PutScalingPolicy (target tracking), DeletePolicy,
 * TerminateInstanceInAutoScalingGroup, StartInstanceRefresh.
 *
 * Times given in AWS seconds (warm-ups, grace periods) map onto the lab's
 * clock as the metrics do: 60 s, one CloudWatch minute, is one lab period.
 */
import type { Simulation, TrackedMetric } from './simulation.js';
import type { Activity, Instance } from './group.js';
import type { QueryHandler } from './query-handler.js';
import { LAB_ACCOUNT_ID } from './ids.js';
import { ApiError, decodeToken, encodeToken, intParam, isoTime, memberList, members, type XmlObject } from './wire.js';

export const AUTOSCALING_NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

const GROUP_METRICS = [
  'GroupMinSize',
  'GroupMaxSize',
  'GroupDesiredCapacity',
  'GroupInServiceInstances',
  'GroupPendingInstances',
  'GroupTerminatingInstances',
  'GroupTotalInstances',
];

function groupXml(sim: Simulation): XmlObject {
  const n = sim.names;
  const launchTemplate = {
    LaunchTemplateId: n.launchTemplateId,
    LaunchTemplateName: n.launchTemplateName,
    Version: sim.launchTemplateVersion,
  };
  const zones = sim.group.config.availabilityZones;
  return {
    AutoScalingGroupName: n.asgName,
    AutoScalingGroupARN: n.asgArn,
    LaunchTemplate: launchTemplate,
    MinSize: sim.group.config.min,
    MaxSize: sim.group.config.max,
    DesiredCapacity: sim.group.desired,
    DefaultCooldown: 300,
    // The lab's warm-up in real seconds, like the alarms' Period (may be fractional with sub-second periods).
    DefaultInstanceWarmup: sim.defaultInstanceWarmupSec ?? sim.config.warmupMs / 1000,
    AvailabilityZones: members([...zones]),
    TargetGroupARNs: members([n.targetGroupArn]),
    TrafficSources: members([{ Identifier: n.targetGroupArn, Type: 'elbv2' }]),
    HealthCheckType: sim.healthCheckType,
    HealthCheckGracePeriod: sim.healthCheckGracePeriodSec,
    Instances: members(sim.group.instances.map((i) => instanceXml(sim, i))),
    CreatedTime: isoTime(sim.createdAtMs),
    VPCZoneIdentifier: zones.map((z) => n.subnetIds[z]).join(','),
    EnabledMetrics: members(GROUP_METRICS.map((Metric) => ({ Metric, Granularity: '1Minute' }))),
    TerminationPolicies: members(['Default']),
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${LAB_ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
  };
}

function instanceXml(sim: Simulation, i: Instance): XmlObject {
  const n = sim.names;
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycleState,
    HealthStatus: i.healthStatus,
    LaunchTemplate: { LaunchTemplateId: n.launchTemplateId, LaunchTemplateName: n.launchTemplateName, Version: i.launchTemplateVersion },
    ProtectedFromScaleIn: false,
  };
}

function activityXml(sim: Simulation, a: Activity): XmlObject {
  return {
    ActivityId: a.activityId,
    AutoScalingGroupName: sim.names.asgName,
    AutoScalingGroupARN: sim.names.asgArn,
    Description: a.description,
    Cause: a.cause,
    StartTime: isoTime(a.startTimeMs),
    EndTime: a.endTimeMs === undefined ? undefined : isoTime(a.endTimeMs),
    StatusCode: a.statusCode,
    Progress: a.progress,
    Details: a.details,
    AutoScalingGroupState: 'InService',
  };
}

/** The group named by AutoScalingGroupName (required); AWS's ValidationError otherwise. */
function requireGroup(sim: Simulation, params: URLSearchParams): void {
  const name = params.get('AutoScalingGroupName');
  if (name === null) throw new ApiError('ValidationError', 'AutoScalingGroupName is required');
  if (name !== sim.names.asgName && name !== sim.names.asgArn)
    throw new ApiError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
}

function boolParam(params: URLSearchParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new ApiError('ValidationError', `${name} must be true or false`);
  return raw === 'true';
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new ApiError('ValidationError', `${name} must be a number`);
  return value;
}

export function describeAutoScalingGroups(sim: Simulation, params: URLSearchParams): XmlObject {
  const names = memberList(params, 'AutoScalingGroupNames');
  intParam(params, 'MaxRecords', 50, 1, 100);
  decodeToken('DescribeAutoScalingGroups', params.get('NextToken'));
  const match = names.length === 0 || names.includes(sim.names.asgName);
  return { AutoScalingGroups: match ? { member: [groupXml(sim)] } : undefined };
}

/**
 * Newest first by start time. The NextToken holds the creation sequence of
 * the last activity returned, so activities that start while a client pages
 * never shift or repeat the pages it has yet to read.
 */
export function describeScalingActivities(sim: Simulation, params: URLSearchParams): XmlObject {
  const group = params.get('AutoScalingGroupName');
  const ids = memberList(params, 'ActivityIds');
  const maxRecords = intParam(params, 'MaxRecords', 100, 1, 100);
  const before = decodeToken('DescribeScalingActivities', params.get('NextToken'));
  const matching = sim.group.activities
    .filter((a) => (group === null || group === sim.names.asgName) && (ids.length === 0 || ids.includes(a.activityId)))
    .filter((a) => before === undefined || a.seq < before)
    .sort((a, b) => b.startTimeMs - a.startTimeMs || b.seq - a.seq);
  const page = matching.slice(0, maxRecords);
  const last = page[page.length - 1];
  return {
    Activities: members(page.map((a) => activityXml(sim, a))),
    NextToken: matching.length > maxRecords && last ? encodeToken('DescribeScalingActivities', last.seq) : undefined,
  };
}

export function describePolicies(sim: Simulation, params: URLSearchParams): XmlObject {
  const group = params.get('AutoScalingGroupName');
  const names = memberList(params, 'PolicyNames');
  const types = memberList(params, 'PolicyTypes');
  intParam(params, 'MaxRecords', 50, 1, 100);
  decodeToken('DescribePolicies', params.get('NextToken'));
  const n = sim.names;
  const p = sim.policy;
  const match =
    p !== undefined &&
    (group === null || group === n.asgName) &&
    (names.length === 0 || names.includes(p.name) || names.includes(p.arn)) &&
    (types.length === 0 || types.includes('TargetTrackingScaling'));
  if (!match || !p) return {};
  return {
    ScalingPolicies: {
      member: [
        {
          AutoScalingGroupName: n.asgName,
          PolicyName: p.name,
          PolicyARN: p.arn,
          PolicyType: 'TargetTrackingScaling',
          EstimatedInstanceWarmup: p.warmupSec,
          Alarms: members(p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn }))),
          TargetTrackingConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: p.metric, ResourceLabel: p.resourceLabel },
            TargetValue: p.targetValue,
            DisableScaleIn: p.disableScaleIn,
          },
          Enabled: true,
        },
      ],
    },
  };
}

/** SetDesiredCapacity: within min and max, or AWS's ValidationError. */
function setDesiredCapacity(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  requireGroup(sim, params);
  const desired = intParam(params, 'DesiredCapacity', NaN, 0, 100_000);
  if (Number.isNaN(desired)) throw new ApiError('ValidationError', 'DesiredCapacity is required');
  const { min, max } = sim.group.config;
  if (desired > max)
    throw new ApiError('ValidationError', `New SetDesiredCapacity value ${desired} is above max value ${max} for the AutoScalingGroup.`);
  if (desired < min)
    throw new ApiError('ValidationError', `New SetDesiredCapacity value ${desired} is below min value ${min} for the AutoScalingGroup.`);
  sim.group.setDesired(desired, { atMs: nowMs }, nowMs);
  return {};
}

/**
 * UpdateAutoScalingGroup: sizes, launch template and version, zones (by
 * name or by subnet), health check type and grace period, default warm-up.
 * A new launch template version affects only instances launched from now
 * on, as on AWS; StartInstanceRefresh replaces the running ones.
 */
function updateAutoScalingGroup(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  requireGroup(sim, params);
  const n = sim.names;
  const min = intParam(params, 'MinSize', sim.group.config.min, 0, 100_000);
  const max = intParam(params, 'MaxSize', sim.group.config.max, 0, 100_000);
  const desiredParam = params.get('DesiredCapacity');
  const desired = intParam(params, 'DesiredCapacity', Math.min(max, Math.max(min, sim.group.desired)), 0, 100_000);
  if (min > max) throw new ApiError('ValidationError', `Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max)
    throw new ApiError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);

  const ltId = params.get('LaunchTemplate.LaunchTemplateId');
  const ltName = params.get('LaunchTemplate.LaunchTemplateName');
  const ltVersion = params.get('LaunchTemplate.Version');
  if (ltId !== null && ltId !== n.launchTemplateId)
    throw new ApiError('ValidationError', `The specified launch template, with template ID ${ltId}, does not exist.`);
  if (ltName !== null && ltName !== n.launchTemplateName)
    throw new ApiError('ValidationError', `The specified launch template, with template name ${ltName}, does not exist.`);
  const version = ltVersion ?? (ltId !== null || ltName !== null ? '$Default' : sim.launchTemplateVersion);
  try {
    sim.launchTemplate.resolve(version);
  } catch {
    throw new ApiError('ValidationError', `The specified launch template version ${version} does not exist.`);
  }

  let zones = memberList(params, 'AvailabilityZones');
  const subnets = params.get('VPCZoneIdentifier');
  if (subnets !== null) {
    zones = subnets.split(',').map((id) => {
      const zone = Object.keys(n.subnetIds).find((z) => n.subnetIds[z] === id.trim());
      if (!zone) throw new ApiError('ValidationError', `The subnet ID '${id.trim()}' does not exist`);
      return zone;
    });
  }
  const unknownZone = zones.find((z) => !(z in n.subnetIds));
  if (unknownZone) throw new ApiError('ValidationError', `The availability zone ${unknownZone} is not legal`);

  const healthCheckType = params.get('HealthCheckType');
  if (healthCheckType !== null && healthCheckType !== 'ELB' && healthCheckType !== 'EC2')
    throw new ApiError('ValidationError', `Invalid health check type: ${healthCheckType} (use EC2 or ELB)`);
  const grace = intParam(params, 'HealthCheckGracePeriod', sim.healthCheckGracePeriodSec, 0, 7200);
  const warmup = params.get('DefaultInstanceWarmup');

  // Validated: apply.
  sim.launchTemplateVersion = version;
  if (zones.length > 0) sim.group.config.availabilityZones = [...new Set(zones)];
  if (healthCheckType !== null) sim.healthCheckType = healthCheckType;
  sim.healthCheckGracePeriodSec = grace;
  if (warmup !== null) {
    const w = intParam(params, 'DefaultInstanceWarmup', 0, -1, 3600);
    sim.defaultInstanceWarmupSec = w < 0 ? undefined : w;
  }
  sim.group.config.min = min;
  sim.group.config.max = max;
  if (desired !== sim.group.desired || desiredParam !== null)
    sim.group.setDesired(desired, { atMs: nowMs, constraints: { min, max, desired } }, nowMs);
  sim.advance(nowMs);
  return {};
}

const TRACKED: readonly TrackedMetric[] = ['ALBRequestCountPerTarget', 'ASGAverageCPUUtilization'];

/** PutScalingPolicy for TargetTrackingScaling: the policy and its two managed alarms, created again on every put. */
function putScalingPolicy(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  requireGroup(sim, params);
  const name = params.get('PolicyName');
  if (!name) throw new ApiError('ValidationError', 'PolicyName is required');
  const type = params.get('PolicyType') ?? 'SimpleScaling';
  if (type !== 'TargetTrackingScaling')
    throw new ApiError('ValidationError', `The abx lab supports PolicyType TargetTrackingScaling only (got ${type}).`);
  if (sim.policy && sim.policy.name !== name)
    throw new ApiError('ValidationError', `The abx lab holds one scaling policy: delete ${sim.policy.name} before creating ${name}.`);
  const prefix = 'TargetTrackingConfiguration.';
  const targetValue = numberParam(params, `${prefix}TargetValue`);
  if (targetValue === undefined || targetValue <= 0)
    throw new ApiError('ValidationError', 'TargetTrackingConfiguration.TargetValue must be greater than zero');
  if (params.get(`${prefix}CustomizedMetricSpecification.MetricName`) !== null)
    throw new ApiError('ValidationError', 'The abx lab supports PredefinedMetricSpecification only.');
  const metric = params.get(`${prefix}PredefinedMetricSpecification.PredefinedMetricType`) ?? '';
  if (!TRACKED.includes(metric as TrackedMetric))
    throw new ApiError('ValidationError', `The abx lab tracks ${TRACKED.join(' or ')} (got ${metric || 'none'}).`);
  const resourceLabel = params.get(`${prefix}PredefinedMetricSpecification.ResourceLabel`) ?? undefined;
  if (metric === 'ALBRequestCountPerTarget') {
    if (resourceLabel === undefined)
      throw new ApiError('ValidationError', 'ResourceLabel is required for the predefined metric type ALBRequestCountPerTarget');
    if (resourceLabel !== sim.names.resourceLabel)
      throw new ApiError(
        'ValidationError',
        `The target group in ResourceLabel ${resourceLabel} is not attached to the Auto Scaling group (use ${sim.names.resourceLabel}).`,
      );
  }
  const warmupSec = numberParam(params, 'EstimatedInstanceWarmup');
  const policy = sim.putPolicy(
    {
      name,
      metric: metric as TrackedMetric,
      targetValue,
      ...(resourceLabel !== undefined ? { resourceLabel } : {}),
      ...(warmupSec !== undefined ? { warmupSec } : {}),
      disableScaleIn: boolParam(params, `${prefix}DisableScaleIn`) ?? false,
    },
    nowMs,
  );
  return { PolicyARN: policy.arn, Alarms: members(policy.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn }))) };
}

function deletePolicy(sim: Simulation, params: URLSearchParams): XmlObject {
  const name = params.get('PolicyName');
  if (!name) throw new ApiError('ValidationError', 'PolicyName is required');
  const group = params.get('AutoScalingGroupName');
  if (group !== null && group !== sim.names.asgName) throw new ApiError('ValidationError', `AutoScalingGroup name not found - ${group}`);
  if (!sim.policy || (sim.policy.name !== name && sim.policy.arn !== name))
    throw new ApiError('ValidationError', `Policy ${name} not found`);
  sim.deletePolicy();
  return {};
}

function describeAutoScalingInstances(sim: Simulation, params: URLSearchParams): XmlObject {
  const ids = memberList(params, 'InstanceIds');
  const maxRecords = intParam(params, 'MaxRecords', 50, 1, 50);
  const from = decodeToken('DescribeAutoScalingInstances', params.get('NextToken')) ?? 0;
  const all = sim.group.instances.filter((i) => ids.length === 0 || ids.includes(i.instanceId));
  const page = all.slice(from, from + maxRecords);
  return {
    AutoScalingInstances: members(
      page.map((i) => ({
        ...instanceXml(sim, i),
        AutoScalingGroupName: sim.names.asgName,
        // This API spells health in capitals, unlike DescribeAutoScalingGroups.
        HealthStatus: i.healthStatus.toUpperCase(),
      })),
    ),
    NextToken: from + maxRecords < all.length ? encodeToken('DescribeAutoScalingInstances', from + maxRecords) : undefined,
  };
}

function terminateInstanceInAutoScalingGroup(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  const id = params.get('InstanceId');
  if (!id) throw new ApiError('ValidationError', 'InstanceId is required');
  const decrement = boolParam(params, 'ShouldDecrementDesiredCapacity');
  if (decrement === undefined) throw new ApiError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
  if (decrement && sim.group.desired <= sim.group.config.min)
    throw new ApiError(
      'ValidationError',
      `Currently, desiredSize equals minSize (${sim.group.config.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    );
  const activity = sim.group.terminateByUser(id, decrement, nowMs);
  if (!activity) throw new ApiError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
  sim.advance(nowMs);
  return { Activity: activityXml(sim, activity) };
}

function startInstanceRefresh(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  requireGroup(sim, params);
  const strategy = params.get('Strategy') ?? 'Rolling';
  if (strategy !== 'Rolling') throw new ApiError('ValidationError', `Strategy ${strategy} is not supported (use Rolling)`);
  const minHealthy = intParam(params, 'Preferences.MinHealthyPercentage', 90, 0, 100);
  const warmup = numberParam(params, 'Preferences.InstanceWarmup');
  const refresh = sim.startInstanceRefresh(minHealthy, warmup, nowMs);
  sim.advance(nowMs);
  return { InstanceRefreshId: refresh.instanceRefreshId };
}

function describeInstanceRefreshes(sim: Simulation, params: URLSearchParams): XmlObject {
  requireGroup(sim, params);
  const ids = memberList(params, 'InstanceRefreshIds');
  intParam(params, 'MaxRecords', 50, 1, 100);
  const refreshes = sim.refreshes.filter((r) => ids.length === 0 || ids.includes(r.instanceRefreshId)).reverse();
  return {
    InstanceRefreshes: members(
      refreshes.map((r) => ({
        InstanceRefreshId: r.instanceRefreshId,
        AutoScalingGroupName: sim.names.asgName,
        Status: r.status,
        StatusReason: r.statusReason,
        StartTime: isoTime(r.startMs),
        EndTime: r.endMs === undefined ? undefined : isoTime(r.endMs),
        PercentageComplete: r.percentageComplete,
        InstancesToUpdate: r.instancesToUpdate,
        Preferences: {
          MinHealthyPercentage: r.minHealthyPercentage,
          InstanceWarmup: r.instanceWarmupSec,
        },
      })),
    ),
  };
}

export const AUTOSCALING_OPERATIONS: Record<string, QueryHandler> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeScalingActivities: describeScalingActivities,
  DescribePolicies: describePolicies,
  DescribeAutoScalingInstances: describeAutoScalingInstances,
  DescribeInstanceRefreshes: describeInstanceRefreshes,
  SetDesiredCapacity: setDesiredCapacity,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
  PutScalingPolicy: putScalingPolicy,
  DeletePolicy: deletePolicy,
  TerminateInstanceInAutoScalingGroup: terminateInstanceInAutoScalingGroup,
  StartInstanceRefresh: startInstanceRefresh,
};
