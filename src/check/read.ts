/**
 * Fills a Snapshot from AWS: discovery as the observer does it (group ↔
 * target group ↔ load balancer, policies, alarms), then the reads only `abx
 * check` needs (listeners, target health, instances, the launch template
 * version, security groups, subnets). Every read is read-only; a failed one
 * is recorded as the reason its inputs are missing (the checks that need
 * them SKIP, naming the IAM action), never an exception, except for what no
 * read can get past (no credentials, no endpoint).
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { ResponseLaunchTemplateData } from '@aws-sdk/client-ec2';
import { createAwsApi, type AwsConfig } from '../aws/clients.js';
import { ALL_IAM_ACTIONS, classifyAwsError, iamActionFor, type AwsTroubleKind } from '../aws/errors.js';
import { discover, type DiscoveryPart } from '../observe/discover.js';
import type { NamedGroup, Snapshot, SnapshotPart } from './types.js';

export interface CheckTargetInput {
  asg?: string;
  targetGroupArn?: string;
  url?: URL;
}

/** Every IAM action `abx check` may call (the README lists these). */
export const CHECK_IAM_ACTIONS: readonly string[] = [
  'DescribeAutoScalingGroups',
  'DescribePolicies',
  'DescribeAlarms',
  'DescribeLoadBalancers',
  'DescribeTargetGroups',
  'DescribeListeners',
  'DescribeTargetHealth',
  'DescribeInstances',
  'DescribeSecurityGroups',
  'DescribeSubnets',
  'DescribeLaunchTemplateVersions',
].map(iamActionFor);

// Kept in step with the one list of IAM actions: a check read that is not in it would print "unknown:".
for (const action of CHECK_IAM_ACTIONS) if (!ALL_IAM_ACTIONS.includes(action)) throw new Error(`no IAM action for ${action}`);

/** A read that cannot go on at all (no credentials, no endpoint): the CLI says it and exits. */
export class CheckReadError extends Error {
  constructor(
    message: string,
    readonly kind: AwsTroubleKind,
  ) {
    super(message);
    this.name = 'CheckReadError';
  }
}

/** What a missing discovery part leaves unread for the checks. */
const PARTS_OF: Record<DiscoveryPart, SnapshotPart[]> = {
  group: ['group', 'instanceSecurityGroups', 'launchTemplate', 'subnets', 'policies'],
  targetGroup: ['targetGroup', 'targetHealth'],
  loadBalancer: ['loadBalancer', 'listeners', 'loadBalancerSecurityGroups'],
  policy: ['policies'],
  alarms: [],
};

/** The launch template the group launches from, directly or through a mixed instances policy. */
function launchTemplateOf(group: AutoScalingGroup): { id?: string; name?: string; version: string } | null {
  const spec = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec || (!spec.LaunchTemplateId && !spec.LaunchTemplateName)) return null;
  return {
    ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
    ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
    version: spec.Version ?? '$Default',
  };
}

/** The security groups a launch template gives each instance (directly, or on its network interfaces). */
export function launchTemplateGroups(data: ResponseLaunchTemplateData): string[] {
  const ids = [...(data.SecurityGroupIds ?? []), ...(data.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? [])];
  return [...new Set(ids)];
}

export async function readSnapshot(config: AwsConfig, input: CheckTargetInput, signal?: AbortSignal): Promise<Snapshot> {
  const api = await createAwsApi(config);
  const snapshot: Snapshot = { region: api.region, unread: {}, troubles: [], notes: [] };
  const unread = (parts: readonly SnapshotPart[], reason: string): void => {
    const unreadParts = (snapshot.unread ??= {});
    for (const part of parts) unreadParts[part] ??= reason;
  };
  /** Credentials and endpoint problems hold for every call: stop at the first one instead of a SKIP per check. */
  const fatal = (action: string, error: unknown): void => {
    const t = classifyAwsError(error, action);
    if (t.kind === 'credentials' || t.kind === 'unreachable' || t.kind === 'aborted') throw new CheckReadError(t.message, t.kind);
  };
  const failed = (action: string, error: unknown, parts: readonly SnapshotPart[]): void => {
    fatal(action, error);
    const t = classifyAwsError(error, action);
    snapshot.troubles.push({ action, iamAction: t.iamAction, message: t.message, accessDenied: t.kind === 'access-denied' });
    unread(parts, t.kind === 'access-denied' ? `${action} was denied: allow IAM action ${t.iamAction}` : t.message);
  };
  const read = async <T>(action: string, parts: readonly SnapshotPart[], run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      failed(action, error, parts);
      return undefined;
    }
  };
  try {
    const found = await discover(api, input, { loadBalancer: true, ...(signal ? { signal } : {}) });
    for (const t of found.troubles) fatal(t.action, t.error);
    // A part missing because its call failed says so with the IAM action; one that is not there says that.
    for (const m of found.missing) {
      const trouble = m.action ? found.troubles.find((t) => t.action === m.action) : undefined;
      if (trouble) failed(trouble.action, trouble.error, PARTS_OF[m.part]);
      else unread(PARTS_OF[m.part], m.reason);
    }
    snapshot.notes.push(...found.notes);
    if (found.group) snapshot.group = found.group;
    if (found.loadBalancer) snapshot.loadBalancer = found.loadBalancer;
    if (found.targetGroup) snapshot.targetGroup = found.targetGroup;
    if (found.policies) snapshot.policies = found.policies;
    if (found.alarms) snapshot.alarms = found.alarms;

    const lbArn = found.loadBalancer?.LoadBalancerArn;
    if (lbArn) {
      const listeners = await read('DescribeListeners', ['listeners'], () => api.describeListeners({ LoadBalancerArn: lbArn }, signal));
      if (listeners) snapshot.listeners = listeners.Listeners ?? [];
    }
    const tgArn = found.targetGroup?.TargetGroupArn;
    if (tgArn) {
      const health = await read('DescribeTargetHealth', ['targetHealth'], () =>
        api.describeTargetHealth({ TargetGroupArn: tgArn }, signal),
      );
      if (health) snapshot.targetHealth = health.TargetHealthDescriptions ?? [];
    }

    const group = snapshot.group;
    const named: NamedGroup[] = [];
    let instancesRead = true;
    const instanceIds = (group?.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => Boolean(id));
    if (instanceIds.length) {
      const out = await read('DescribeInstances', ['instanceSecurityGroups'], () =>
        api.describeInstances({ InstanceIds: instanceIds }, signal),
      );
      if (out) {
        for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          for (const g of instance.SecurityGroups ?? [])
            if (g.GroupId) named.push({ id: g.GroupId, from: `instance ${instance.InstanceId ?? '?'}` });
        }
      } else instancesRead = false;
    }
    const template = group ? launchTemplateOf(group) : null;
    if (group && !template) {
      const config = group.LaunchConfigurationName;
      unread(
        ['launchTemplate'],
        config
          ? `group ${group.AutoScalingGroupName ?? '?'} launches from launch configuration ${config}, which abx does not read`
          : `group ${group.AutoScalingGroupName ?? '?'} names no launch template`,
      );
    }
    if (template) {
      const out = await read('DescribeLaunchTemplateVersions', ['launchTemplate'], () =>
        api.describeLaunchTemplateVersions(
          {
            ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
            Versions: [template.version],
          },
          signal,
        ),
      );
      const version = out?.LaunchTemplateVersions?.[0];
      if (version?.LaunchTemplateData) {
        snapshot.launchTemplate = {
          id: version.LaunchTemplateId ?? template.id ?? template.name ?? '?',
          version: String(version.VersionNumber ?? template.version),
          data: version.LaunchTemplateData,
        };
        const from = `launch template ${snapshot.launchTemplate.id} version ${snapshot.launchTemplate.version}`;
        for (const id of launchTemplateGroups(version.LaunchTemplateData)) named.push({ id, from });
      } else if (out) {
        unread(
          ['launchTemplate'],
          `DescribeLaunchTemplateVersions has no version ${template.version} of ${template.id ?? template.name ?? '?'}`,
        );
      }
    }
    if (group && instancesRead) {
      // The instances' groups and the launch template's (what the next instance gets, and all there is at 0 instances).
      if (instanceIds.length > 0 || snapshot.launchTemplate) snapshot.instanceSecurityGroups = dedupe(named);
      else {
        unread(
          ['instanceSecurityGroups'],
          snapshot.unread?.launchTemplate ??
            `group ${group.AutoScalingGroupName ?? '?'} has no instances and no launch template abx could read`,
        );
      }
    }
    const groupIds = [
      ...new Set([...(snapshot.loadBalancer?.SecurityGroups ?? []), ...(snapshot.instanceSecurityGroups ?? []).map((g) => g.id)]),
    ];
    if (groupIds.length) {
      const out = await read('DescribeSecurityGroups', ['loadBalancerSecurityGroups', 'instanceSecurityGroups'], () =>
        api.describeSecurityGroups({ GroupIds: groupIds }, signal),
      );
      if (out) snapshot.securityGroups = out.SecurityGroups ?? [];
    } else {
      snapshot.securityGroups = [];
    }
    const subnetIds = (group?.VPCZoneIdentifier ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (subnetIds.length) {
      const out = await read('DescribeSubnets', ['subnets'], () => api.describeSubnets({ SubnetIds: subnetIds }, signal));
      if (out) snapshot.subnets = out.Subnets ?? [];
    }
    return snapshot;
  } finally {
    api.destroy();
  }
}

function dedupe(groups: NamedGroup[]): NamedGroup[] {
  const seen = new Map<string, NamedGroup>();
  for (const g of groups) if (!seen.has(g.id)) seen.set(g.id, g);
  return [...seen.values()];
}
