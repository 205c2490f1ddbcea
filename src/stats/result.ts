/**
 * The Result: everything a run measured, JSON-serialisable and versioned.
 *
 * Every reporter is a pure function of a Result, `abx report` re-renders one
 * from a file, and `abx merge` folds several into one. The JSON Schema in
 * schema/result.schema.json describes exactly this shape; change both together
 * and bump RESULT_SCHEMA when a reader of the old shape would misread the new.
 */

export const RESULT_SCHEMA = 'abx.result/v1' as const;

/** Latency summary in milliseconds (fractional, microsecond resolution). */
export interface LatencySummaryMs {
  min: number;
  mean: number;
  /** Population standard deviation of the recorded values. */
  stdev: number;
  p50: number;
  p66: number;
  p75: number;
  p80: number;
  p90: number;
  p95: number;
  p98: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** One row of ab's "Connection Times (ms)" table. */
export interface PhaseSummaryMs {
  min: number;
  mean: number;
  /** Sample standard deviation (n-1), as ab prints it. */
  sd: number;
  median: number;
  max: number;
}

/** One second of the run, counted from the run's start (second 0 = first second). */
export interface TimelineBucket {
  second: number;
  /** Responses fully received in this second (any status). */
  completed: number;
  /** Failed requests (connect, receive, length, exceptions, timeouts) that ended in this second. */
  errors: number;
  non2xx: number;
  /** Bytes received (headers + body) in this second. */
  bytes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** This second's latency histogram (µs, compressed base64), so timelines merge exactly. */
  histogram?: string;
  /** Open loop: the requests the schedule put in this second (the target rate, requests per second). */
  targetRps?: number;
}

export interface Totals {
  /** Requests started (attempts). */
  requests: number;
  /** Responses fully received, whatever their status; includes Length failures (as ab counts). */
  completed: number;
  /** connect + receive + length + exceptions + timeouts. */
  failed: number;
  /** Completed responses whose status was not 2xx (not failures, as in ab). */
  non2xx: number;
  /** Bytes received: status line, headers and body. */
  bytes: number;
  /** Body bytes received (ab's "HTML transferred"). */
  bodyBytes: number;
  /** Request body bytes sent (-p/-u). */
  bodySentBytes: number;
  /** Completed responses per second over durationMs. */
  rps: number;
  /** Responses that arrived on a reused (kept-alive) connection. */
  keepAliveRequests: number;
  /** TCP connections opened by abx. */
  connections: number;
  /** Requests in flight when the run stopped (deadline, last stage, interrupt, abort), never counted. */
  droppedAtDeadline?: number;
}

export interface Failures {
  /** Could not connect: refused, unresolvable, connect timeout, TLS handshake. */
  connect: number;
  /** Connection reset or closed while waiting for or reading the response. */
  receive: number;
  /** Body length differed from the first response's (ab's rule; off with -l). */
  length: number;
  /** Anything else: malformed responses, client-side errors. */
  exceptions: number;
  /** No response (headers or next body chunk) within -s seconds. */
  timeouts: number;
}

/**
 * The failure categories a request error is counted in: every Failures
 * counter except length, which is a check on a response, not an error.
 */
export type ErrorCategory = Exclude<keyof Failures, 'length'>;

/** The load model: closed loop (-c), constant rate (--rate), or stages (--stage/--ramp/--steps). */
export interface LoadShapeInfo {
  model: 'closed' | 'rate' | 'stages';
  stages?: Array<{ durationMs: number; fromRps: number; toRps: number }>;
}

/** Open-loop (--rate) bookkeeping. */
export interface RateInfo {
  targetPerSec: number;
  achievedPerSec: number;
  /** Requests sent later than their intended time because the in-flight cap was reached. */
  late: number;
  /** The worst lag between a request's intended and actual send time. */
  maxLagMs: number;
}

export interface ServerInfo {
  /** The Server header of the first response, up to the first space (as ab). */
  software: string;
  hostname: string;
  port: number;
  /** Path and query as sent. */
  documentPath: string;
  /** Body length of the first response; null when -l (variable) or no response arrived. */
  documentLength: number | null;
  /** TLS protocol and cipher, for https. */
  tls?: string;
}

/** The options the run used, with secrets redacted. */
export interface RecordedOptions {
  requests: number | null;
  concurrency: number;
  durationMs: number | null;
  timeoutMs: number;
  keepAlive: boolean;
  /** Header lines as sent; secret values (by the rule in src/redact.ts, plus --redact-header) are "[redacted]". */
  headers: string[];
  ratePerSec: number | null;
  workers: number;
}

export interface ErrorCount {
  category: keyof Failures;
  /** A short code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ...). */
  code: string;
  /** The first message seen for this code, one line. */
  message: string;
  count: number;
}

export interface AlarmInfo {
  name: string;
  /** high / low for target tracking's AlarmHigh / AlarmLow. */
  role: 'high' | 'low' | 'other';
  metric: string;
  threshold: number;
  comparison: string;
  periodSec: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** State at the last poll: OK, ALARM or INSUFFICIENT_DATA. */
  state: string;
}

export interface ObservationSample {
  /** Start of the metric period (ISO 8601). */
  at: string;
  /** e.g. RequestCountPerTarget, HealthyHostCount, DesiredCapacity, InServiceInstances, CPUUtilization. */
  metric: string;
  value: number;
  /** The newest period: CloudWatch may still fill it in. */
  provisional: boolean;
}

export interface ObservationEvent {
  at: string;
  kind: 'scaling-activity' | 'alarm' | 'instance';
  description: string;
  activityId?: string;
  statusCode?: string;
  fromCapacity?: number;
  toCapacity?: number;
  cause?: string;
  /** For alarms: the alarm, its old and new state. */
  alarmName?: string;
  fromState?: string;
  toState?: string;
  /** For instances: id, AZ and lifecycle state. */
  instanceId?: string;
  availabilityZone?: string;
  endedAt?: string;
}

export interface ObservationGap {
  from: string;
  to: string;
  reason: string;
  /** The API operations that failed in this gap (e.g. DescribeScalingActivities): what could not be read. */
  actions?: string[];
}

/** What the AWS observer saw while the run went on (see src/observe/). */
export interface Observation {
  asg: string | null;
  targetGroup: string | null;
  loadBalancer: string | null;
  region: string;
  policy: { name: string; targetValue: number; metric: string; resourceLabel?: string } | null;
  alarms: AlarmInfo[];
  /** CloudWatch period of the samples, in seconds. */
  periodSec: number;
  samples: ObservationSample[];
  events: ObservationEvent[];
  gaps: ObservationGap[];
  /** Warnings said to the user (one line each). */
  warnings: string[];
  pollIntervalMs: number;
  polls: number;
  apiCalls: number;
}

export interface AssertionOutcome {
  expression: string;
  /** The measured value in the expression's unit, or null when it cannot be measured. */
  actual: number | null;
  unit: string;
  passed: boolean;
  /** Why `actual` is null, when it says more than "not measured" (e.g. "no completed requests"). */
  reason?: string;
}

export interface Result {
  schema: typeof RESULT_SCHEMA;
  tool: { name: 'abx'; version: string };
  /** A random id given to each run (and to each merged result), so `abx merge` can refuse to count one run twice. */
  runId?: string;
  /** For a merged result: the run ids folded into it. */
  mergedFrom?: string[];
  /** The target URL, without user info. */
  url: string;
  method: string;
  concurrency: number;
  /** Wall-clock start (ISO 8601) and the same in epoch ms. */
  startedAt: string;
  startedAtMs: number;
  /** From the first request sent to the last response (ab's "Time taken for tests"). */
  durationMs: number;
  /** True when SIGINT/SIGTERM stopped the run early. */
  interrupted: boolean;
  options: RecordedOptions;
  server: ServerInfo;
  totals: Totals;
  failures: Failures;
  errors: ErrorCount[];
  statusCodes: Record<string, number>;
  /** Total latency; in --rate mode measured from each request's intended send time. */
  latencyMs: LatencySummaryMs;
  /** --rate only: latency from the actual send time. */
  serviceLatencyMs?: LatencySummaryMs;
  /** ab's Connection Times table (see README for what each phase means in abx). */
  connectionTimesMs: {
    connect: PhaseSummaryMs;
    processing: PhaseSummaryMs;
    waiting: PhaseSummaryMs;
    total: PhaseSummaryMs;
  };
  /** The total-latency HDR histogram (µs), compressed base64, for exact merges. */
  histogram: string;
  /** Phase histograms (µs, compressed base64) so merged Connection Times stay exact. */
  phaseHistograms: { connect: string; processing: string; waiting: string; service?: string };
  timeline: TimelineBucket[];
  /** How the load was generated; for stages, the shape (rates in requests per second, in total). */
  load?: LoadShapeInfo;
  /** An --abort-on condition held: its expression and the run's second (from 0) when it did. */
  aborted?: { condition: string; atSecond: number };
  /** --shard I/N: which part of one run this is, so `abx merge` can check the parts belong together. */
  shard?: ShardInfo;
  rate?: RateInfo;
  /** Per server address, when abx chose the addresses (DNS or --resolve); absent through a proxy. */
  addresses?: AddressShare[];
  /** abx's own load: workers, CPU, event-loop utilisation and whether abx was the bottleneck (stats/client.ts). */
  client?: ClientStats;
  observation?: Observation;
  assertions?: AssertionOutcome[];
}

/** One shard of a run spread over several processes (--shard I/N). */
export interface ShardInfo {
  /** 0 to count - 1. */
  index: number;
  count: number;
  /** --start-at as ISO 8601; null when the shard started at once. */
  startAt: string | null;
  /** How long after --start-at this shard began (it was started late and went at once); 0 when on time. */
  lateMs: number;
}

/** abx's own load and the verdict on it (folded in stats/client.ts). */
export interface ClientStats {
  /** Worker threads that generated the load. */
  workers: number;
  /** Usable cores of the machine (summed over machines when shards are merged). */
  cores: number;
  /** Why that many workers: "4 workers: 4 cores, remote target". */
  workersReason: string;
  /** From starting the worker threads until all were ready to send, ms. */
  startupMs: number;
  /** CPU time (user + system) the process used while the load ran, seconds. */
  cpuSeconds: number;
  /** Event-loop utilisation, 0–1: the mean over every worker and second, and the busiest worker-second. */
  eventLoopUtilization: { mean: number; max: number };
  /** The busiest worker's seconds at ≥ 90 % event-loop utilisation. */
  busySeconds: number;
  /** The run's seconds the verdict was judged over. */
  seconds: number;
  /** abx was the bottleneck (see this module's note). */
  saturated: boolean;
}

/** One server address's part of the run (a load-balancer node behind the host name). */
export interface AddressShare {
  /** IPv4 or IPv6 address the connections went to. */
  address: string;
  /** Responses received from this address. */
  requests: number;
  /** Failed requests on connections to (or attempts at) this address. */
  errors: number;
  /** 99th percentile total latency of this address's responses, ms (2 significant digits). */
  p99Ms: number;
  /** Its latency histogram (µs, compressed base64) so merged p99 stays exact. */
  histogram: string;
}
