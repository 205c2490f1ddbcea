/**
 * The lab's VPC pieces that decide who may talk to whom: the load
 * balancer's and the instances' security groups, each a set of ingress
 * permissions. The lab starts with the classic lab's insecure rules
 * (everything open on the load balancer), and the balancer and the health
 * checks read these rules on every change, so revoking a rule has the effect
 * it has on AWS:
 * - a listener port the load balancer's group no longer allows from
 *   0.0.0.0/0 stops accepting connections;
 * - if the instances' group no longer allows the load balancer's group (or
 *   everyone) on the traffic port, health checks fail and targets turn
 *   unhealthy.
 */
import { ApiError } from './wire.js';

/** One ingress permission: a protocol, a port range and exactly one source. */
export interface IngressRule {
  ruleId: string;
  /** 'tcp', 'udp', 'icmp' or '-1' (all traffic). */
  ipProtocol: string;
  /** -1 with protocol '-1'. */
  fromPort: number;
  toPort: number;
  cidrIp?: string;
  sourceGroupId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: IngressRule[];
}

/** A permission to add or remove, as the API spells one. */
export type Permission = Omit<IngressRule, 'ruleId'>;

function sameRule(a: Permission, b: Permission): boolean {
  return (
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    (a.cidrIp ?? '') === (b.cidrIp ?? '') &&
    (a.sourceGroupId ?? '') === (b.sourceGroupId ?? '')
  );
}

function coversTcpPort(rule: IngressRule, port: number): boolean {
  if (rule.ipProtocol === '-1') return true;
  return (rule.ipProtocol === 'tcp' || rule.ipProtocol === '6') && rule.fromPort <= port && port <= rule.toPort;
}

export class Network {
  readonly groups: SecurityGroup[];
  private ruleSeq = 0;
  /** Bumped on every rule change, so listeners and health checks re-read only then. */
  version = 0;

  constructor(
    readonly albGroupId: string,
    readonly instanceGroupId: string,
    names: { albGroupName: string; instanceGroupName: string; vpcId: string },
  ) {
    this.groups = [
      {
        groupId: albGroupId,
        groupName: names.albGroupName,
        description: 'Load balancer security group',
        vpcId: names.vpcId,
        ingress: [],
      },
      {
        groupId: instanceGroupId,
        groupName: names.instanceGroupName,
        description: 'Instances security group',
        vpcId: names.vpcId,
        ingress: [],
      },
    ];
    // The starting point of the lab: All TCP from anywhere on the load
    // balancer, All TCP from the load balancer's group on the instances.
    this.authorize(albGroupId, [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIp: '0.0.0.0/0' }]);
    this.authorize(instanceGroupId, [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, sourceGroupId: albGroupId }]);
  }

  /** By id, or by name when `byName`; InvalidGroup.NotFound otherwise. */
  group(idOrName: string, byName = false): SecurityGroup {
    const found = this.groups.find((g) => (byName ? g.groupName === idOrName : g.groupId === idOrName));
    if (!found)
      throw new ApiError(byName ? 'InvalidGroup.NotFound' : 'InvalidGroupId.NotFound', `The security group '${idOrName}' does not exist`);
    return found;
  }

  authorize(groupId: string, permissions: Permission[]): IngressRule[] {
    const group = this.group(groupId);
    for (const p of permissions) {
      if (p.sourceGroupId !== undefined) this.group(p.sourceGroupId);
      if (group.ingress.some((r) => sameRule(r, p)))
        throw new ApiError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${p.cidrIp ?? p.sourceGroupId}, ${p.ipProtocol.toUpperCase()}, from port: ${p.fromPort}, to port: ${p.toPort}, ALLOW" already exists`,
        );
    }
    const added = permissions.map((p) => ({ ...p, ruleId: `sgr-0${(++this.ruleSeq).toString(16).padStart(16, '0')}` }));
    group.ingress.push(...added);
    this.version++;
    return added;
  }

  /** Each permission must match an existing rule exactly, as EC2 requires. */
  revoke(groupId: string, permissions: Permission[]): void {
    const group = this.group(groupId);
    for (const p of permissions) {
      if (!group.ingress.some((r) => sameRule(r, p)))
        throw new ApiError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    group.ingress = group.ingress.filter((r) => !permissions.some((p) => sameRule(r, p)));
    this.version++;
  }

  /** Does the load balancer's group let anyone on the internet reach `port`? */
  listenerOpen(port: number): boolean {
    return this.group(this.albGroupId).ingress.some((r) => r.cidrIp === '0.0.0.0/0' && coversTcpPort(r, port));
  }

  /** Do the instances' rules let the load balancer reach them on `port`? */
  targetsReachable(port: number): boolean {
    return this.group(this.instanceGroupId).ingress.some(
      (r) => (r.sourceGroupId === this.albGroupId || r.cidrIp === '0.0.0.0/0') && coversTcpPort(r, port),
    );
  }
}
