/**
 * Open files before the run. Every connection in flight is a file
 * descriptor; past the process's open-file limit (ulimit -n) connects fail
 * with EMFILE and, at tens of thousands of lanes, nothing completes at all.
 * So -c (the in-flight cap in --rate mode) plus what Node, the worker threads
 * and the observer hold is compared with the limit first, and a run that
 * cannot fit is refused with the `ulimit -n` to set.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** What Node itself holds (stdio, its event loop, DNS, the -g file, the observer's sockets...), with room to spare. */
const BASE_DESCRIPTORS = 64;
/** Each worker thread's own event loop (epoll, eventfd, pipes) and message ports. */
const PER_WORKER_DESCRIPTORS = 8;

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** The process's open-file limit, or null when it cannot be read (then abx does not guess). */
export function readOpenFileLimit(): OpenFileLimit | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const match = line ? /^Max open files\s+(\S+)\s+(\S+)/.exec(line) : null;
    if (match) return { soft: limitValue(match[1]), hard: limitValue(match[2]) };
  } catch {
    // Not Linux: ask a shell, which inherits this process's limits.
  }
  try {
    const soft = spawnSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8', timeout: 2000 });
    const [s, h] = soft.stdout.trim().split('\n');
    if (s && h) return { soft: limitValue(s), hard: limitValue(h) };
  } catch {
    // No shell: no check.
  }
  return null;
}

function limitValue(text: string): number {
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/** Descriptors a run needs: one per connection in flight, plus Node's and the workers'. */
export function descriptorsNeeded(concurrency: number, workers: number): number {
  return concurrency + BASE_DESCRIPTORS + PER_WORKER_DESCRIPTORS * workers;
}

/** Throws the one-line ConfigError when the run cannot fit in the limit. */
export function checkDescriptors(concurrency: number, workers: number, limit: OpenFileLimit | null): void {
  if (limit === null || !Number.isFinite(limit.soft)) return;
  const needed = descriptorsNeeded(concurrency, workers);
  if (needed <= limit.soft) return;
  const suggested = Math.ceil(needed / 1024) * 1024;
  const fits = Math.max(1, limit.soft - BASE_DESCRIPTORS - PER_WORKER_DESCRIPTORS * workers);
  if (suggested <= limit.hard) {
    throw new ConfigError(
      `-c ${concurrency} needs about ${needed} open files but the limit is ${limit.soft}: run \`ulimit -n ${suggested}\` in this shell first, or lower -c to ${fits}`,
    );
  }
  throw new ConfigError(
    `-c ${concurrency} needs about ${needed} open files but the limit is ${limit.soft} and the hard limit ${limit.hard}: lower -c to ${fits}, or raise the hard limit (limits.conf, LimitNOFILE=) and then \`ulimit -n ${suggested}\``,
  );
}
