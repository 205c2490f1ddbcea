/**
 * EC2 (the EC2 Query protocol, Version 2016-11-15) over the simulation,
 * enough for the lab's steps: DescribeInstances, DescribeSecurityGroups,
 * AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress,
 * DescribeLaunchTemplates, DescribeLaunchTemplateVersions,
 * CreateLaunchTemplateVersion, DescribeSubnets, DescribeAvailabilityZones,
 * TerminateInstances, StopInstances.
 *
 * EC2's wire differs from the other Query services: lists are `Name.N`
 * (no `.member.`), the XML uses lower-camel names with `<item>` lists and
 * the result members sit directly in `<OpResponse>`.
 */
import type { Simulation } from './simulation.js';
import type { QueryHandler } from './query-handler.js';
import type { Ec2State, Instance } from './group.js';
import type { IngressRule, Permission, SecurityGroup } from './network.js';
import type { TemplateVersion } from './launch-template.js';
import { LAB_ACCOUNT_ID } from './ids.js';
import { ApiError, indexedList, isoTime, items, queryTree, type QueryTree, type XmlObject } from './wire.js';

const STATE_CODES: Record<Ec2State, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function stateXml(state: Ec2State): XmlObject {
  return { code: STATE_CODES[state], name: state };
}

interface Filter {
  name: string;
  values: string[];
}

function filters(params: URLSearchParams): Filter[] {
  const tree = queryTree(params).Filter;
  if (tree === undefined) return [];
  if (!Array.isArray(tree)) throw new ApiError('InvalidParameterValue', 'Filter must be a list: Filter.1.Name, Filter.1.Value.1');
  return tree.map((f) => {
    const o = typeof f === 'object' && !Array.isArray(f) ? f : {};
    const values = Array.isArray(o.Value) ? o.Value.map(String) : typeof o.Value === 'string' ? [o.Value] : [];
    return { name: typeof o.Name === 'string' ? o.Name : '', values };
  });
}

/** Keeps the items every filter matches; a filter name the lab does not know is an error, as on EC2. */
function applyFilters<T>(list: T[], given: Filter[], fields: Record<string, (item: T) => string[]>): T[] {
  for (const f of given) if (!(f.name in fields)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  const glob = (pattern: string): RegExp =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
  return list.filter((item) =>
    given.every((f) => {
      const have = fields[f.name](item);
      return f.values.some((v) => have.some((h) => glob(v).test(h)));
    }),
  );
}

function allInstances(sim: Simulation): Instance[] {
  return [...sim.terminated, ...sim.group.instances];
}

/** A stable private address per instance, inside its zone's subnet (10.0.1.0/24, 10.0.2.0/24...). */
function privateIp(sim: Simulation, i: Instance): string {
  const zone = Object.keys(sim.names.subnetIds).indexOf(i.availabilityZone) + 1;
  const host = (parseInt(i.instanceId.slice(-4), 16) % 250) + 4;
  return `10.0.${zone}.${host}`;
}

function tagsOf(sim: Simulation, i: Instance): [string, string][] {
  return [
    ['Name', `${sim.names.asgName.replace(/-asg$/, '')}-instance`],
    ['aws:autoscaling:groupName', sim.names.asgName],
    ['aws:ec2launchtemplate:id', sim.names.launchTemplateId],
    ['aws:ec2launchtemplate:version', i.launchTemplateVersion],
  ];
}

function describeInstances(sim: Simulation, params: URLSearchParams): XmlObject {
  const ids = indexedList(params, 'InstanceId');
  const known = allInstances(sim);
  const missing = ids.find((id) => !known.some((i) => i.instanceId === id));
  if (missing) throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
  const n = sim.names;
  const selected = applyFilters(
    known.filter((i) => ids.length === 0 || ids.includes(i.instanceId)),
    filters(params),
    {
      'instance-id': (i) => [i.instanceId],
      'instance-state-name': (i) => [i.ec2State],
      'instance-type': (i) => [i.instanceType],
      'availability-zone': (i) => [i.availabilityZone],
      'subnet-id': (i) => [n.subnetIds[i.availabilityZone] ?? ''],
      'vpc-id': () => [n.vpcId],
      'instance.group-id': () => [n.instanceSecurityGroupId],
      'instance.group-name': () => [n.instanceSecurityGroupName],
      'tag:aws:autoscaling:groupName': () => [n.asgName],
      'tag:Name': (i) => [tagsOf(sim, i)[0][1]],
      'tag-key': (i) => tagsOf(sim, i).map(([k]) => k),
    },
  );
  return {
    reservationSet: items(
      selected.map((i) => ({
        reservationId: `r-0${i.instanceId.slice(3)}`,
        ownerId: LAB_ACCOUNT_ID,
        requesterId: '940372691376',
        groupSet: undefined,
        instancesSet: {
          item: {
            instanceId: i.instanceId,
            imageId: n.imageId,
            instanceState: stateXml(i.ec2State),
            privateDnsName: i.ec2State === 'terminated' ? '' : `ip-${privateIp(sim, i).replace(/\./g, '-')}.ec2.internal`,
            instanceType: i.instanceType,
            launchTime: isoTime(i.launchedAtMs),
            placement: { availabilityZone: i.availabilityZone, tenancy: 'default' },
            monitoring: { state: 'disabled' },
            subnetId: i.ec2State === 'terminated' ? undefined : n.subnetIds[i.availabilityZone],
            vpcId: i.ec2State === 'terminated' ? undefined : n.vpcId,
            privateIpAddress: i.ec2State === 'terminated' ? undefined : privateIp(sim, i),
            groupSet: items(
              i.ec2State === 'terminated' ? [] : [{ groupId: n.instanceSecurityGroupId, groupName: n.instanceSecurityGroupName }],
            ),
            architecture: 'x86_64',
            rootDeviceType: 'ebs',
            tagSet: items(tagsOf(sim, i).map(([key, value]) => ({ key, value }))),
          },
        },
      })),
    ),
  };
}

/** Rules grouped as EC2 shows them: one permission per protocol and port range, its sources listed inside. */
function permissionsXml(rules: IngressRule[]): XmlObject | undefined {
  const grouped = new Map<string, IngressRule[]>();
  for (const r of rules) {
    const key = `${r.ipProtocol}/${r.fromPort}/${r.toPort}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r]);
  }
  return items(
    [...grouped.values()].map((group) => {
      const r = group[0];
      const all = r.ipProtocol === '-1';
      return {
        ipProtocol: r.ipProtocol,
        fromPort: all ? undefined : r.fromPort,
        toPort: all ? undefined : r.toPort,
        groups: items(
          group
            .filter((g) => g.sourceGroupId)
            .map((g) => ({ userId: LAB_ACCOUNT_ID, groupId: g.sourceGroupId, description: g.description })),
        ),
        ipRanges: items(group.filter((g) => g.cidrIp).map((g) => ({ cidrIp: g.cidrIp, description: g.description }))),
      };
    }),
  );
}

function securityGroupXml(g: SecurityGroup): XmlObject {
  return {
    ownerId: LAB_ACCOUNT_ID,
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    ipPermissions: permissionsXml(g.ingress),
    ipPermissionsEgress: { item: { ipProtocol: '-1', ipRanges: { item: { cidrIp: '0.0.0.0/0' } } } },
  };
}

function describeSecurityGroups(sim: Simulation, params: URLSearchParams): XmlObject {
  const ids = indexedList(params, 'GroupId');
  const names = indexedList(params, 'GroupName');
  for (const id of ids) sim.network.group(id);
  for (const name of names) sim.network.group(name, true);
  const selected = applyFilters(
    sim.network.groups.filter((g) => (ids.length === 0 && names.length === 0) || ids.includes(g.groupId) || names.includes(g.groupName)),
    filters(params),
    {
      'group-id': (g) => [g.groupId],
      'group-name': (g) => [g.groupName],
      'vpc-id': (g) => [g.vpcId],
    },
  );
  return { securityGroupInfo: items(selected.map(securityGroupXml)) };
}

function text(tree: QueryTree | undefined): string | undefined {
  return typeof tree === 'string' ? tree : undefined;
}

function asList(tree: QueryTree | undefined): QueryTree[] {
  return tree === undefined ? [] : Array.isArray(tree) ? tree : [tree];
}

function port(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < -1 || value > 65535)
    throw new ApiError('InvalidParameterValue', `Invalid value '${raw ?? ''}' for ${name}. You must specify a port from 0 to 65535.`);
  return value;
}

function protocolOf(raw: string | undefined): string {
  const p = (raw ?? '').toLowerCase();
  if (p === '-1' || p === 'all') return '-1';
  if (p === 'tcp' || p === '6') return 'tcp';
  if (p === 'udp' || p === '17') return 'udp';
  if (p === 'icmp' || p === '1') return 'icmp';
  throw new ApiError('InvalidParameterValue', `Invalid value '${raw ?? ''}' for IP protocol. Unknown protocol.`);
}

/**
 * The permissions of an Authorize/Revoke call, from `IpPermissions.N.*`
 * (what the SDK and `--ip-permissions` send) or from the flat
 * IpProtocol/FromPort/ToPort/CidrIp/SourceSecurityGroupName members.
 */
function permissionsOf(sim: Simulation, params: URLSearchParams): Permission[] {
  const tree = queryTree(params);
  const out: Permission[] = [];
  const add = (
    protocolRaw: string | undefined,
    fromRaw: string | undefined,
    toRaw: string | undefined,
    source: Partial<Permission>,
  ): void => {
    const ipProtocol = protocolOf(protocolRaw);
    const all = ipProtocol === '-1';
    const fromPort = all ? -1 : port(fromRaw, 'fromPort');
    const toPort = all ? -1 : port(toRaw, 'toPort');
    if (fromPort > toPort)
      throw new ApiError('InvalidParameterValue', `Invalid port range: from port ${fromPort} is above to port ${toPort}.`);
    out.push({ ipProtocol, fromPort, toPort, ...source });
  };
  for (const p of asList(tree.IpPermissions)) {
    if (typeof p !== 'object' || Array.isArray(p)) continue;
    const proto = text(p.IpProtocol);
    for (const r of asList(p.IpRanges))
      if (typeof r === 'object' && !Array.isArray(r))
        add(proto, text(p.FromPort), text(p.ToPort), {
          cidrIp: text(r.CidrIp),
          ...(text(r.Description) ? { description: text(r.Description) } : {}),
        });
    for (const g of asList(p.Groups)) {
      if (typeof g !== 'object' || Array.isArray(g)) continue;
      const id = text(g.GroupId) ?? (text(g.GroupName) ? sim.network.group(text(g.GroupName)!, true).groupId : undefined);
      if (!id) throw new ApiError('MissingParameter', 'A source security group needs GroupId or GroupName.');
      add(proto, text(p.FromPort), text(p.ToPort), { sourceGroupId: id });
    }
  }
  const flatProto = params.get('IpProtocol');
  if (flatProto !== null) {
    const cidr = params.get('CidrIp');
    const sourceName = params.get('SourceSecurityGroupName');
    if (cidr !== null) add(flatProto, params.get('FromPort') ?? undefined, params.get('ToPort') ?? undefined, { cidrIp: cidr });
    if (sourceName !== null)
      add(flatProto, params.get('FromPort') ?? undefined, params.get('ToPort') ?? undefined, {
        sourceGroupId: sim.network.group(sourceName, true).groupId,
      });
  }
  if (out.length === 0) throw new ApiError('MissingParameter', 'No permissions given: use IpPermissions or IpProtocol with CidrIp.');
  return out;
}

function targetGroupId(sim: Simulation, params: URLSearchParams): string {
  const id = params.get('GroupId');
  const name = params.get('GroupName');
  if (id !== null) return sim.network.group(id).groupId;
  if (name !== null) return sim.network.group(name, true).groupId;
  throw new ApiError('MissingParameter', 'The request must contain the parameter groupId or groupName');
}

function authorizeSecurityGroupIngress(sim: Simulation, params: URLSearchParams): XmlObject {
  const groupId = targetGroupId(sim, params);
  const added = sim.network.authorize(groupId, permissionsOf(sim, params));
  return {
    return: true,
    securityGroupRuleSet: items(
      added.map((r) => ({
        securityGroupRuleId: r.ruleId,
        groupId,
        groupOwnerId: LAB_ACCOUNT_ID,
        isEgress: false,
        ipProtocol: r.ipProtocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        cidrIpv4: r.cidrIp,
        referencedGroupInfo: r.sourceGroupId ? { groupId: r.sourceGroupId, userId: LAB_ACCOUNT_ID } : undefined,
        description: r.description,
      })),
    ),
  };
}

function revokeSecurityGroupIngress(sim: Simulation, params: URLSearchParams): XmlObject {
  sim.network.revoke(targetGroupId(sim, params), permissionsOf(sim, params));
  return { return: true };
}

/** The lab's one launch template, by id or name (both optional for the Describe calls). */
function requireTemplate(sim: Simulation, params: URLSearchParams, required: boolean): void {
  const id = params.get('LaunchTemplateId');
  const name = params.get('LaunchTemplateName');
  const t = sim.launchTemplate;
  if (id !== null && id !== t.launchTemplateId)
    throw new ApiError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
  if (name !== null && name !== t.launchTemplateName)
    throw new ApiError(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${name}, does not exist.`,
    );
  if (required && id === null && name === null)
    throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplateId or LaunchTemplateName');
}

function versionXml(sim: Simulation, v: TemplateVersion): XmlObject {
  const t = sim.launchTemplate;
  return {
    launchTemplateId: t.launchTemplateId,
    launchTemplateName: t.launchTemplateName,
    versionNumber: v.versionNumber,
    versionDescription: v.description,
    createTime: isoTime(v.createdAtMs),
    createdBy: `arn:aws:iam::${LAB_ACCOUNT_ID}:user/abx-lab`,
    defaultVersion: v.versionNumber === t.defaultVersion,
    launchTemplateData: {
      imageId: v.imageId,
      instanceType: v.instanceType,
      securityGroupIdSet: items(v.securityGroupIds),
      ...(v.httpTokens ? { metadataOptions: { httpTokens: v.httpTokens, httpEndpoint: 'enabled' } } : {}),
    },
  };
}

function describeLaunchTemplates(sim: Simulation, params: URLSearchParams): XmlObject {
  const t = sim.launchTemplate;
  const ids = indexedList(params, 'LaunchTemplateId');
  const names = indexedList(params, 'LaunchTemplateName');
  const missingId = ids.find((id) => id !== t.launchTemplateId);
  if (missingId)
    throw new ApiError('InvalidLaunchTemplateId.NotFound', `At least one of the launch templates specified in the request does not exist.`);
  const missingName = names.find((x) => x !== t.launchTemplateName);
  if (missingName)
    throw new ApiError(
      'InvalidLaunchTemplateName.NotFoundException',
      `At least one of the launch templates specified in the request does not exist.`,
    );
  const selected = applyFilters([t], filters(params), { 'launch-template-name': (x) => [x.launchTemplateName] });
  return {
    launchTemplates: items(
      selected.map((x) => ({
        launchTemplateId: x.launchTemplateId,
        launchTemplateName: x.launchTemplateName,
        createTime: isoTime(x.versions[0].createdAtMs),
        createdBy: `arn:aws:iam::${LAB_ACCOUNT_ID}:user/abx-lab`,
        defaultVersionNumber: x.defaultVersion,
        latestVersionNumber: x.latestVersion,
      })),
    ),
  };
}

function describeLaunchTemplateVersions(sim: Simulation, params: URLSearchParams): XmlObject {
  requireTemplate(sim, params, true);
  const asked = indexedList(params, 'LaunchTemplateVersion');
  const versions = asked.length === 0 ? [...sim.launchTemplate.versions].reverse() : asked.map((v) => sim.launchTemplate.resolve(v));
  return { launchTemplateVersionSet: items(versions.map((v) => versionXml(sim, v))) };
}

function createLaunchTemplateVersion(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  requireTemplate(sim, params, true);
  const data = queryTree(params).LaunchTemplateData;
  const o = typeof data === 'object' && !Array.isArray(data) ? data : {};
  const groups = asList(o.SecurityGroupId).map(String);
  const metadata = typeof o.MetadataOptions === 'object' && !Array.isArray(o.MetadataOptions) ? o.MetadataOptions : {};
  const tokens = text(metadata.HttpTokens);
  if (tokens !== undefined && tokens !== 'required' && tokens !== 'optional')
    throw new ApiError('InvalidParameterValue', `Invalid value '${tokens}' for HttpTokens: use required or optional`);
  const version = sim.launchTemplate.createVersion(
    params.get('SourceVersion') ?? undefined,
    {
      ...(text(o.InstanceType) !== undefined ? { instanceType: text(o.InstanceType) } : {}),
      ...(text(o.ImageId) !== undefined ? { imageId: text(o.ImageId) } : {}),
      ...(groups.length > 0 ? { securityGroupIds: groups } : {}),
      ...(tokens !== undefined ? { httpTokens: tokens } : {}),
    },
    params.get('VersionDescription') ?? undefined,
    nowMs,
  );
  return { launchTemplateVersion: versionXml(sim, version) };
}

function describeSubnets(sim: Simulation, params: URLSearchParams): XmlObject {
  const ids = indexedList(params, 'SubnetId');
  const n = sim.names;
  const all = Object.entries(n.subnetIds).map(([zone, subnetId], index) => ({ zone, subnetId, index }));
  const missing = ids.find((id) => !all.some((s) => s.subnetId === id));
  if (missing) throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${missing}' does not exist`);
  const selected = applyFilters(
    all.filter((s) => ids.length === 0 || ids.includes(s.subnetId)),
    filters(params),
    {
      'subnet-id': (s) => [s.subnetId],
      'availability-zone': (s) => [s.zone],
      'vpc-id': () => [n.vpcId],
    },
  );
  return {
    subnetSet: items(
      selected.map((s) => ({
        subnetId: s.subnetId,
        subnetArn: `arn:aws:ec2:${n.region}:${LAB_ACCOUNT_ID}:subnet/${s.subnetId}`,
        state: 'available',
        vpcId: n.vpcId,
        ownerId: LAB_ACCOUNT_ID,
        cidrBlock: `10.0.${s.index + 1}.0/24`,
        availableIpAddressCount: 250,
        availabilityZone: s.zone,
        availabilityZoneId: `use1-az${s.index + 1}`,
        defaultForAz: false,
        mapPublicIpOnLaunch: true,
      })),
    ),
  };
}

function describeAvailabilityZones(sim: Simulation, params: URLSearchParams, nowMs: number): XmlObject {
  const names = indexedList(params, 'ZoneName');
  const zones = Object.keys(sim.names.subnetIds).map((zone, index) => ({ zone, index, down: sim.zoneDown(zone, nowMs) }));
  const selected = applyFilters(
    zones.filter((z) => names.length === 0 || names.includes(z.zone)),
    filters(params),
    {
      'zone-name': (z) => [z.zone],
      state: (z) => [z.down ? 'impaired' : 'available'],
      'region-name': () => [sim.names.region],
    },
  );
  return {
    availabilityZoneInfo: items(
      selected.map((z) => ({
        zoneName: z.zone,
        zoneState: z.down ? 'impaired' : 'available',
        regionName: sim.names.region,
        zoneId: `use1-az${z.index + 1}`,
        optInStatus: 'opt-in-not-required',
        zoneType: 'availability-zone',
        groupName: sim.names.region,
        networkBorderGroup: sim.names.region,
        messageSet: items(z.down ? [{ message: 'The lab has taken this Availability Zone down (--az-outage).' }] : []),
      })),
    ),
  };
}

/**
 * TerminateInstances / StopInstances on group instances: the instance
 * fails EC2's health check, so Auto Scaling takes it out of service and
 * launches a replacement (in the next advance), as it does on AWS.
 */
function changeState(sim: Simulation, params: URLSearchParams, to: 'shutting-down' | 'stopped', nowMs: number): XmlObject {
  const ids = indexedList(params, 'InstanceId');
  if (ids.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter InstanceId');
  const known = allInstances(sim);
  const missing = ids.find((id) => !known.some((i) => i.instanceId === id));
  if (missing) throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
  const changes = ids.map((id) => {
    const i = known.find((x) => x.instanceId === id)!;
    const previous = i.ec2State;
    const gone = previous === 'terminated' || previous === 'shutting-down';
    // The lab skips the short 'stopping' phase: the instance is stopped at once, and reported as stopping, as EC2 answers.
    if (!gone) i.ec2State = to;
    const current: Ec2State = gone ? previous : to === 'stopped' ? 'stopping' : to;
    return { instanceId: id, currentState: stateXml(current), previousState: stateXml(previous) };
  });
  sim.advance(nowMs);
  return { instancesSet: items(changes) };
}

export const EC2_OPERATIONS: Record<string, QueryHandler> = {
  DescribeInstances: describeInstances,
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  DescribeSubnets: describeSubnets,
  DescribeAvailabilityZones: describeAvailabilityZones,
  TerminateInstances: (sim, params, nowMs) => changeState(sim, params, 'shutting-down', nowMs),
  StopInstances: (sim, params, nowMs) => changeState(sim, params, 'stopped', nowMs),
};
