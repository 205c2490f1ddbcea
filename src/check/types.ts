/**
 * What `abx check` reads from AWS (a Snapshot) and what it says about it (a
 * Check). The SDK's own shapes are kept as they are, so a fixture is a real
 * Describe* answer and the checks read the fields AWS documents.
 */
import type { AutoScalingGroup, ScalingPolicy } from '@aws-sdk/client-auto-scaling';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { ResponseLaunchTemplateData, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';

export type Principle = 'security' | 'failure' | 'scalability';
export const PRINCIPLES: readonly Principle[] = ['security', 'failure', 'scalability'];
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'INFO';

export interface Check {
  /** Stable, e.g. "security.alb-sg-world". */
  id: string;
  principle: Principle;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** The facts the verdict rests on, as AWS reported them. */
  evidence: string[];
  /** An AWS CLI command with the real IDs filled in; null when there is nothing to change. */
  fix: string | null;
}

/** A read that failed (AccessDenied, throttling...): reported as a WARN naming the IAM action. */
export interface ReadTrouble {
  /** The API operation, e.g. "DescribeSecurityGroups". */
  action: string;
  /** The IAM action to allow, e.g. "ec2:DescribeSecurityGroups". */
  iamAction: string;
  /** One line from the error classifier. */
  message: string;
  accessDenied: boolean;
}

/** Everything AWS said; undefined = not read (not found, or the read failed: see troubles). */
export interface Snapshot {
  region: string;
  group?: AutoScalingGroup;
  loadBalancer?: LoadBalancer;
  listeners?: Listener[];
  targetGroup?: TargetGroup;
  targetHealth?: TargetHealthDescription[];
  /** The load balancer's and the instances' groups, by GroupId. */
  securityGroups?: SecurityGroup[];
  /** The security groups the group's instances carry. */
  instanceSecurityGroupIds?: string[];
  /** The group's subnets (VPCZoneIdentifier). */
  subnets?: Subnet[];
  /** The launch template version the group launches, and its id and version number. */
  launchTemplate?: { id: string; version: string; data: ResponseLaunchTemplateData };
  policies?: ScalingPolicy[];
  alarms?: MetricAlarm[];
  troubles: ReadTrouble[];
  notes: string[];
}
