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
/** SKIP: the check's inputs could not be read (a denied or failing call, a resource not found); never a PASS by omission. */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'INFO' | 'SKIP';

export interface Check {
  /** Stable, e.g. "security.alb-sg-world". */
  id: string;
  principle: Principle;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** The facts the verdict rests on, as AWS reported them. */
  evidence: string[];
  /** An AWS CLI command with the real IDs filled in (several joined by " && "); null when there is nothing to change. */
  fix: string | null;
  /** Why a SKIP (or, under --strict, a FAIL) could not check: the missing resource, or the IAM action that was denied. */
  reason?: string;
}

/** A read that failed (AccessDenied, throttling...), kept for the JSON output beside the SKIPs it caused. */
export interface ReadTrouble {
  /** The API operation, e.g. "DescribeSecurityGroups". */
  action: string;
  /** The IAM action to allow, e.g. "ec2:DescribeSecurityGroups". */
  iamAction: string;
  /** One line from the error classifier. */
  message: string;
  accessDenied: boolean;
}

/** The inputs a check reads: each is a field of Snapshot. */
export type SnapshotPart =
  | 'group'
  | 'loadBalancer'
  | 'listeners'
  | 'targetGroup'
  | 'targetHealth'
  | 'loadBalancerSecurityGroups'
  | 'instanceSecurityGroups'
  | 'subnets'
  | 'launchTemplate'
  | 'policies';

/** A security group and where abx found it named. */
export interface NamedGroup {
  id: string;
  /** "the load balancer", "instance i-0abc", "launch template lt-0abc version 3". */
  from: string;
}

/** Everything AWS said; undefined = not read (see `unread` for why). */
export interface Snapshot {
  region: string;
  group?: AutoScalingGroup;
  loadBalancer?: LoadBalancer;
  listeners?: Listener[];
  targetGroup?: TargetGroup;
  targetHealth?: TargetHealthDescription[];
  /** Every security group read (the load balancer's, the instances', the launch template's), by GroupId. */
  securityGroups?: SecurityGroup[];
  /** The groups the group's instances carry, and those of its launch template (what the next instance gets). */
  instanceSecurityGroups?: NamedGroup[];
  /** The group's subnets (VPCZoneIdentifier). */
  subnets?: Subnet[];
  /** The launch template version the group launches, and its id and version number. */
  launchTemplate?: { id: string; version: string; data: ResponseLaunchTemplateData };
  policies?: ScalingPolicy[];
  alarms?: MetricAlarm[];
  /** Why each input a check needs was not read: the call that was denied or failed, or the resource that is not there. */
  unread?: Partial<Record<SnapshotPart, string>>;
  troubles: ReadTrouble[];
  notes: string[];
}
