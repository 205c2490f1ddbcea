/**
 * Identifiers and ARNs in the shapes AWS uses, so code that parses real ones
 * (instance ids joined across APIs, ARN suffixes turned into dimensions) reads
 * the lab's the same way.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** The fake account every lab ARN belongs to (the documentation's example account). */
export const LAB_ACCOUNT_ID = '123456789012';

function hex(chars: number): string {
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}

/** `i-0` followed by 16 hex digits, like current EC2 instance ids (17 hex digits in all). */
export function newInstanceId(): string {
  return `i-0${hex(16)}`;
}

export function newUuid(): string {
  return randomUUID();
}

export interface LabNames {
  region: string;
  asgName: string;
  asgArn: string;
  loadBalancerName: string;
  loadBalancerArn: string;
  /** `app/<lb-name>/<lb-id>`: the LoadBalancer dimension value. */
  loadBalancerDimension: string;
  targetGroupName: string;
  targetGroupArn: string;
  /** `targetgroup/<tg-name>/<tg-id>`: the TargetGroup dimension value. */
  targetGroupDimension: string;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`: the policy's ResourceLabel. */
  resourceLabel: string;
  /** The name `--with-policy` gives its target-tracking policy. */
  policyName: string;
  launchTemplateId: string;
  launchTemplateName: string;
  /** A DNS-shaped name under `.localhost` (RFC 6761), so nothing mistakes it for a real ALB. */
  dnsName: string;
  vpcId: string;
  subnetIds: Record<string, string>;
  /** The load balancer's security group (`<base>-alb-sg`) and the instances' (`<base>-ec2-sg`). */
  albSecurityGroupId: string;
  albSecurityGroupName: string;
  instanceSecurityGroupId: string;
  instanceSecurityGroupName: string;
  imageId: string;
  /** The two Availability Zones instances alternate over (the region's first two). */
  availabilityZones: [string, string];
}

export function labNames(region: string, asgName: string): LabNames {
  const base = asgName.replace(/-asg$/, '');
  const loadBalancerName = `${base}-alb`;
  const lbId = hex(16);
  const targetGroupName = `${base}-tg`;
  const tgId = hex(16);
  const loadBalancerDimension = `app/${loadBalancerName}/${lbId}`;
  const targetGroupDimension = `targetgroup/${targetGroupName}/${tgId}`;
  const policyName = `${base}-request-count-target-tracking`;
  const availabilityZones: [string, string] = [`${region}a`, `${region}b`];
  return {
    region,
    asgName,
    asgArn: `arn:aws:autoscaling:${region}:${LAB_ACCOUNT_ID}:autoScalingGroup:${newUuid()}:autoScalingGroupName/${asgName}`,
    loadBalancerName,
    loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:${LAB_ACCOUNT_ID}:loadbalancer/${loadBalancerDimension}`,
    loadBalancerDimension,
    targetGroupName,
    targetGroupArn: `arn:aws:elasticloadbalancing:${region}:${LAB_ACCOUNT_ID}:${targetGroupDimension}`,
    targetGroupDimension,
    resourceLabel: `${loadBalancerDimension}/${targetGroupDimension}`,
    policyName,
    launchTemplateId: `lt-0${hex(16)}`,
    launchTemplateName: `${base}-lt`,
    dnsName: `${loadBalancerName}-${parseInt(hex(8), 16) % 1_000_000_000}.${region}.elb.localhost`,
    vpcId: `vpc-0${hex(16)}`,
    subnetIds: { [availabilityZones[0]]: `subnet-0${hex(16)}`, [availabilityZones[1]]: `subnet-0${hex(16)}` },
    availabilityZones,
    albSecurityGroupId: `sg-0${hex(16)}`,
    albSecurityGroupName: `${base}-alb-sg`,
    instanceSecurityGroupId: `sg-0${hex(16)}`,
    instanceSecurityGroupName: `${base}-ec2-sg`,
    imageId: `ami-0${hex(16)}`,
  };
}

export function policyArn(region: string, asgName: string, policyName: string): string {
  return `arn:aws:autoscaling:${region}:${LAB_ACCOUNT_ID}:scalingPolicy:${newUuid()}:autoScalingGroupName/${asgName}:policyName/${policyName}`;
}

/** A target-tracking policy's managed alarm: `TargetTracking-<asg>-AlarmHigh-<uuid>`. */
export function managedAlarmName(asgName: string, kind: 'high' | 'low'): string {
  return `TargetTracking-${asgName}-Alarm${kind === 'high' ? 'High' : 'Low'}-${newUuid()}`;
}

export function alarmArn(region: string, alarmName: string): string {
  return `arn:aws:cloudwatch:${region}:${LAB_ACCOUNT_ID}:alarm:${alarmName}`;
}

/** AWS's Cause timestamps: ISO-8601 to the second, `Z`. */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
