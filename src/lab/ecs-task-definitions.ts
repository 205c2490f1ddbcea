/**
 * The lab's ECS task definitions: registered revisions per family, looked up
 * by family (latest ACTIVE revision), `family:revision` or ARN, and checked
 * as ECS checks a Fargate task definition on registration (awsvpc, task-level
 * cpu and memory, one of Fargate's cpu/memory combinations), with ECS's own
 * messages, so a caller that passes the lab passes ECS.
 */
import { LAB_ACCOUNT_ID } from './ids.js';
import { ApiError } from './wire.js';

export interface KeyValuePair {
  name?: string;
  value?: string;
}

export interface Tag {
  key?: string;
  value?: string;
}

/** The members of a container definition the lab reads; the rest are kept as given. */
export interface ContainerDefinition {
  name: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  environment?: KeyValuePair[];
  essential?: boolean;
  /** Seconds between SIGTERM and SIGKILL when the task is stopped. */
  stopTimeout?: number;
  [member: string]: unknown;
}

/** A registered revision, in DescribeTaskDefinition's shape (timestamps as epoch seconds). */
export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containerDefinitions: ContainerDefinition[];
  status: 'ACTIVE';
  networkMode?: string;
  requiresCompatibilities?: string[];
  compatibilities: string[];
  cpu?: string;
  memory?: string;
  executionRoleArn?: string;
  taskRoleArn?: string;
  requiresAttributes: unknown[];
  registeredAt: number;
  [member: string]: unknown;
}

export interface RegisteredTaskDefinition {
  definition: TaskDefinition;
  tags: Tag[];
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let mib = from; mib <= to; mib += step) out.push(mib);
  return out;
}

/** Fargate's task sizes: the memory MiB allowed for each task cpu (units, 1024 = 1 vCPU). */
const FARGATE_SIZES: Record<string, number[]> = {
  '256': [512, 1024, 2048],
  '512': range(1024, 4096, 1024),
  '1024': range(2048, 8192, 1024),
  '2048': range(4096, 16384, 1024),
  '4096': range(8192, 30720, 1024),
  '8192': range(16384, 61440, 4096),
  '16384': range(32768, 122880, 8192),
};

function fargateSizeExists(cpu: string, memory: string): boolean {
  return FARGATE_SIZES[cpu]?.includes(Number(memory)) ?? false;
}

/** ECS takes "1 vCPU" and "2 GB" as well as units and MiB, and answers with units and MiB. */
function normaliseSize(value: unknown, unit: 'cpu' | 'memory'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new ApiError('ClientException', `Invalid '${unit}' value.`);
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)?$/i.exec(text);
  if (!m) throw new ApiError('ClientException', `Invalid '${unit}' value: ${text}.`);
  const n = Number(m[1]);
  if (m[2]?.toLowerCase() === 'vcpu') return String(Math.round(n * 1024));
  if (m[2]?.toLowerCase() === 'gb') return String(Math.round(n * 1024));
  return String(n);
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new ApiError('ClientException', `${name} must be a list of strings.`);
  return value;
}

function containerDefinitions(value: unknown): ContainerDefinition[] {
  if (!Array.isArray(value) || value.length === 0) throw new ApiError('ClientException', 'Container list cannot be empty.');
  const names = new Set<string>();
  const out = value.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) throw new ApiError('ClientException', 'Container definition must be an object.');
    const c = raw as Record<string, unknown>;
    const { name, image } = c;
    if (typeof name !== 'string' || name === '') throw new ApiError('ClientException', 'Container.name should not be null or empty.');
    if (typeof image !== 'string' || image === '') throw new ApiError('ClientException', 'Container.image should not be null or empty.');
    if (names.has(name)) throw new ApiError('ClientException', `Duplicate container name: ${name}.`);
    names.add(name);
    stringList(c.command, 'command');
    stringList(c.entryPoint, 'entryPoint');
    if (c.stopTimeout !== undefined && (typeof c.stopTimeout !== 'number' || !Number.isInteger(c.stopTimeout) || c.stopTimeout < 0))
      throw new ApiError('ClientException', 'stopTimeout must be a whole number of seconds.');
    // ECS fills these in, so a described definition has them.
    const container: ContainerDefinition = { essential: true, environment: [], ...c, name, image };
    return container;
  });
  if (!out.some((c) => c.essential !== false))
    throw new ApiError('ClientException', 'A task definition must have at least one essential container.');
  return out;
}

export class TaskDefinitionStore {
  private readonly families = new Map<string, RegisteredTaskDefinition[]>();

  constructor(private readonly region: string) {}

  /** RegisterTaskDefinition: the next revision of the family, or a ClientException saying what ECS would refuse. */
  register(input: Record<string, unknown>, nowMs: number): RegisteredTaskDefinition {
    const family = input.family;
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family))
      throw new ApiError(
        'ClientException',
        'Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
      );
    const containers = containerDefinitions(input.containerDefinitions);
    const requiresCompatibilities = stringList(input.requiresCompatibilities, 'requiresCompatibilities');
    const networkMode = typeof input.networkMode === 'string' ? input.networkMode : undefined;
    const cpu = normaliseSize(input.cpu, 'cpu');
    const memory = normaliseSize(input.memory, 'memory');
    if (requiresCompatibilities?.includes('FARGATE')) {
      if (networkMode !== 'awsvpc') throw new ApiError('ClientException', "Fargate only supports network mode 'awsvpc'.");
      if (cpu === undefined) throw new ApiError('ClientException', "Fargate requires that 'cpu' be defined at the task level.");
      if (memory === undefined) throw new ApiError('ClientException', "Fargate requires that 'memory' be defined at the task level.");
      if (!fargateSizeExists(cpu, memory))
        throw new ApiError('ClientException', `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`);
    }
    const tags = Array.isArray(input.tags) ? (input.tags as Tag[]) : [];
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    // Everything given is kept (volumes, runtimePlatform...), then ECS's own members.
    const { tags: _tags, ...given } = input;
    void _tags;
    const definition: TaskDefinition = {
      ...given,
      family,
      containerDefinitions: containers,
      ...(networkMode !== undefined ? { networkMode } : {}),
      ...(cpu !== undefined ? { cpu } : {}),
      ...(memory !== undefined ? { memory } : {}),
      taskDefinitionArn: `arn:aws:ecs:${this.region}:${LAB_ACCOUNT_ID}:task-definition/${family}:${revision}`,
      revision,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [],
      registeredAt: nowMs / 1000,
    };
    const registered = { definition, tags };
    revisions.push(registered);
    this.families.set(family, revisions);
    return registered;
  }

  /** A task definition named by family (latest revision), `family:revision` or ARN; undefined when none. */
  find(ref: string): RegisteredTaskDefinition | undefined {
    const arn = /^arn:aws[\w-]*:ecs:[^:]*:\d*:task-definition\/(.+)$/.exec(ref);
    const name = arn ? arn[1] : ref;
    const m = /^([A-Za-z0-9_-]+)(?::(\d+))?$/.exec(name);
    if (!m) return undefined;
    const revisions = this.families.get(m[1]);
    if (!revisions || revisions.length === 0) return undefined;
    if (m[2] === undefined) return revisions[revisions.length - 1];
    return revisions[Number(m[2]) - 1];
  }
}
