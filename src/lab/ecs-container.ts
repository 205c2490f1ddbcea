/**
 * The lab's "container": a local process of this checkout's abx, started
 * with the environment a Fargate task of abx would have (the lab as its VPC
 * endpoint and task role), and nothing else from the lab's own process, so a
 * task cannot pick up the lab's NODE_OPTIONS or the developer's AWS profile.
 * Its stdout and stderr are kept (the last 64 KiB of each), as CloudWatch
 * Logs would keep a real task's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { KeyValuePair } from './ecs-task-definitions.js';

/** How much of each stream a task keeps: enough for abx's report and its errors. */
export const OUTPUT_TAIL_BYTES = 64 << 10;

/** bin/abx.js of this checkout: two levels up from src/lab (vitest) and from dist/lab (built). */
export const ABX_BIN = fileURLToPath(new URL('../../bin/abx.js', import.meta.url));

/** The last `limit` bytes written to a stream. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly limit = OUTPUT_TAIL_BYTES) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > this.limit * 2) this.compact();
  }

  text(): string {
    this.compact();
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private compact(): void {
    if (this.bytes <= this.limit) return;
    const all = Buffer.concat(this.chunks);
    const kept = all.subarray(all.length - this.limit);
    this.chunks = [kept];
    this.bytes = kept.length;
  }
}

export interface TaskEndpoint {
  /** The lab's AWS endpoint, 'http://127.0.0.1:<apiPort>'. */
  apiUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * A task's environment: PATH and HOME from the lab's process, then what the
 * task role and a VPC endpoint give a real task, then the container
 * definition's variables, then the override's (later wins, as in ECS).
 */
export function taskEnvironment(endpoint: TaskEndpoint, ...lists: Array<KeyValuePair[] | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL: endpoint.apiUrl,
    AWS_REGION: endpoint.region,
    AWS_DEFAULT_REGION: endpoint.region,
    AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  });
  for (const list of lists) for (const pair of list ?? []) if (typeof pair.name === 'string') env[pair.name] = pair.value ?? '';
  return env;
}

/** Starts abx with `args`; the caller listens for 'spawn', 'error' and 'close'. */
export function startContainer(args: readonly string[], env: Record<string, string>, stdout: OutputTail, stderr: OutputTail): ChildProcess {
  const child = spawn(process.execPath, [ABX_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return child;
}

/** The exit code a container runtime reports for a process a signal ended (128 + the signal's number). */
export function signalExitCode(signal: NodeJS.Signals | null): number | undefined {
  if (signal === null) return undefined;
  return 128 + (constants.signals[signal] ?? 0);
}
