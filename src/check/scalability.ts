/**
 * The architect-for-scalability checks: can the group grow, will it grow in
 * time, and what does an instance bring. Pure: Snapshot → Check[].
 */
import { loadBalancerDimension, targetGroupDimension } from '../observe/arn.js';
import type { Check, Snapshot } from './types.js';

function groupName(s: Snapshot): string {
  return s.group?.AutoScalingGroupName ?? '<group>';
}

/** The ResourceLabel an ALBRequestCountPerTarget policy needs, when both ARNs are known. */
function resourceLabel(s: Snapshot): string {
  const lb = s.loadBalancer?.LoadBalancerArn ? loadBalancerDimension(s.loadBalancer.LoadBalancerArn) : null;
  const tg = s.targetGroup?.TargetGroupArn ? targetGroupDimension(s.targetGroup.TargetGroupArn) : null;
  return lb && tg ? `${lb}/${tg}` : '<app/lb-name/id/targetgroup/tg-name/id>';
}

export function checkPolicy(s: Snapshot): Check | null {
  if (!s.group || !s.policies) return null;
  const evidence = s.policies.map((p) => `${p.PolicyName ?? '?'} ${p.PolicyType ?? '?'}`);
  const tracking = s.policies.find((p) => p.PolicyType === 'TargetTrackingScaling');
  if (s.policies.length > 0) {
    const spec = tracking?.TargetTrackingConfiguration;
    const metric = spec?.PredefinedMetricSpecification?.PredefinedMetricType ?? spec?.CustomizedMetricSpecification?.MetricName;
    return {
      id: 'scalability.policy',
      principle: 'scalability',
      status: 'PASS',
      summary: tracking
        ? `policy ${tracking.PolicyName ?? '?'}: ${metric ?? 'a metric'} target ${spec?.TargetValue ?? '?'}`
        : `${s.policies.length} scaling ${s.policies.length > 1 ? 'policies' : 'policy'} (${s.policies[0].PolicyType ?? '?'})`,
      evidence,
      fix: null,
    };
  }
  const config = JSON.stringify({
    PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: resourceLabel(s) },
    TargetValue: 60,
  });
  return {
    id: 'scalability.policy',
    principle: 'scalability',
    status: 'FAIL',
    summary: `group ${groupName(s)} has no scaling policy: it stays at ${s.group.DesiredCapacity ?? '?'} instances whatever the load`,
    evidence: ['DescribePolicies: no policy'],
    fix: `aws autoscaling put-scaling-policy --auto-scaling-group-name ${groupName(s)} --policy-name abx-request-tracking --policy-type TargetTrackingScaling --target-tracking-configuration '${config}'`,
  };
}

/** A new instance counts toward the metric after its warm-up; longer than the grace, and it is judged before it counts. */
export function checkWarmup(s: Snapshot): Check | null {
  if (!s.group || !s.policies?.length) return null;
  const grace = s.group.HealthCheckGracePeriod ?? 0;
  const defaultWarmup = s.group.DefaultInstanceWarmup;
  const policy = s.policies.find((p) => p.PolicyType === 'TargetTrackingScaling') ?? s.policies[0];
  const warmup = policy.EstimatedInstanceWarmup ?? defaultWarmup;
  const evidence = [
    `policy ${policy.PolicyName ?? '?'} EstimatedInstanceWarmup: ${policy.EstimatedInstanceWarmup ?? 'unset'}`,
    `group DefaultInstanceWarmup: ${defaultWarmup ?? 'unset'}`,
    `HealthCheckGracePeriod: ${grace}`,
  ];
  const fixTo = (seconds: number): string =>
    `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --default-instance-warmup ${seconds}`;
  if (warmup === undefined || warmup === null) {
    return {
      id: 'scalability.warmup',
      principle: 'scalability',
      status: 'WARN',
      summary: 'no instance warm-up: new instances count toward the metric while they still boot, so scale-out stops early',
      evidence,
      fix: fixTo(grace > 0 ? grace : 300),
    };
  }
  if (grace > 0 && warmup > grace) {
    return {
      id: 'scalability.warmup',
      principle: 'scalability',
      status: 'WARN',
      summary: `warm-up ${warmup} s is longer than the health check grace ${grace} s`,
      evidence,
      fix: fixTo(grace),
    };
  }
  return {
    id: 'scalability.warmup',
    principle: 'scalability',
    status: 'PASS',
    summary: `warm-up ${warmup} s, health check grace ${grace} s`,
    evidence,
    fix: null,
  };
}

export function checkRoomToScale(s: Snapshot): Check | null {
  if (!s.group) return null;
  const min = s.group.MinSize ?? 0;
  const max = s.group.MaxSize ?? 0;
  const evidence = [`MinSize: ${min}`, `MaxSize: ${max}`, `DesiredCapacity: ${s.group.DesiredCapacity ?? '?'}`];
  if (max > min)
    return {
      id: 'scalability.max-size',
      principle: 'scalability',
      status: 'PASS',
      summary: `room to scale from ${min} to ${max}`,
      evidence,
      fix: null,
    };
  return {
    id: 'scalability.max-size',
    principle: 'scalability',
    status: 'FAIL',
    summary: `MaxSize ${max} = MinSize ${min}: the group cannot scale`,
    evidence,
    fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${groupName(s)} --max-size ${Math.max(min * 3, min + 2)}`,
  };
}

/** The instance types running (or, when none run, the launch template's). */
export function instanceTypes(s: Snapshot): string[] {
  const running = (s.group?.Instances ?? []).map((i) => i.InstanceType).filter((t): t is string => Boolean(t));
  const fromTemplate = s.launchTemplate?.data.InstanceType;
  return [...new Set(running.length ? running : fromTemplate ? [fromTemplate] : [])].sort();
}

export function checkInstanceType(s: Snapshot): Check | null {
  const types = instanceTypes(s);
  if (types.length === 0) return null;
  const burstable = types.filter((t) => /^t\d/.test(t));
  const parts = types.map((t) => {
    const [family = t, size = '?'] = t.split('.');
    return `${t} (family ${family}, size ${size})`;
  });
  return {
    id: 'scalability.instance-type',
    principle: 'scalability',
    status: 'INFO',
    summary: `${parts.join(', ')}${burstable.length ? ': burstable, sustained load spends CPU credits (standard mode throttles to the baseline when they run out)' : ''}`,
    evidence: types.map((t) => `InstanceType: ${t}`),
    fix: null,
  };
}

export function scalabilityChecks(s: Snapshot): Check[] {
  return [checkPolicy, checkWarmup, checkRoomToScale, checkInstanceType].map((f) => f(s)).filter((c): c is Check => c !== null);
}
