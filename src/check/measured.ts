/**
 * The checks that need a measurement (`abx check --from result.json`): what
 * the run's observed load asks of the group, against what the group allows
 * now. Pure: (Snapshot, Result) → Check[].
 */
import type { Observation, Result } from '../stats/result.js';
import { skipUnless } from './skip.js';
import type { Check, Snapshot } from './types.js';

const REQUEST_METRIC = 'ALBRequestCountPerTarget';

/** The requests the whole group served in its busiest observed period, and when. */
export interface MeasuredPeak {
  requests: number;
  at: string;
  perTarget: number;
  inService: number;
}

/**
 * RequestCountPerTarget × the InService count of the same period (the latest
 * poll at or before it: capacity is polled, the metric is per period).
 * null when the run saw no request metric or no capacity.
 */
export function measuredPeak(o: Observation): MeasuredPeak | null {
  const inService = o.samples.filter((s) => s.metric === 'InServiceInstances').sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (inService.length === 0) return null;
  let peak: MeasuredPeak | null = null;
  for (const s of o.samples) {
    if (s.metric !== 'RequestCountPerTarget') continue;
    const atMs = Date.parse(s.at);
    let count = inService[0].value;
    for (const c of inService) if (Date.parse(c.at) <= atMs) count = c.value;
    const requests = s.value * count;
    if (!peak || requests > peak.requests) peak = { requests, at: s.at, perTarget: s.value, inService: count };
  }
  return peak;
}

/** CloudWatch's standard period reads as a minute, else the period the run used: "per minute", "/min". */
function periodUnits(periodSec: number): { per: string; rate: string } {
  return periodSec === 60 ? { per: 'minute', rate: 'min' } : { per: `${periodSec} s`, rate: `${periodSec} s` };
}

/** The request-count target: the one the run saw, else the group's current policy. */
function requestTarget(s: Snapshot, o: Observation): { value: number; policy: string } | null {
  if (o.policy && o.policy.metric === REQUEST_METRIC) return { value: o.policy.targetValue, policy: o.policy.name };
  const p = s.policies?.find((x) => x.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === REQUEST_METRIC);
  const value = p?.TargetTrackingConfiguration?.TargetValue;
  return value !== undefined ? { value, policy: p?.PolicyName ?? '?' } : null;
}

export function checkPeakCapacity(s: Snapshot, r: Result): Check | null {
  const id = 'scalability.peak-capacity';
  const skip = skipUnless(s, id, 'scalability', 'the measured peak against MaxSize', ['group']);
  if (skip || !s.group) return skip;
  const name = s.group.AutoScalingGroupName ?? '<group>';
  const o = r.observation;
  if (!o) {
    return {
      id,
      principle: 'scalability',
      status: 'WARN',
      summary: 'the run was not observed: no measured load to size the group against; re-run with --asg or an ALB URL',
      evidence: [`result of ${r.startedAt}: no observation`],
      fix: null,
    };
  }
  const target = requestTarget(s, o);
  const peak = measuredPeak(o);
  if (!target || target.value <= 0 || !peak) {
    return {
      id,
      principle: 'scalability',
      status: 'WARN',
      summary: !peak
        ? 'the run observed no RequestCountPerTarget with an InService count: no measured peak to size the group against'
        : `no ${REQUEST_METRIC} target-tracking policy: no target per instance to size the group against`,
      evidence: [`observation: ${o.samples.length} samples, policy ${o.policy ? `${o.policy.name} ${o.policy.metric}` : 'none'}`],
      fix: null,
    };
  }
  const unit = periodUnits(o.periodSec);
  const needed = Math.ceil(peak.requests / target.value);
  const maxSize = s.group.MaxSize ?? 0;
  const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const evidence = [
    `peak at ${peak.at}: RequestCountPerTarget ${fmt(peak.perTarget)} × ${peak.inService} InService = ${fmt(peak.requests)} requests/${unit.rate}`,
    `policy ${target.policy}: target ${fmt(target.value)} per target per ${unit.per}`,
    `MaxSize ${maxSize}`,
  ];
  const summary = `at target ${fmt(target.value)} per target per ${unit.per}, your measured peak of ${fmt(peak.requests)} requests/${unit.rate} needs ${needed} instance${needed === 1 ? '' : 's'}; MaxSize is ${maxSize}`;
  if (needed > maxSize) {
    return {
      id,
      principle: 'scalability',
      status: 'FAIL',
      summary,
      evidence,
      fix: `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${name} --max-size ${needed}`,
    };
  }
  return { id, principle: 'scalability', status: 'PASS', summary, evidence, fix: null };
}

/** Every check that needs a measurement. */
export function measuredChecks(s: Snapshot, r: Result): Check[] {
  const peak = checkPeakCapacity(s, r);
  return peak ? [peak] : [];
}
