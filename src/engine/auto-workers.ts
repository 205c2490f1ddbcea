/**
 * --workers auto: how many event loops generate load. Against a remote
 * target every core is abx's; against this machine (loopback or one of its
 * own interface addresses) the server needs a core too, so abx takes
 * cores − 1, at least one. Pure: the caller supplies the cores, the target's
 * addresses and the machine's own addresses, so it is tested without sending
 * anything anywhere.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { LoadConfig } from './config.js';
import { workerCount } from './split.js';

export interface WorkerDecision {
  workers: number;
  /** For the report header: "4 workers: 4 cores, remote target". */
  reason: string;
}

export interface AutoWorkersInput {
  /** Usable cores (os.availableParallelism()). */
  cores: number;
  /** The URL's host name or IP literal (brackets removed). */
  hostname: string;
  /** What the name resolved to (or --resolve's addresses); empty when unknown. */
  addresses: readonly string[];
  /** This machine's interface addresses (localAddresses()). */
  localAddresses: ReadonlySet<string>;
}

export function autoWorkers({ cores, hostname, addresses, localAddresses }: AutoWorkersInput): WorkerDecision {
  const usable = Math.max(1, Math.floor(cores));
  const candidates = isIP(hostname) !== 0 ? [hostname] : addresses;
  const local =
    isLocalName(hostname) || (candidates.length > 0 && candidates.every((a) => isLoopback(a) || localAddresses.has(normalise(a))));
  const workers = local ? Math.max(1, usable - 1) : usable;
  // Short: the reason is printed after "Workers:" in an 80-column report.
  const where = local ? 'local target' : 'remote target';
  return { workers, reason: `${workers} ${workers === 1 ? 'worker' : 'workers'}: ${usable} ${usable === 1 ? 'core' : 'cores'}, ${where}` };
}

export interface WorkersInput extends AutoWorkersInput {
  /** --workers: "auto" or a count the caller has checked. */
  flag: 'auto' | number;
  /** The load, for its lanes: never more workers than -c or -n allow. */
  config: Pick<LoadConfig, 'concurrency' | 'requests'>;
}

/**
 * The run's worker count and the reason the report prints: --workers N as
 * given, or auto's choice; then never more workers than lanes (each worker
 * needs at least one request in flight), which the reason names.
 */
export function decideWorkers(input: WorkersInput): WorkerDecision {
  const { flag, config, cores } = input;
  const usable = Math.max(1, Math.floor(cores));
  const wanted = flag === 'auto' ? autoWorkers(input) : { workers: flag, reason: '' };
  const workers = workerCount(wanted.workers, config);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const base = flag === 'auto' ? wanted.reason.replace(/^[^:]*: /, '') : `--workers ${flag}, ${plural(usable, 'core')}`;
  const lanes = config.requests !== null && config.requests < config.concurrency ? `-n ${config.requests}` : `-c ${config.concurrency}`;
  return { workers, reason: `${plural(workers, 'worker')}: ${base}${workers < wanted.workers ? `, ${lanes}` : ''}` };
}

/** Every address of this machine's interfaces, loopback included. */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) out.add(normalise(info.address));
  return out;
}

function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function isLoopback(address: string): boolean {
  const a = normalise(address);
  if (isIP(a) === 4) return a.startsWith('127.') || a === '0.0.0.0';
  return a === '::1' || a === '::' || /^::ffff:127\./.test(a);
}

/** Lower case, no brackets, no IPv6 zone ("fe80::1%eth0" → "fe80::1"). */
function normalise(address: string): string {
  return address
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
}
