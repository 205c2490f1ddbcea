/**
 * Auto Scaling (AWS Query, Version 2011-01-01) over the simulation:
 * DescribeAutoScalingGroups, DescribeScalingActivities, DescribePolicies.
 */
import type { Simulation } from './simulation.js';
import { LAB_ACCOUNT_ID, alarmArn } from './ids.js';
import { decodeToken, encodeToken, intParam, isoTime, memberList, members, type XmlObject } from './wire.js';

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
  const launchTemplate = { LaunchTemplateId: n.launchTemplateId, LaunchTemplateName: n.launchTemplateName, Version: '$Default' };
  return {
    AutoScalingGroupName: n.asgName,
    AutoScalingGroupARN: n.asgArn,
    LaunchTemplate: launchTemplate,
    MinSize: sim.config.min,
    MaxSize: sim.config.max,
    DesiredCapacity: sim.group.desired,
    DefaultCooldown: 300,
    // The lab's warm-up in real seconds, like the alarms' Period (may be fractional with sub-second periods).
    DefaultInstanceWarmup: sim.config.warmupMs / 1000,
    AvailabilityZones: members([...n.availabilityZones]),
    TargetGroupARNs: members([n.targetGroupArn]),
    TrafficSources: members([{ Identifier: n.targetGroupArn, Type: 'elbv2' }]),
    HealthCheckType: 'ELB',
    HealthCheckGracePeriod: 0,
    Instances: members(
      sim.group.instances.map((i) => ({
        InstanceId: i.instanceId,
        InstanceType: 't3.micro',
        AvailabilityZone: i.availabilityZone,
        LifecycleState: i.lifecycleState,
        HealthStatus: 'Healthy',
        LaunchTemplate: { ...launchTemplate, Version: '1' },
        ProtectedFromScaleIn: false,
      })),
    ),
    CreatedTime: isoTime(sim.createdAtMs),
    VPCZoneIdentifier: Object.values(n.subnetIds).join(','),
    EnabledMetrics: members(GROUP_METRICS.map((Metric) => ({ Metric, Granularity: '1Minute' }))),
    TerminationPolicies: members(['Default']),
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${LAB_ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
  };
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
    Activities: members(
      page.map((a) => ({
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
      })),
    ),
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
  const match =
    (group === null || group === n.asgName) &&
    (names.length === 0 || names.includes(n.policyName) || names.includes(n.policyArn)) &&
    (types.length === 0 || types.includes('TargetTrackingScaling'));
  if (!match) return {};
  return {
    ScalingPolicies: {
      member: [
        {
          AutoScalingGroupName: n.asgName,
          PolicyName: n.policyName,
          PolicyARN: n.policyArn,
          PolicyType: 'TargetTrackingScaling',
          Alarms: members(
            [n.alarmHighName, n.alarmLowName].map((name) => ({ AlarmName: name, AlarmARN: alarmArn(sim.config.region, name) })),
          ),
          TargetTrackingConfiguration: {
            PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: n.resourceLabel },
            TargetValue: sim.config.targetValue,
            DisableScaleIn: false,
          },
          Enabled: true,
        },
      ],
    },
  };
}

export const AUTOSCALING_OPERATIONS: Record<string, (sim: Simulation, params: URLSearchParams) => XmlObject> = {
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  DescribeScalingActivities: describeScalingActivities,
  DescribePolicies: describePolicies,
};
