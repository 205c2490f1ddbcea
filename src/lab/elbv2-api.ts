/**
 * ELBv2 (AWS Query, Version 2015-12-01) over the simulation:
 * DescribeLoadBalancers, DescribeTargetGroups, DescribeTargetHealth,
 * DescribeListeners.
 */
import type { Simulation } from './simulation.js';
import type { QueryHandler } from './query-handler.js';
import { ApiError, intParam, isoTime, memberList, members, type XmlObject } from './wire.js';

export const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/** The port targets are registered on (the instances' traffic port). */
const TARGET_PORT = 80;

export function describeLoadBalancers(sim: Simulation, params: URLSearchParams): XmlObject {
  const n = sim.names;
  const arns = memberList(params, 'LoadBalancerArns');
  const names = memberList(params, 'Names');
  intParam(params, 'PageSize', 400, 1, 400);
  if (arns.length > 0 && names.length > 0)
    throw new ApiError('ValidationError', 'Load balancer names and load balancer ARNs cannot be specified at the same time');
  const missingArn = arns.find((a) => a !== n.loadBalancerArn);
  if (missingArn) throw new ApiError('LoadBalancerNotFound', `Load balancers '[${missingArn}]' not found`);
  const missingName = names.find((x) => x !== n.loadBalancerName);
  if (missingName) throw new ApiError('LoadBalancerNotFound', `Load balancers '[${missingName}]' not found`);
  return {
    LoadBalancers: {
      member: [
        {
          LoadBalancerArn: n.loadBalancerArn,
          DNSName: n.dnsName,
          CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
          CreatedTime: isoTime(sim.createdAtMs),
          LoadBalancerName: n.loadBalancerName,
          Scheme: 'internet-facing',
          VpcId: n.vpcId,
          State: { Code: 'active' },
          Type: 'application',
          AvailabilityZones: members(n.availabilityZones.map((zone) => ({ ZoneName: zone, SubnetId: n.subnetIds[zone] }))),
          IpAddressType: 'ipv4',
          SecurityGroups: members([n.albSecurityGroupId]),
        },
      ],
    },
  };
}

export function describeTargetGroups(sim: Simulation, params: URLSearchParams): XmlObject {
  const n = sim.names;
  const lbArn = params.get('LoadBalancerArn');
  const arns = memberList(params, 'TargetGroupArns');
  const names = memberList(params, 'Names');
  intParam(params, 'PageSize', 400, 1, 400);
  if (lbArn !== null && lbArn !== n.loadBalancerArn) throw new ApiError('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`);
  const missing = arns.find((a) => a !== n.targetGroupArn) ?? names.find((x) => x !== n.targetGroupName);
  if (missing) throw new ApiError('TargetGroupNotFound', `Target groups '[${missing}]' not found`);
  return {
    TargetGroups: {
      member: [
        {
          TargetGroupArn: n.targetGroupArn,
          TargetGroupName: n.targetGroupName,
          Protocol: 'HTTP',
          Port: TARGET_PORT,
          VpcId: n.vpcId,
          HealthCheckProtocol: 'HTTP',
          HealthCheckPort: 'traffic-port',
          HealthCheckEnabled: true,
          HealthCheckIntervalSeconds: 30,
          HealthCheckTimeoutSeconds: 5,
          HealthyThresholdCount: 5,
          UnhealthyThresholdCount: 2,
          HealthCheckPath: '/',
          Matcher: { HttpCode: '200' },
          LoadBalancerArns: members([n.loadBalancerArn]),
          TargetType: 'instance',
          ProtocolVersion: 'HTTP1',
          IpAddressType: 'ipv4',
        },
      ],
    },
  };
}

const REASON_TEXT: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.Timeout': 'Request timed out',
  'Target.InvalidState': 'Target is in the stopped state',
};

function describeTargetHealth(sim: Simulation, params: URLSearchParams): XmlObject {
  const arn = params.get('TargetGroupArn');
  if (arn === null)
    throw new ApiError(
      'ValidationError',
      "1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null",
    );
  if (arn !== sim.names.targetGroupArn) throw new ApiError('TargetGroupNotFound', `Target groups '[${arn}]' not found`);
  const ids = new Set<string>();
  for (const [key, value] of params) if (/^Targets\.member\.\d+\.Id$/.test(key)) ids.add(value);
  const instances = sim.group.instances.filter((i) => ids.size === 0 || ids.has(i.instanceId));
  return {
    TargetHealthDescriptions: members(
      instances.map((i) => ({
        Target: { Id: i.instanceId, Port: TARGET_PORT, AvailabilityZone: i.availabilityZone },
        HealthCheckPort: String(TARGET_PORT),
        TargetHealth: {
          State: i.targetState,
          Reason: i.targetReason,
          Description: i.targetReason ? REASON_TEXT[i.targetReason] : undefined,
        },
      })),
    ),
  };
}

/** The course lab's two HTTP listeners: the site on 80 and the private page on 90, both forwarding to the target group. */
const LISTENER_PORTS = [80, 90];

function describeListeners(sim: Simulation, params: URLSearchParams): XmlObject {
  const n = sim.names;
  const lbArn = params.get('LoadBalancerArn');
  if (lbArn !== null && lbArn !== n.loadBalancerArn) throw new ApiError('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`);
  return {
    Listeners: members(
      LISTENER_PORTS.map((port, i) => ({
        ListenerArn: `${n.loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${(0x5a1e0000 + i).toString(16)}`,
        LoadBalancerArn: n.loadBalancerArn,
        Port: port,
        Protocol: 'HTTP',
        DefaultActions: members([{ Type: 'forward', TargetGroupArn: n.targetGroupArn, Order: 1 }]),
      })),
    ),
  };
}

export const ELBV2_OPERATIONS: Record<string, QueryHandler> = {
  DescribeLoadBalancers: describeLoadBalancers,
  DescribeTargetGroups: describeTargetGroups,
  DescribeTargetHealth: describeTargetHealth,
  DescribeListeners: describeListeners,
};
