/**
 * The security checks: who can reach the load balancer and the instances,
 * and how the instances hand out their credentials. Pure: Snapshot → Check[].
 */
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import { skipUnless } from './skip.js';
import type { Check, Snapshot } from './types.js';

const WORLD_V4 = '0.0.0.0/0';
const WORLD_V6 = '::/0';
/** The ports a public web load balancer is expected to answer on. */
const PUBLIC_WEB_PORTS = [80, 443];
const ADMIN_PORTS: ReadonlyArray<{ port: number; name: string }> = [
  { port: 22, name: 'SSH' },
  { port: 3389, name: 'RDP' },
];

/** One ingress rule open to the world: its protocol, port range and the CIDR. */
export interface WorldRule {
  groupId: string;
  groupName: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
}

function portRange(p: IpPermission): { protocol: string; from: number; to: number } {
  const protocol = p.IpProtocol ?? '-1';
  // "-1" (all traffic) carries no ports; a TCP/UDP rule without ports means all of them.
  if (protocol === '-1') return { protocol, from: 0, to: 65535 };
  return { protocol, from: p.FromPort ?? 0, to: p.ToPort ?? 65535 };
}

/** Every rule of these groups that admits 0.0.0.0/0 or ::/0. */
export function worldRules(groups: readonly SecurityGroup[]): WorldRule[] {
  const rules: WorldRule[] = [];
  for (const g of groups) {
    for (const p of g.IpPermissions ?? []) {
      const { protocol, from, to } = portRange(p);
      const cidrs = [
        ...(p.IpRanges ?? []).map((r) => r.CidrIp).filter((c) => c === WORLD_V4),
        ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).filter((c) => c === WORLD_V6),
      ];
      for (const cidr of cidrs) {
        rules.push({
          groupId: g.GroupId ?? '?',
          groupName: g.GroupName ?? g.GroupId ?? '?',
          protocol,
          fromPort: from,
          toPort: to,
          cidr: cidr,
        });
      }
    }
  }
  return rules;
}

function covers(rule: WorldRule, port: number): boolean {
  return (rule.protocol === '-1' || rule.protocol === 'tcp' || rule.protocol === '6') && rule.fromPort <= port && port <= rule.toPort;
}

export function describeRule(rule: WorldRule): string {
  const proto = rule.protocol === '-1' ? 'all traffic' : rule.protocol;
  const ports = rule.fromPort === rule.toPort ? String(rule.fromPort) : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.groupName} (${rule.groupId}) allows ${rule.cidr} on ${proto} ${ports}`;
}

/** The revoke command for exactly this rule, in the CLI's --ip-permissions shorthand. */
export function revokeCommand(rule: WorldRule): string {
  const range = rule.cidr === WORLD_V6 ? `Ipv6Ranges=[{CidrIpv6=${rule.cidr}}]` : `IpRanges=[{CidrIp=${rule.cidr}}]`;
  const ports = rule.protocol === '-1' ? '' : `,FromPort=${rule.fromPort},ToPort=${rule.toPort}`;
  return `aws ec2 revoke-security-group-ingress --group-id ${rule.groupId} --ip-permissions 'IpProtocol=${rule.protocol}${ports},${range}'`;
}

function listenerPorts(listeners: readonly Listener[]): number[] {
  return [...new Set(listeners.map((l) => l.Port).filter((p): p is number => typeof p === 'number'))].sort((a, b) => a - b);
}

function albGroups(s: Snapshot): SecurityGroup[] {
  const ids = new Set(s.loadBalancer?.SecurityGroups ?? []);
  return (s.securityGroups ?? []).filter((g) => g.GroupId && ids.has(g.GroupId));
}

function instanceGroups(s: Snapshot): SecurityGroup[] {
  const ids = new Set((s.instanceSecurityGroups ?? []).map((g) => g.id));
  return (s.securityGroups ?? []).filter((g) => g.GroupId && ids.has(g.GroupId));
}

/** Where each of the instances' groups was found: "sg-1 (instance i-0abc)". */
function instanceGroupList(s: Snapshot): string {
  return (s.instanceSecurityGroups ?? []).map((g) => `${g.id} (${g.from})`).join(', ') || 'none';
}

/** A rule open to the world on more than the listeners' ports (the course lab's All TCP 0-65535 case). */
export function checkAlbWorldRules(s: Snapshot): Check {
  const id = 'security.alb-sg-world';
  const skip = skipUnless(s, id, 'security', 'who can reach the load balancer', ['loadBalancerSecurityGroups', 'listeners']);
  if (skip) return skip;
  const groups = albGroups(s);
  const ports = listenerPorts(s.listeners!);
  const rules = worldRules(groups);
  const wide = rules.filter((r) => r.protocol === '-1' || r.toPort > r.fromPort || !ports.includes(r.fromPort));
  const evidence = [`listener ports: ${ports.join(', ') || 'none'}`, ...rules.map(describeRule)];
  if (wide.length === 0) {
    return {
      id,
      principle: 'security',
      status: 'PASS',
      summary: rules.length
        ? `the load balancer's groups open only listener ports to the world (${[...new Set(rules.map((r) => r.fromPort))].join(', ')})`
        : "no rule of the load balancer's groups is open to the world",
      evidence,
      fix: null,
    };
  }
  const first = wide[0];
  const keep = ports.filter(
    (p) => PUBLIC_WEB_PORTS.includes(p) && !rules.some((r) => r.protocol === 'tcp' && r.fromPort === p && r.toPort === p),
  );
  const authorize = keep.map(
    (p) => `aws ec2 authorize-security-group-ingress --group-id ${first.groupId} --protocol tcp --port ${p} --cidr ${first.cidr}`,
  );
  const beyond = wide.map((r) => describeRule(r).replace(/^.* allows /, '')).join('; ');
  return {
    id,
    principle: 'security',
    status: 'FAIL',
    summary: `${first.groupName} (${first.groupId}) is open to the world beyond the listener ports ${ports.join(', ') || '(none)'}: ${beyond}`,
    evidence,
    // Allow the web ports first: pasted in this order, the site never stops answering.
    fix: [...authorize, ...wide.map(revokeCommand)].join(' && '),
  };
}

/** A listener on a port other than 80/443 that anyone can reach (the lab's private page on 90). */
export function checkOddListenerPorts(s: Snapshot): Check {
  const id = 'security.listener-ports';
  const skip = skipUnless(s, id, 'security', 'which listeners anyone can reach', ['loadBalancerSecurityGroups', 'listeners']);
  if (skip) return skip;
  const rules = worldRules(albGroups(s));
  const exposed = listenerPorts(s.listeners!)
    .filter((p) => !PUBLIC_WEB_PORTS.includes(p))
    .map((port) => ({ port, rule: rules.find((r) => covers(r, port)) }))
    .filter((x): x is { port: number; rule: WorldRule } => x.rule !== undefined);
  if (exposed.length === 0) {
    return {
      id,
      principle: 'security',
      status: 'PASS',
      summary: 'no listener on a port other than 80/443 is reachable from anywhere',
      evidence: [`listener ports: ${listenerPorts(s.listeners!).join(', ') || 'none'}`],
      fix: null,
    };
  }
  return {
    id,
    principle: 'security',
    status: 'WARN',
    summary: `listener${exposed.length > 1 ? 's' : ''} on port ${exposed.map((e) => e.port).join(', ')} reachable from anywhere`,
    evidence: exposed.map((e) => `port ${e.port}: ${describeRule(e.rule)}`),
    fix: [...new Set(exposed.map((e) => revokeCommand(e.rule)))].join(' && '),
  };
}

/** Instances (and the launch template's next ones) should admit traffic from the load balancer's group only. */
export function checkInstanceGroups(s: Snapshot): Check {
  const id = 'security.instance-sg';
  const skip = skipUnless(s, id, 'security', 'who can reach the instances', ['instanceSecurityGroups']);
  if (skip) return skip;
  const rules = worldRules(instanceGroups(s));
  const albSg = s.loadBalancer?.SecurityGroups?.[0];
  const port = s.targetGroup?.Port ?? 80;
  if (rules.length === 0) {
    return {
      id,
      principle: 'security',
      status: 'PASS',
      summary: s.instanceSecurityGroups!.length
        ? "the instances' security groups admit no traffic from the world"
        : 'the instances carry no security group open to the world (none named)',
      evidence: [`instance groups: ${instanceGroupList(s)}`],
      fix: null,
    };
  }
  const first = rules[0];
  const allowAlb = albSg
    ? `aws ec2 authorize-security-group-ingress --group-id ${first.groupId} --protocol tcp --port ${port} --source-group ${albSg} && `
    : '';
  return {
    id,
    principle: 'security',
    status: 'FAIL',
    summary: `instances accept traffic from anywhere, not only from the load balancer's group: ${rules.map((r) => describeRule(r).replace(/ \(sg-[^)]*\)/, '')).join('; ')}`,
    evidence: [...rules.map(describeRule), `instance groups: ${instanceGroupList(s)}`],
    fix: `${allowAlb}${[...new Set(rules.map(revokeCommand))].join(' && ')}`,
  };
}

/**
 * SSH or RDP open to the world on the load balancer's groups, the instances'
 * groups or the launch template's (what a group at 0 instances launches with).
 * What was read and found open FAILs; a PASS needs every one of them read.
 */
export function checkAdminPorts(s: Snapshot): Check {
  const id = 'security.admin-ports';
  const rules = worldRules([...albGroups(s), ...instanceGroups(s)]);
  const open = ADMIN_PORTS.flatMap(({ port, name }) => rules.filter((r) => covers(r, port)).map((rule) => ({ name, port, rule })));
  if (open.length > 0) {
    return {
      id,
      principle: 'security',
      status: 'FAIL',
      summary: `${[...new Set(open.map((o) => `${o.name} (${o.port})`))].join(' and ')} open to the world on ${[...new Set(open.map((o) => o.rule.groupName))].join(', ')} (use Session Manager instead)`,
      evidence: open.map((o) => `${o.name}: ${describeRule(o.rule)}`),
      fix: `${[...new Set(open.map((o) => revokeCommand(o.rule)))].join(' && ')}`,
    };
  }
  const skip = skipUnless(s, id, 'security', 'SSH and RDP exposure', ['loadBalancerSecurityGroups', 'instanceSecurityGroups']);
  if (skip) return skip;
  const read = [...new Set([...(s.loadBalancer?.SecurityGroups ?? []), ...(s.instanceSecurityGroups ?? []).map((g) => g.id)])];
  return {
    id,
    principle: 'security',
    status: 'PASS',
    summary: `SSH (22) and RDP (3389) are not open to the world on the load balancer's or the instances' security groups (${read.length} read)`,
    evidence: [
      `load balancer groups: ${(s.loadBalancer?.SecurityGroups ?? []).join(', ') || 'none'}`,
      `instance groups: ${instanceGroupList(s)}`,
    ],
    fix: null,
  };
}

/** IMDSv1 lets any SSRF in the application read the instance role's credentials. */
export function checkImdsV2(s: Snapshot): Check {
  const skip = skipUnless(s, 'security.imdsv2', 'security', 'whether instances require IMDSv2', ['launchTemplate']);
  if (skip) return skip;
  const tokens = s.launchTemplate!.data.MetadataOptions?.HttpTokens ?? 'optional';
  const { id, version } = s.launchTemplate!;
  if (tokens === 'required') {
    return {
      id: 'security.imdsv2',
      principle: 'security',
      status: 'PASS',
      summary: `launch template ${id} version ${version} requires IMDSv2`,
      evidence: ['MetadataOptions.HttpTokens: required'],
      fix: null,
    };
  }
  const groupVersion = s.group?.LaunchTemplate?.Version;
  // The group must launch the new version: unless it follows $Latest, point it there.
  const follow =
    s.group?.AutoScalingGroupName && groupVersion !== '$Latest'
      ? ` && aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${s.group.AutoScalingGroupName} --launch-template 'LaunchTemplateId=${id},Version=$Latest'`
      : '';
  return {
    id: 'security.imdsv2',
    principle: 'security',
    status: 'WARN',
    summary: `launch template ${id} version ${version} does not require IMDSv2 (HttpTokens ${tokens}); running instances keep it until replaced`,
    evidence: [`MetadataOptions.HttpTokens: ${tokens}`, `group launches version ${groupVersion ?? '?'}`],
    fix: `aws ec2 create-launch-template-version --launch-template-id ${id} --source-version ${version} --launch-template-data '{"MetadataOptions":{"HttpTokens":"required","HttpEndpoint":"enabled"}}'${follow}`,
  };
}

/** Plain HTTP that does not send browsers to HTTPS. */
export function checkHttpRedirect(s: Snapshot): Check {
  const skip = skipUnless(s, 'security.http-redirect', 'security', 'whether HTTP redirects to HTTPS', ['listeners']);
  if (skip) return skip;
  const listeners = s.listeners!;
  const http = listeners.filter((l) => l.Protocol === 'HTTP');
  const plain = http.filter((l) => !(l.DefaultActions ?? []).some((a) => a.Type === 'redirect' && a.RedirectConfig?.Protocol === 'HTTPS'));
  if (plain.length === 0) {
    return {
      id: 'security.http-redirect',
      principle: 'security',
      status: 'PASS',
      summary: http.length ? 'every HTTP listener redirects to HTTPS' : 'no plain HTTP listener',
      evidence: listeners.map((l) => `${l.Protocol ?? '?'}:${l.Port ?? '?'}`),
      fix: null,
    };
  }
  const https = listeners.find((l) => l.Protocol === 'HTTPS');
  // A redirect is only a fix where HTTPS answers: without an HTTPS listener (and its certificate) it would take the site down.
  const fix = https
    ? plain
        .map(
          (l) =>
            `aws elbv2 modify-listener --listener-arn ${l.ListenerArn ?? '<listener-arn>'} --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=${https.Port ?? 443},StatusCode=HTTP_301}'`,
        )
        .join(' && ')
    : null;
  return {
    id: 'security.http-redirect',
    principle: 'security',
    status: 'WARN',
    summary: `HTTP listener${plain.length > 1 ? 's' : ''} on ${plain.map((l) => l.Port).join(', ')} ${plain.length > 1 ? 'serve' : 'serves'} plain HTTP with no redirect to HTTPS${https ? '' : ' (add an HTTPS listener with an ACM certificate first, then redirect HTTP to it)'}`,
    evidence: plain.map((l) => `${l.ListenerArn ?? '?'}: ${(l.DefaultActions ?? []).map((a) => a.Type).join(', ') || 'no action'}`),
    fix,
  };
}

export function securityChecks(s: Snapshot): Check[] {
  return [checkAlbWorldRules, checkOddListenerPorts, checkInstanceGroups, checkAdminPorts, checkImdsV2, checkHttpRedirect].map((f) => f(s));
}
