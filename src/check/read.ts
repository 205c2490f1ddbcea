/**
 * Fills a Snapshot from AWS: discovery as the observer does it (group ↔
 * target group ↔ load balancer), then the reads only `abx check` needs
 * (listeners, target health, EC2 security groups, subnets, instances, the
 * launch template version). Every read is read-only; a failed one becomes a
 * ReadTrouble (a WARN naming the IAM action), never an exception.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { classifyAwsError, createAwsApi, iamActionFor, sdkClientConfig, type AwsConfig, type AwsTrouble } from '../observe/aws.js';
import { discover } from '../observe/discover.js';
import type { ReadTrouble, Snapshot } from './types.js';

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

/** A read that cannot go on at all (no credentials, no endpoint): the CLI says it and exits. */
export class CheckReadError extends Error {
  constructor(
    message: string,
    readonly kind: AwsTrouble['kind'],
  ) {
    super(message);
    this.name = 'CheckReadError';
  }
}

function toTrouble(action: string, error: unknown): ReadTrouble {
  const t = classifyAwsError(error, action);
  return { action, iamAction: iamActionFor(action), message: t.message, accessDenied: t.kind === 'access-denied' };
}

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

export async function readSnapshot(config: AwsConfig, input: CheckTargetInput, signal?: AbortSignal): Promise<Snapshot> {
  const api = await createAwsApi(config);
  const [ec2sdk, elbsdk] = await Promise.all([import('@aws-sdk/client-ec2'), import('@aws-sdk/client-elastic-load-balancing-v2')]);
  const common = sdkClientConfig({ ...config, region: api.region });
  const ec2 = new ec2sdk.EC2Client(common);
  const elbv2 = new elbsdk.ElasticLoadBalancingV2Client(common);
  const snapshot: Snapshot = { region: api.region, troubles: [], notes: [] };
  // Credentials and endpoint problems hold for every call: stop at the first one instead of a WARN per call.
  const read = async <T>(action: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      const t = classifyAwsError(error, action);
      if (t.kind === 'credentials' || t.kind === 'unreachable' || t.kind === 'aborted') throw new CheckReadError(t.message, t.kind);
      snapshot.troubles.push(toTrouble(action, error));
      return undefined;
    }
  };
  const opts = signal ? { abortSignal: signal } : {};
  try {
    const found = await discover(api, input, signal);
    for (const t of found.troubles) {
      const kind = classifyAwsError(t.error, t.action).kind;
      if (kind === 'credentials' || kind === 'unreachable') throw new CheckReadError(classifyAwsError(t.error, t.action).message, kind);
      snapshot.troubles.push(toTrouble(t.action, t.error));
    }
    snapshot.notes.push(...found.notes.filter((n) => !/target-tracking policy/.test(n)));
    const { asg, loadBalancerArn, targetGroupArn } = found.target;

    if (asg) {
      const out = await read('DescribeAutoScalingGroups', () => api.describeAutoScalingGroups({ AutoScalingGroupNames: [asg] }, signal));
      snapshot.group = out?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === asg);
      const policies = await read('DescribePolicies', () => api.describePolicies({ AutoScalingGroupName: asg }, signal));
      if (policies) snapshot.policies = policies.ScalingPolicies ?? [];
      const alarmNames = (snapshot.policies ?? [])
        .flatMap((p) => (p.Alarms ?? []).map((a) => a.AlarmName))
        .filter((n): n is string => Boolean(n));
      if (alarmNames.length) {
        const alarms = await read('DescribeAlarms', () => api.describeAlarms({ AlarmNames: alarmNames }, signal));
        if (alarms) snapshot.alarms = alarms.MetricAlarms ?? [];
      }
    }
    if (loadBalancerArn) {
      const out = await read('DescribeLoadBalancers', () => api.describeLoadBalancers({ LoadBalancerArns: [loadBalancerArn] }, signal));
      snapshot.loadBalancer = out?.LoadBalancers?.[0];
      const listeners = await read('DescribeListeners', () =>
        elbv2.send(new elbsdk.DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }), opts),
      );
      if (listeners) snapshot.listeners = listeners.Listeners ?? [];
    }
    if (targetGroupArn) {
      const out = await read('DescribeTargetGroups', () => api.describeTargetGroups({ TargetGroupArns: [targetGroupArn] }, signal));
      snapshot.targetGroup = out?.TargetGroups?.[0];
      const health = await read('DescribeTargetHealth', () =>
        elbv2.send(new elbsdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), opts),
      );
      if (health) snapshot.targetHealth = health.TargetHealthDescriptions ?? [];
    }

    const group = snapshot.group;
    const instanceIds = (group?.Instances ?? []).map((i) => i.InstanceId).filter((id): id is string => Boolean(id));
    if (instanceIds.length) {
      const out = await read('DescribeInstances', () => ec2.send(new ec2sdk.DescribeInstancesCommand({ InstanceIds: instanceIds }), opts));
      if (out) {
        const ids = (out.Reservations ?? [])
          .flatMap((r) => r.Instances ?? [])
          .flatMap((i) => (i.SecurityGroups ?? []).map((g) => g.GroupId));
        snapshot.instanceSecurityGroupIds = [...new Set(ids.filter((id): id is string => Boolean(id)))];
      }
    }
    const groupIds = [...new Set([...(snapshot.loadBalancer?.SecurityGroups ?? []), ...(snapshot.instanceSecurityGroupIds ?? [])])];
    if (groupIds.length) {
      const out = await read('DescribeSecurityGroups', () =>
        ec2.send(new ec2sdk.DescribeSecurityGroupsCommand({ GroupIds: groupIds }), opts),
      );
      if (out) snapshot.securityGroups = out.SecurityGroups ?? [];
    }
    const subnetIds = (group?.VPCZoneIdentifier ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (subnetIds.length) {
      const out = await read('DescribeSubnets', () => ec2.send(new ec2sdk.DescribeSubnetsCommand({ SubnetIds: subnetIds }), opts));
      if (out) snapshot.subnets = out.Subnets ?? [];
    }
    const template = group ? launchTemplateOf(group) : null;
    if (template) {
      const out = await read('DescribeLaunchTemplateVersions', () =>
        ec2.send(
          new ec2sdk.DescribeLaunchTemplateVersionsCommand({
            ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
            Versions: [template.version],
          }),
          opts,
        ),
      );
      const version = out?.LaunchTemplateVersions?.[0];
      if (version?.LaunchTemplateData) {
        snapshot.launchTemplate = {
          id: version.LaunchTemplateId ?? template.id ?? template.name ?? '?',
          version: String(version.VersionNumber ?? template.version),
          data: version.LaunchTemplateData,
        };
      }
    }
    return snapshot;
  } finally {
    api.destroy();
    ec2.destroy();
    elbv2.destroy();
  }
}
