/**
 * The plan-for-failure checks: can the service lose an Availability Zone or
 * an instance and keep answering. Pure: Snapshot → Check[].
 */
import { skipUnless } from './skip.js';
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

export function checkGroupZones(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.group-azs', 'failure', 'which zones the group launches into', ['group']);
  if (skip) return skip;
  const group = s.group!;
  const zones = groupZones(s);
  const subnets = (group.VPCZoneIdentifier ?? '').split(',').filter(Boolean);
  // Without DescribeSubnets the group's own AvailabilityZones (which AWS fills from its subnets) still tell the zones.
  const source = s.subnets?.length ? 'from its subnets' : "from the group's AvailabilityZones";
  const evidence = [`zones: ${zones.join(', ') || 'none'} (${source})`, `subnets: ${subnets.join(', ') || 'none'}`];
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
    summary: `group ${groupName(s)} launches into ${zones.length === 1 ? `one zone only (${zones[0]})` : 'no zone'}: a zone outage takes the service down (add a subnet in another zone with update-auto-scaling-group --vpc-zone-identifier)`,
    evidence,
    // No subnet in another zone is known here: a command with a placeholder would not run when pasted.
    fix: null,
  };
}

export function checkInServiceZones(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.inservice-azs', 'failure', 'where the InService instances run', ['group']);
  if (skip) return skip;
  const group = s.group!;
  const inService = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
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
  const min = Math.max(2, group.MinSize ?? 0);
  const zonesOfGroup = groupZones(s);
  return {
    id: 'failure.inservice-azs',
    principle: 'failure',
    status: 'FAIL',
    summary: `${
      inService.length
        ? `all ${inService.length} InService instance${inService.length > 1 ? 's are' : ' is'} in ${zones[0]}`
        : 'no instance is InService'
    }${zonesOfGroup.length >= 2 ? ` (the group launches into ${zonesOfGroup.length} zones and balances them as it scales)` : ''}`,
    evidence,
    fix:
      (group.MinSize ?? 0) < 2 || (group.DesiredCapacity ?? 0) < 2
        ? `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --min-size ${min} --max-size ${Math.max(min, group.MaxSize ?? 0)} --desired-capacity ${Math.max(min, group.DesiredCapacity ?? 0)}`
        : null,
  };
}

export function checkLoadBalancerZones(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.alb-azs', 'failure', "the load balancer's zones", ['loadBalancer']);
  if (skip) return skip;
  const lb = s.loadBalancer!;
  const azs = lb.AvailabilityZones ?? [];
  const zones = [...new Set(azs.map((z) => z.ZoneName).filter((z): z is string => Boolean(z)))].sort();
  const evidence = azs.map((z) => `${z.ZoneName ?? '?'} ${z.SubnetId ?? ''}`.trim());
  const name = lb.LoadBalancerName ?? 'the load balancer';
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
    summary: `${name} is in ${zones.length === 1 ? `one zone only (${zones[0]})` : 'no zone'} (add a subnet in another zone with aws elbv2 set-subnets)`,
    evidence,
    // As for the group: no subnet in another zone is known, and a placeholder does not paste.
    fix: null,
  };
}

export function checkHealthCheckType(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.health-check-type', 'failure', "the group's health check", ['group']);
  if (skip) return skip;
  const group = s.group!;
  const behindLb =
    (group.TargetGroupARNs ?? []).length > 0 || (group.TrafficSources ?? []).length > 0 || (group.LoadBalancerNames ?? []).length > 0;
  const type = group.HealthCheckType ?? 'EC2';
  const evidence = [`HealthCheckType: ${type}`, `target groups: ${(group.TargetGroupARNs ?? []).length}`];
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
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --health-check-type ELB --health-check-grace-period ${group.HealthCheckGracePeriod || 300}`,
  };
}

export function checkMinSize(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.min-size', 'failure', "the group's minimum size", ['group']);
  if (skip) return skip;
  const group = s.group!;
  const min = group.MinSize ?? 0;
  const evidence = [`MinSize: ${min}`, `MaxSize: ${group.MaxSize ?? '?'}`];
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
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --min-size 2${(group.MaxSize ?? 0) < 2 ? ' --max-size 2' : ''}${(group.DesiredCapacity ?? 0) < 2 ? ' --desired-capacity 2' : ''}`,
  };
}

const BAD_TARGET_STATES = new Set(['unhealthy', 'unavailable']);

export function checkTargetHealth(s: Snapshot): Check {
  const skip = skipUnless(s, 'failure.target-health', 'failure', "the targets' health", ['targetHealth']);
  if (skip) return skip;
  const health = s.targetHealth!;
  const bad = health.filter((t) => BAD_TARGET_STATES.has(t.TargetHealth?.State ?? ''));
  const evidence = health.map(
    (t) => `${t.Target?.Id ?? '?'} ${t.TargetHealth?.State ?? '?'}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason})` : ''}`,
  );
  const healthy = health.filter((t) => t.TargetHealth?.State === 'healthy').length;
  if (bad.length === 0) {
    return {
      id: 'failure.target-health',
      principle: 'failure',
      status: 'PASS',
      summary: `${healthy} of ${health.length} targets healthy, none unhealthy`,
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
  return [checkGroupZones, checkInServiceZones, checkLoadBalancerZones, checkHealthCheckType, checkMinSize, checkTargetHealth].map((f) =>
    f(s),
  );
}
