/**
 * Flags → RunSettings. Every bad value becomes a one-line ConfigError here,
 * before anything is sent (the parser itself already refused unknown flags,
 * conflicting ones and values outside a flag's choices); the engine and
 * reporters never see raw flags.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { ConfigError } from '../errors.js';
import { checkPollIntervalMs, DEFAULT_POLL_INTERVAL_MS, wantsObservation } from '../observe/options.js';
import { parseAwsTargetFlags } from '../aws/target-flags.js';
import { decideWorkers, localAddresses } from '../engine/auto-workers.js';
import type { LoadConfig, ResolveOverride } from '../engine/config.js';
import type { AwsCredentials } from '../aws/clients.js';
import type { RecordedOptions } from '../stats/result.js';
import { parseAssertion, type Assertion } from '../stats/thresholds.js';
import { redactHeaderLines } from '../redact.js';
import type { RunFlags } from './run-flags.js';
import { urlPort } from '../url-port.js';
import {
  checkCredentials,
  checkCustomHeader,
  checkFieldValue,
  checkHeaderName,
  checkMethod,
  checkNoDuplicateHost,
  checkUrlText,
} from './request-checks.js';
import { readBodyFile } from './body-file.js';
import { checkDescriptors, readOpenFileLimit } from './descriptors.js';
import { probeOutputPath } from './output-paths.js';
import { parseDurationMs, parseInteger, parsePositiveNumber } from './parse.js';
import { parseLoadShape } from './load-shape.js';
import { parseAbortOn } from './abort-on.js';
import type { AbortOnSettings } from '../stats/abort-window.js';
import { shardShare } from '../engine/split.js';
import { parseShard, parseStartAt, type ShardSpec } from './shard.js';
import { checkS3ObjectUrl, isS3Url } from './s3-results.js';

/** The AWS flags the main command and `abx watch` share. */
export type AwsFlags = Partial<Pick<RunFlags, 'asg' | 'targetGroup' | 'region' | 'profile' | 'endpointUrl' | 'pollInterval'>>;

/**
 * The run's flags as commander hands them to the action, typed from their one
 * declaration (run-flags.ts). Any subset is valid: `abx demo` and tests build
 * them by hand, and a missing flag means its default.
 */
export type RawRunOptions = Partial<RunFlags>;

export interface OutputSettings {
  json: boolean;
  outPath: string | null;
  htmlPath: string | null;
  junitPath: string | null;
  /** -e: ab's percentile CSV. */
  percentileCsvPath: string | null;
  /** -g: ab's gnuplot TSV, one row per request, streamed. */
  gnuplotPath: string | null;
  quiet: boolean;
  verbosity: number;
  percentiles: boolean;
  confidence: boolean;
}

export interface ObserveSettings {
  asg?: string;
  targetGroupArn?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Explicit AWS credentials (`abx demo` passes the lab's); never from a flag. */
  credentials?: AwsCredentials;
  pollIntervalMs: number;
  /** Keep observing this long after the load ends; null = the default for the setup. */
  lingerMs: number | null;
  /** --no-observe */
  disabled: boolean;
  /** Observe this run: not disabled, and a group, target group or ALB URL to observe. */
  observing: boolean;
}

export interface RunSettings {
  load: LoadConfig;
  workers: number;
  /** Why that many: "4 workers: 4 cores, remote target" (the report prints it). */
  workersReason: string;
  output: OutputSettings;
  assertions: Assertion[];
  observe: ObserveSettings;
  /** The options as recorded in the Result: secrets redacted. */
  recorded: RecordedOptions;
  /** --abort-on: stop early when one of these holds over the sliding window; null when none. */
  abortOn: AbortOnSettings | null;
  /** --redact-header names: secret besides the built-in rule (src/redact.ts); pass them to every redact call. */
  redactHeaders: string[];
  /** --shard I/N: this process runs shard `index` of `count`; null for a whole run. */
  shard: ShardSpec | null;
  /** --start-at: wall-clock epoch ms to wait for before the first request; null = at once. */
  startAtMs: number | null;
}

const MAX_CONCURRENCY = 20_000;

export function buildRunSettings(rawUrl: string | undefined, raw: RawRunOptions): RunSettings {
  const url = parseTargetUrl(rawUrl);
  const resolve = raw.resolve ? parseResolve(raw.resolve) : null;
  // --stage/--ramp/--steps: --rate, if given, is only where the first stage starts.
  const stages = parseLoadShape(raw);
  const ratePerSec = stages === null && raw.rate !== undefined ? parsePositiveNumber('--rate', raw.rate) : null;
  const limitMs = raw.duration !== undefined ? parseDurationMs('-t/--duration', raw.duration, { bareUnit: 's' }) : null;
  // A shaped run lasts the sum of its stages; -t, if shorter, still ends it.
  const shapeMs = stages === null ? null : stages.reduce((total, stage) => total + stage.durationMs, 0);
  const durationMs = shapeMs === null ? limitMs : limitMs === null ? shapeMs : Math.min(limitMs, shapeMs);
  const drainMs = raw.drain !== undefined ? parseDurationMs('--drain', raw.drain, { bareUnit: 's', allowZero: true }) : 0;
  let requests = raw.requests !== undefined ? parseInteger('-n/--requests', raw.requests, { max: Number.MAX_SAFE_INTEGER }) : null;
  // ab's default is one request; -t alone runs for its time with no cap (ab silently caps at 50000).
  if (requests === null && durationMs === null) requests = 1;
  const concurrency =
    raw.concurrency !== undefined
      ? parseInteger('-c/--concurrency', raw.concurrency, { max: MAX_CONCURRENCY })
      : ratePerSec !== null || stages !== null
        ? 1000
        : 1;
  if (ratePerSec === null && stages === null && requests !== null && concurrency > requests) {
    throw new ConfigError(
      `-c ${concurrency} is greater than -n ${requests}: concurrency cannot exceed the number of requests (as in ab); lower -c or raise -n`,
    );
  }
  const shard = raw.shard !== undefined ? parseShard(raw.shard, process.env) : null;
  const startAtMs = raw.startAt !== undefined ? parseStartAt(raw.startAt, Date.now()) : null;
  const whole = { requests, concurrency };
  if (shard !== null) {
    if (requests !== null && requests < shard.count) {
      throw new ConfigError(`-n ${requests} is fewer than the ${shard.count} shards: every shard needs a request; raise -n`);
    }
    if (concurrency < shard.count) {
      throw new ConfigError(`-c ${concurrency} is less than the ${shard.count} shards: every shard needs a lane; raise -c`);
    }
    // This process's share; the schedule (--rate, stages) stays the whole run's, sliced by load.shard.
    const slice = { part: shard.index, parts: shard.count };
    whole.requests = requests === null ? null : shardShare(requests, slice);
    whole.concurrency = shardShare(concurrency, slice);
  }
  const timeoutMs = raw.timeout !== undefined ? parseDurationMs('-s/--timeout', raw.timeout, { bareUnit: 's' }) : 30_000;

  const { method, body } = methodAndBody(raw);
  const headers = buildHeaders(raw, url, body !== null);
  const insecure = raw.insecure === true;
  const load: LoadConfig = Object.freeze({
    url,
    method,
    headers,
    body,
    requests: whole.requests,
    durationMs,
    concurrency: whole.concurrency,
    ratePerSec,
    stages,
    drainMs,
    timeoutMs,
    keepAlive: raw.keepalive === true,
    insecure,
    proxy: raw.proxy ? parseProxy(raw.proxy, raw.proxyAuth) : null,
    resolve,
    variableLength: raw.variableLength === true,
    ...(shard !== null ? { shard: { part: shard.index, parts: shard.count } } : {}),
  });
  if (resolve && (resolve.host !== url.hostname.replace(/^\[|\]$/g, '') || resolve.port !== urlPort(url))) {
    throw new ConfigError(`--resolve ${raw.resolve} does not match the URL's host and port (${url.hostname}:${urlPort(url)})`);
  }

  const output: OutputSettings = {
    json: raw.json === true,
    // s3://bucket/key is written with the observer's region, profile and endpoint (s3-results.ts).
    outPath: raw.out ? (isS3Url(raw.out) ? (checkS3ObjectUrl('--out', raw.out), raw.out.trim()) : probeOutputPath('--out', raw.out)) : null,
    htmlPath: raw.html ? probeOutputPath('--html', raw.html) : null,
    junitPath: raw.junit ? probeOutputPath('--junit', raw.junit) : null,
    percentileCsvPath: raw.e ? probeOutputPath('-e', raw.e) : null,
    gnuplotPath: raw.g ? probeOutputPath('-g', raw.g, { streamed: true }) : null,
    quiet: raw.quiet === true,
    // The flag's choices (run-flags.ts) hold it to 0-5.
    verbosity: raw.verbosity !== undefined ? Number(raw.verbosity) : 0,
    percentiles: raw.d !== true,
    confidence: raw.S !== true,
  };

  const observe: ObserveSettings = {
    pollIntervalMs:
      raw.pollInterval !== undefined
        ? checkPollIntervalMs(parseDurationMs('--poll-interval', raw.pollInterval, { bareUnit: 's' }), raw.pollInterval)
        : DEFAULT_POLL_INTERVAL_MS,
    lingerMs: raw.linger !== undefined ? parseDurationMs('--linger', raw.linger, { bareUnit: 's', allowZero: true }) : null,
    disabled: raw.observe === false,
    observing: false,
  };
  Object.assign(observe, parseAwsTargetFlags(raw));

  observe.observing = !observe.disabled && wantsObservation({ asg: observe.asg, targetGroupArn: observe.targetGroupArn, url });
  const assertions = (raw.assert ?? []).map((expression) => parseAssertion(expression, { observing: observe.observing }));

  const redactHeaders = (raw.redactHeader ?? []).map((name) => checkHeaderName('--redact-header', name.trim()));
  const { workers, reason: workersReason } = decideWorkers({
    flag: parseWorkersFlag(raw.workers),
    config: load,
    cores: availableParallelism(),
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    addresses: resolve?.addresses ?? [],
    localAddresses: localAddresses(),
  });
  checkDescriptors(load.concurrency, workers, readOpenFileLimit());
  // A shard records its own share: `abx merge` adds the shards' up to the whole.
  const recorded: RecordedOptions = {
    requests: load.requests,
    concurrency: load.concurrency,
    durationMs,
    timeoutMs,
    keepAlive: load.keepAlive,
    headers: redactHeaderLines(headers, redactHeaders),
    ratePerSec,
    workers,
  };
  const abortOn = parseAbortOn(raw);
  return { load, workers, workersReason, output, assertions, observe, recorded, abortOn, redactHeaders, shard, startAtMs };
}

/**
 * --workers auto|N. More than twice the cores only adds threads that wait for
 * a core (and their memory), so it is refused rather than silently slower.
 */
function parseWorkersFlag(raw: string | undefined): 'auto' | number {
  if (raw === undefined || String(raw).trim().toLowerCase() === 'auto') return 'auto';
  if (!/^\s*\d+\s*$/.test(String(raw))) throw new ConfigError(`--workers must be auto or a whole number (got "${raw}")`);
  const workers = parseInteger('--workers', raw);
  const cores = availableParallelism();
  if (workers > 2 * cores) {
    throw new ConfigError(`--workers ${workers} is more than twice this machine's ${cores} cores: use at most ${2 * cores}, or auto`);
  }
  return workers;
}

export function parseTargetUrl(rawUrl: string | undefined): URL {
  if (!rawUrl) throw new ConfigError('missing URL: give one, e.g. abx -n 100 -c 10 http://127.0.0.1:8080/');
  checkUrlText(rawUrl);
  const text = rawUrl.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme) throw new ConfigError(`URL "${rawUrl}" has no scheme: write it as http://${text.replace(/^\/+/, '')}`);
  const protocol = scheme[1].toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') {
    throw new ConfigError(`unsupported URL scheme "${protocol}:" in "${rawUrl}": abx speaks http:// and https://`);
  }
  // WHATWG URL parsing skips extra slashes ("http:///path" → host "path"); curl and ab refuse it, so does abx.
  if (/^[a-z]+:\/\/[/?#]/i.test(text)) throw new ConfigError(`URL "${rawUrl}" has no host: write it as http://host[:port]/path`);
  // "http://::1:8080/": an IPv6 address needs brackets, or its colons read as a port.
  const ipv6 = bareIpv6(text);
  if (ipv6) throw new ConfigError(`write IPv6 as ${ipv6} (got "${rawUrl}")`);
  // The whole authority must match, so a colon in user:password@ is not read as the port's.
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?(?:[/?#]|$)/i.exec(text)?.[1];
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    const problem = /^\d+$/.test(port) ? 'is out of range' : 'is not a port number';
    throw new ConfigError(`port "${port}" in "${rawUrl}" ${problem}: use 1 to 65535`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`malformed URL "${rawUrl}": write it as http://host[:port]/path`);
  }
  if (!url.hostname) throw new ConfigError(`URL "${rawUrl}" has no host: write it as http://host[:port]/path`);
  return url;
}

/** "http://::1:8080/x" → "http://[::1]:8080/x"; null when the host is not a bare IPv6 address. */
function bareIpv6(text: string): string | null {
  const m = /^([a-z]+):\/\/([0-9a-f:.]+)([/?#].*)?$/i.exec(text);
  if (!m || (m[2].match(/:/g) ?? []).length < 2) return null;
  const [, scheme, host, rest = '/'] = m;
  // A last group of digits after a valid address is the port the user meant ("::1:8080" is ::1 port 8080).
  const cut = host.lastIndexOf(':');
  const port = host.slice(cut + 1);
  if (/^\d{1,5}$/.test(port) && isIP(host.slice(0, cut)) === 6) return `${scheme}://[${host.slice(0, cut)}]:${port}${rest}`;
  return isIP(host) === 6 ? `${scheme}://[${host}]${rest}` : null;
}

function methodAndBody(raw: RawRunOptions): { method: string; body: Buffer | null } {
  // -p, -u and -i exclude each other: the flags' declaration (run-flags.ts) refuses any two together.
  let method = raw.head ? 'HEAD' : raw.postFile ? 'POST' : raw.putFile ? 'PUT' : 'GET';
  let body: Buffer | null = null;
  const file = raw.postFile ?? raw.putFile;
  if (file) {
    const flag = raw.postFile ? '-p' : '-u';
    body = readBodyFile(flag, file);
  }
  if (raw.method !== undefined) {
    method = checkMethod(raw.method);
  }
  return { method, body };
}

function buildHeaders(raw: RawRunOptions, url: URL, hasBody: boolean): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const basic = (flag: string, value: string): string => `Basic ${Buffer.from(checkCredentials(flag, value)).toString('base64')}`;
  if (raw.auth !== undefined) headers.push(['Authorization', basic('-A', raw.auth)]);
  else if (url.username) {
    headers.push([
      'Authorization',
      `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`,
    ]);
  }
  url.username = '';
  url.password = '';
  // ab keeps only the last -C; abx sends them all in one Cookie header.
  if (raw.cookie?.length) headers.push(['Cookie', raw.cookie.map((c) => checkFieldValue('a -C cookie', c)).join('; ')]);
  if (hasBody) headers.push(['Content-Type', checkFieldValue('-T', raw.contentType ?? 'text/plain')]);
  for (const line of raw.header ?? []) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new ConfigError(`-H needs "Name: value" (got no colon)`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    checkCustomHeader(name, value);
    headers.push([name, value]);
  }
  checkNoDuplicateHost(headers);
  return headers;
}

function parseProxy(proxy: string, proxyAuth: string | undefined): { url: string; authorization: string | null } {
  const match = /^(?:http:\/\/)?([^:/\s]+|\[[0-9a-f:]+\]):(\d{1,5})\/?$/i.exec(proxy);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new ConfigError(`-X "${proxy}" must be proxy:port, e.g. -X 127.0.0.1:3128`);
  }
  let authorization: string | null = null;
  if (proxyAuth !== undefined) {
    authorization = `Basic ${Buffer.from(checkCredentials('-P', proxyAuth)).toString('base64')}`;
  }
  return { url: `http://${match[1]}:${match[2]}`, authorization };
}

/** curl's --resolve HOST:PORT:ADDR[,ADDR…] (an ADDR may be [::1]). */
export function parseResolve(text: string): ResolveOverride {
  const address = String.raw`(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+)`;
  const match = new RegExp(String.raw`^([^:\s]+):(\d{1,5}):(${address}(?:,${address})*)$`).exec(text.trim());
  if (!match)
    throw new ConfigError(
      `--resolve "${text}" must be HOST:PORT:ADDRESS[,ADDRESS...], e.g. my-alb-123.us-east-1.elb.amazonaws.com:80:127.0.0.1,127.0.0.2`,
    );
  const port = Number(match[2]);
  if (port < 1 || port > 65535) throw new ConfigError(`--resolve "${text}": port must be 1 to 65535`);
  const addresses = [...new Set(match[3].split(',').map((a) => a.replace(/^\[|\]$/g, '')))];
  for (const a of addresses) if (isIP(a) === 0) throw new ConfigError(`--resolve "${text}": ${a} is not an IPv4 or IPv6 address`);
  return { host: match[1], port, address: addresses[0], addresses };
}
