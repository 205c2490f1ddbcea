/**
 * The architect-for-scalability checks: can the group grow, will it grow in
 * time, and what does an instance bring. Pure: Snapshot → Check[].
 */
import { loadBalancerDimension, targetGroupDimension } from '../observe/arn.js';
import type { ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import { skipUnless } from './skip.js';
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

/** Why a policy can never change the group's capacity, or null when it can. */
export function whyPolicyCannotAct(p: ScalingPolicy): string | null {
  if (p.Enabled === false) return `${p.PolicyName ?? '?'} is disabled`;
  const type = p.PolicyType ?? 'SimpleScaling';
  // Step and simple policies act only when an alarm invokes them; target tracking (and predictive) policies bring their own.
  if ((type === 'StepScaling' || type === 'SimpleScaling') && (p.Alarms ?? []).length === 0) {
    return `${p.PolicyName ?? '?'} (${type}) has no alarm to invoke it`;
  }
  return null;
}

function describePolicy(p: ScalingPolicy): string {
  const spec = p.TargetTrackingConfiguration;
  const metric = spec?.PredefinedMetricSpecification?.PredefinedMetricType ?? spec?.CustomizedMetricSpecification?.MetricName;
  return p.PolicyType === 'TargetTrackingScaling'
    ? `policy ${p.PolicyName ?? '?'}: ${metric ?? 'a metric'} target ${spec?.TargetValue ?? '?'}`
    : `policy ${p.PolicyName ?? '?'} (${p.PolicyType ?? '?'}, ${(p.Alarms ?? []).length} alarm${(p.Alarms ?? []).length === 1 ? '' : 's'})`;
}

export function checkPolicy(s: Snapshot): Check {
  const id = 'scalability.policy';
  const skip = skipUnless(s, id, 'scalability', "the group's scaling policies", ['group', 'policies']);
  if (skip) return skip;
  const policies = s.policies!;
  const evidence = policies.map((p) => `${p.PolicyName ?? '?'} ${p.PolicyType ?? '?'}${p.Enabled === false ? ' (disabled)' : ''}`);
  const cannot = policies.map((p) => ({ p, why: whyPolicyCannotAct(p) }));
  const acting = cannot.filter((c) => c.why === null).map((c) => c.p);
  const broken = cannot.filter((c): c is { p: ScalingPolicy; why: string } => c.why !== null);
  const tracking = acting.find((p) => p.PolicyType === 'TargetTrackingScaling');
  if (acting.length > 0) {
    const lead = tracking ?? acting[0];
    return {
      id,
      principle: 'scalability',
      status: broken.length ? 'WARN' : 'PASS',
      summary: `${describePolicy(lead)}${acting.length > 1 ? ` (+${acting.length - 1} more)` : ''}${broken.length ? `; but ${broken.map((b) => b.why).join('; ')}` : ''}`,
      evidence,
      fix: null,
    };
  }
  const config = JSON.stringify({
    PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: resourceLabel(s) },
    TargetValue: 60,
  });
  const canPut = s.loadBalancer?.LoadBalancerArn && s.targetGroup?.TargetGroupArn;
  return {
    id,
    principle: 'scalability',
    status: 'FAIL',
    summary: policies.length
      ? `no policy of group ${groupName(s)} can act (${broken.map((b) => b.why).join('; ')}): it stays at ${s.group!.DesiredCapacity ?? '?'} instances whatever the load`
      : `group ${groupName(s)} has no scaling policy: it stays at ${s.group!.DesiredCapacity ?? '?'} instances whatever the load`,
    evidence: evidence.length ? evidence : ['DescribePolicies: no policy'],
    // The label needs both ARNs; without them a command with a placeholder would not run when pasted.
    fix: canPut
      ? `aws autoscaling put-scaling-policy --auto-scaling-group-name ${groupName(s)} --policy-name abx-request-tracking --policy-type TargetTrackingScaling --target-tracking-configuration '${config}'`
      : null,
  };
}

/** A new instance counts toward the metric after its warm-up; longer than the grace, and it is judged before it counts. */
export function checkWarmup(s: Snapshot): Check {
  const skip = skipUnless(s, 'scalability.warmup', 'scalability', 'the instance warm-up', ['group', 'policies']);
  if (skip) return skip;
  const group = s.group!;
  const grace = group.HealthCheckGracePeriod ?? 0;
  const defaultWarmup = group.DefaultInstanceWarmup;
  const policy = s.policies!.find((p) => p.PolicyType === 'TargetTrackingScaling') ?? s.policies![0];
  if (!policy) {
    return {
      id: 'scalability.warmup',
      principle: 'scalability',
      status: 'INFO',
      summary: 'no scaling policy: warm-up does not apply (see policy)',
      evidence: [`group DefaultInstanceWarmup: ${defaultWarmup ?? 'unset'}`],
      fix: null,
    };
  }
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

export function checkRoomToScale(s: Snapshot): Check {
  const skip = skipUnless(s, 'scalability.max-size', 'scalability', "the group's size limits", ['group']);
  if (skip) return skip;
  const group = s.group!;
  const min = group.MinSize ?? 0;
  const max = group.MaxSize ?? 0;
  const evidence = [`MinSize: ${min}`, `MaxSize: ${max}`, `DesiredCapacity: ${group.DesiredCapacity ?? '?'}`];
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

export function checkInstanceType(s: Snapshot): Check {
  const types = instanceTypes(s);
  if (types.length === 0) {
    const skip = skipUnless(s, 'scalability.instance-type', 'scalability', 'the instance type', ['group', 'launchTemplate']);
    return (
      skip ?? {
        id: 'scalability.instance-type',
        principle: 'scalability',
        status: 'SKIP',
        summary: 'could not check the instance type: no instance runs and the launch template names none',
        evidence: [],
        fix: null,
        reason: 'no instance runs and the launch template names no instance type',
      }
    );
  }
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
  return [checkPolicy, checkWarmup, checkRoomToScale, checkInstanceType].map((f) => f(s));
}
