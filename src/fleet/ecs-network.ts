/**
 * Where the fleet's Fargate tasks run when --subnets is not given: in the
 * subnets and security groups of the load balancer under test, found the way
 * the observer finds it (from the ALB's DNS name, the target group or the
 * Auto Scaling group). An internal ALB is then reachable from every task, and
 * the tasks spread over the ALB's zones as its real clients would.
 */
import { createAwsApi, type AwsConfig } from '../aws/clients.js';
import { ConfigError, ObserverError } from '../errors.js';
import { discover, type DiscoverInput } from '../observe/discover.js';

export interface TaskNetwork {
  subnets: string[];
  securityGroups: string[];
  /** Where they came from, for the line that says so. */
  source: string;
}

export async function loadBalancerNetwork(config: AwsConfig, target: DiscoverInput): Promise<TaskNetwork> {
  let api;
  try {
    api = await createAwsApi(config);
  } catch (error) {
    if (error instanceof ObserverError) throw new ConfigError(`abx fleet: ${error.message}`);
    throw error;
  }
  try {
    const found = await discover(api, target, { loadBalancer: true });
    const lb = found.loadBalancer;
    if (!lb) {
      const why = found.missing.find((m) => m.part === 'loadBalancer')?.reason ?? 'no load balancer found';
      throw new ConfigError(
        `abx fleet could not find the load balancer to take the tasks' subnets from (${why}): pass --subnets and --security-groups`,
      );
    }
    const arn = lb.LoadBalancerArn ?? found.target.loadBalancerArn ?? '?';
    const subnets = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId).filter((s): s is string => Boolean(s));
    if (subnets.length === 0) throw new ConfigError(`load balancer ${arn} lists no subnets: pass --subnets and --security-groups`);
    return { subnets, securityGroups: lb.SecurityGroups ?? [], source: `load balancer ${lb.LoadBalancerName ?? arn}` };
  } finally {
    api.destroy();
  }
}
