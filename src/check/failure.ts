/**
 * The plan-for-failure checks: can the service lose an Availability Zone or
 * an instance and keep answering. Pure: Snapshot → Check[].
 */
import type { Check, Snapshot } from './types.js';

function groupName(s: Snapshot): string {
  return s.group?.AutoScalingGroupName ?? '<group>';
}

/** The zones the group launches into: its subnets' zones, else the zones it lists. */
export function groupZones(s: Snapshot): string[] {
  const fromSubnets = (s.subnets ?? []).map((n) => n.AvailabilityZone).filter((z): z is string => Boolean(z));
  const zones = fromSubnets.length ? fromSubnets : (s.group?.AvailabilityZones ?? []);
  return [...new Set(zones)].sort();
}

export function checkGroupZones(s: Snapshot): Check | null {
  if (!s.group) return null;
  const zones = groupZones(s);
  const subnets = (s.group.VPCZoneIdentifier ?? '').split(',').filter(Boolean);
  const evidence = [`zones: ${zones.join(', ') || 'none'}`, `subnets: ${subnets.join(', ') || 'none'}`];
  if (zones.length >= 2) {
    return {
      id: 'failure.group-azs',
      principle: 'failure',
      status: 'PASS',
      summary: `group ${groupName(s)} launches into ${zones.length} zones (${zones.join(', ')})`,
      evidence,
      fix: null,
    };
  }
  return {
    id: 'failure.group-azs',
    principle: 'failure',
    status: 'FAIL',
    summary: `group ${groupName(s)} launches into ${zones.length === 1 ? `one zone only (${zones[0]})` : 'no zone'}: a zone outage takes the service down`,
    evidence,
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --vpc-zone-identifier "${[...subnets, '<subnet-in-another-zone>'].join(',')}"`,
  };
}

export function checkInServiceZones(s: Snapshot): Check | null {
  if (!s.group) return null;
  const inService = (s.group.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
  const zones = [...new Set(inService.map((i) => i.AvailabilityZone).filter((z): z is string => Boolean(z)))].sort();
  const evidence = inService.map((i) => `${i.InstanceId ?? '?'} ${i.AvailabilityZone ?? '?'}`);
  if (zones.length >= 2) {
    return {
      id: 'failure.inservice-azs',
      principle: 'failure',
      status: 'PASS',
      summary: `${inService.length} InService instances over ${zones.length} zones (${zones.join(', ')})`,
      evidence,
      fix: null,
    };
  }
  const min = Math.max(2, s.group.MinSize ?? 0);
  return {
    id: 'failure.inservice-azs',
    principle: 'failure',
    status: 'FAIL',
    summary: inService.length
      ? `all ${inService.length} InService instance${inService.length > 1 ? 's are' : ' is'} in ${zones[0]}`
      : 'no instance is InService',
    evidence,
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --min-size ${min} --desired-capacity ${Math.max(min, s.group.DesiredCapacity ?? 0)} (with subnets in 2 zones, the group balances them)`,
  };
}

export function checkLoadBalancerZones(s: Snapshot): Check | null {
  if (!s.loadBalancer) return null;
  const azs = s.loadBalancer.AvailabilityZones ?? [];
  const zones = [...new Set(azs.map((z) => z.ZoneName).filter((z): z is string => Boolean(z)))].sort();
  const evidence = azs.map((z) => `${z.ZoneName ?? '?'} ${z.SubnetId ?? ''}`.trim());
  const name = s.loadBalancer.LoadBalancerName ?? 'the load balancer';
  if (zones.length >= 2) {
    return {
      id: 'failure.alb-azs',
      principle: 'failure',
      status: 'PASS',
      summary: `${name} is in ${zones.length} zones (${zones.join(', ')})`,
      evidence,
      fix: null,
    };
  }
  return {
    id: 'failure.alb-azs',
    principle: 'failure',
    status: 'FAIL',
    summary: `${name} is in ${zones.length === 1 ? `one zone only (${zones[0]})` : 'no zone'}`,
    evidence,
    fix: `aws elbv2 set-subnets --load-balancer-arn ${s.loadBalancer.LoadBalancerArn ?? '<arn>'} --subnets ${[...azs.map((z) => z.SubnetId ?? ''), '<subnet-in-another-zone>'].filter(Boolean).join(' ')}`,
  };
}

export function checkHealthCheckType(s: Snapshot): Check | null {
  if (!s.group) return null;
  const behindLb = (s.group.TargetGroupARNs ?? []).length > 0 || (s.group.TrafficSources ?? []).length > 0;
  const type = s.group.HealthCheckType ?? 'EC2';
  const evidence = [`HealthCheckType: ${type}`, `target groups: ${(s.group.TargetGroupARNs ?? []).length}`];
  if (!behindLb || type !== 'EC2') {
    return {
      id: 'failure.health-check-type',
      principle: 'failure',
      status: 'PASS',
      summary: behindLb
        ? `health check type ${type}: targets failing the load balancer's check are replaced`
        : 'group is not behind a load balancer',
      evidence,
      fix: null,
    };
  }
  return {
    id: 'failure.health-check-type',
    principle: 'failure',
    status: 'WARN',
    summary: "health check type EC2 behind a load balancer: targets failing the load balancer's check are not replaced",
    evidence,
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --health-check-type ELB --health-check-grace-period ${s.group.HealthCheckGracePeriod || 300}`,
  };
}

export function checkMinSize(s: Snapshot): Check | null {
  if (!s.group) return null;
  const min = s.group.MinSize ?? 0;
  const evidence = [`MinSize: ${min}`, `MaxSize: ${s.group.MaxSize ?? '?'}`];
  if (min >= 2)
    return {
      id: 'failure.min-size',
      principle: 'failure',
      status: 'PASS',
      summary: `MinSize ${min}: one instance can fail without an outage`,
      evidence,
      fix: null,
    };
  return {
    id: 'failure.min-size',
    principle: 'failure',
    status: 'WARN',
    summary: `MinSize ${min}: the group may run on ${min === 1 ? 'a single instance' : 'no instance'}`,
    evidence,
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --min-size 2${(s.group.MaxSize ?? 0) < 2 ? ' --max-size 2' : ''}`,
  };
}

const BAD_TARGET_STATES = new Set(['unhealthy', 'unavailable']);

export function checkTargetHealth(s: Snapshot): Check | null {
  if (!s.targetHealth) return null;
  const bad = s.targetHealth.filter((t) => BAD_TARGET_STATES.has(t.TargetHealth?.State ?? ''));
  const evidence = s.targetHealth.map(
    (t) => `${t.Target?.Id ?? '?'} ${t.TargetHealth?.State ?? '?'}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason})` : ''}`,
  );
  const healthy = s.targetHealth.filter((t) => t.TargetHealth?.State === 'healthy').length;
  if (bad.length === 0) {
    return {
      id: 'failure.target-health',
      principle: 'failure',
      status: 'PASS',
      summary: `${healthy} of ${s.targetHealth.length} targets healthy, none unhealthy`,
      evidence,
      fix: null,
    };
  }
  return {
    id: 'failure.target-health',
    principle: 'failure',
    status: 'FAIL',
    summary: `unhealthy target${bad.length > 1 ? 's' : ''}: ${bad.map((t) => `${t.Target?.Id ?? '?'}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason})` : ''}`).join(', ')}`,
    evidence,
    fix: bad
      .map((t) => `aws autoscaling set-instance-health --instance-id ${t.Target?.Id ?? '<id>'} --health-status Unhealthy`)
      .join(' && '),
  };
}

export function failureChecks(s: Snapshot): Check[] {
  return [checkGroupZones, checkInServiceZones, checkLoadBalancerZones, checkHealthCheckType, checkMinSize, checkTargetHealth]
    .map((f) => f(s))
    .filter((c): c is Check => c !== null);
}
