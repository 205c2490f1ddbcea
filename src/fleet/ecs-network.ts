/**
 * Where the fleet's Fargate tasks run when --subnets is not given: in the
 * subnets and security groups of the load balancer under test, found the way
 * the observer finds it (from the ALB's DNS name, the target group or the
 * Auto Scaling group). An internal ALB is then reachable from every task, and
 * the tasks spread over the ALB's zones as its real clients would.
 */
import { ConfigError } from '../errors.js';
import { createAwsApi, type AwsConfig } from '../observe/aws.js';
import { discover, type DiscoverInput } from '../observe/discover.js';

export interface TaskNetwork {
  subnets: string[];
  securityGroups: string[];
  /** Where they came from, for the line that says so. */
  source: string;
}

export async function loadBalancerNetwork(config: AwsConfig, target: DiscoverInput): Promise<TaskNetwork> {
  const api = await createAwsApi(config);
  try {
    const found = await discover(api, target);
    let arn = found.target.loadBalancerArn;
    // Discovery may know the load balancer only as a metric dimension (from the policy's label): ask the target group.
    if (!arn && found.target.targetGroupArn) {
      const groups = await api.describeTargetGroups({ TargetGroupArns: [found.target.targetGroupArn] }).catch(() => undefined);
      arn = groups?.TargetGroups?.[0]?.LoadBalancerArns?.[0] ?? null;
    }
    if (!arn) {
      const trouble = found.troubles[0];
      const why = trouble ? ` (${trouble.action}: ${(trouble.error as Error).message ?? String(trouble.error)})` : '';
      throw new ConfigError(
        `abx fleet could not find the load balancer to take the tasks' subnets from${why}: pass --subnets and --security-groups`,
      );
    }
    let out;
    try {
      out = await api.describeLoadBalancers({ LoadBalancerArns: [arn] });
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new ConfigError(
        `cannot read load balancer ${arn} for the tasks' subnets: ${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}; pass --subnets and --security-groups`,
      );
    }
    const lb = out.LoadBalancers?.[0];
    const subnets = (lb?.AvailabilityZones ?? []).map((z) => z.SubnetId).filter((s): s is string => Boolean(s));
    if (subnets.length === 0) throw new ConfigError(`load balancer ${arn} lists no subnets: pass --subnets and --security-groups`);
    return { subnets, securityGroups: lb?.SecurityGroups ?? [], source: `load balancer ${lb?.LoadBalancerName ?? arn}` };
  } finally {
    api.destroy();
  }
}
