/**
 * The AWS SDK boundary: region, endpoint, credentials and the seven read-only
 * calls abx makes. The SDK is loaded here with dynamic import() only when an
 * observation is asked for, so `abx --version` and plain load runs never pay
 * for (or hear from) it. Types are imported with `import type`, which the
 * compiler erases.
 */
import type {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribePoliciesCommandInput,
  DescribePoliciesCommandOutput,
  DescribeScalingActivitiesCommandInput,
  DescribeScalingActivitiesCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import type {
  CloudWatchClient,
  DescribeAlarmHistoryCommandInput,
  DescribeAlarmHistoryCommandOutput,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import type {
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigError, ObserverError } from '../errors.js';
import { isValidRegion } from './options.js';

export interface AwsConfig {
  region?: string;
  profile?: string;
  /** --endpoint-url: one endpoint for all three services (the lab serves them all on one port). */
  endpointUrl?: string;
  /** Explicit credentials (the lab's); otherwise the SDK's own chain (environment, profile, instance role). */
  credentials?: AwsCredentials;
  /** SDK attempts per call (default 3, the SDK's own); tests use 1. */
  maxAttempts?: number;
  /** Per-request socket timeout, so a dead endpoint cannot hold a poll for long. */
  requestTimeoutMs?: number;
  /** The SDK's own warnings, condensed to one line each (else they go to the console, several lines long). */
  onWarning?: (message: string) => void;
}

/** Default per-request timeout: AWS answers these reads in well under a second; a hang is said within a few. */
export const DEFAULT_AWS_REQUEST_TIMEOUT_MS = 3_000;
/** Connect timeout: a TCP handshake with AWS takes milliseconds. */
const AWS_CONNECT_TIMEOUT_MS = 2_000;

/** One line from an SDK warning (the credential chain's is nine lines long). */
export function condenseSdkWarning(text: string): string {
  if (/Multiple credential sources detected/.test(text)) {
    return 'AWS_PROFILE (or --profile) and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are both set: the AWS SDK uses the profile; unset one of them';
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const line = lines.find((l) => !/^@aws-sdk\//.test(l)) ?? lines[0] ?? '';
  return `AWS SDK: ${oneLine(line)}`;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The read-only calls the observer makes; each counts one API call. */
export interface AwsApi {
  readonly region: string;
  /** API calls attempted so far (SDK retries not counted). */
  readonly calls: number;
  describeAutoScalingGroups(
    input: DescribeAutoScalingGroupsCommandInput,
    signal?: AbortSignal,
  ): Promise<DescribeAutoScalingGroupsCommandOutput>;
  describePolicies(input: DescribePoliciesCommandInput, signal?: AbortSignal): Promise<DescribePoliciesCommandOutput>;
  describeScalingActivities(
    input: DescribeScalingActivitiesCommandInput,
    signal?: AbortSignal,
  ): Promise<DescribeScalingActivitiesCommandOutput>;
  describeAlarms(input: DescribeAlarmsCommandInput, signal?: AbortSignal): Promise<DescribeAlarmsCommandOutput>;
  getMetricData(input: GetMetricDataCommandInput, signal?: AbortSignal): Promise<GetMetricDataCommandOutput>;
  /** 3 TPS account-wide: called once for history, never per poll. */
  describeAlarmHistory(input: DescribeAlarmHistoryCommandInput, signal?: AbortSignal): Promise<DescribeAlarmHistoryCommandOutput>;
  describeLoadBalancers(input: DescribeLoadBalancersCommandInput, signal?: AbortSignal): Promise<DescribeLoadBalancersCommandOutput>;
  describeTargetGroups(input: DescribeTargetGroupsCommandInput, signal?: AbortSignal): Promise<DescribeTargetGroupsCommandOutput>;
  destroy(): void;
}

/** --region, then AWS_REGION, then AWS_DEFAULT_REGION, then the region in an ALB DNS name. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv, albRegion: string | undefined): string | undefined {
  for (const candidate of [flag, env.AWS_REGION, env.AWS_DEFAULT_REGION, albRegion]) {
    if (candidate && candidate.trim()) return candidate.trim();
  }
  return undefined;
}

/**
 * The region to observe in, when the URL's ALB DNS name also names one. A
 * load balancer can only be found in the region of its DNS name, so when the
 * group is to be found from the URL alone that region beats the environment
 * (CloudShell sets AWS_REGION to the console's region, not the ALB's), and a
 * --region that says otherwise is a contradiction.
 */
export function chooseRegion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  albRegion: string | undefined,
  discoverFromUrl: boolean,
): { region: string | undefined; note?: string } {
  const fromEnv = resolveRegion(undefined, env, undefined);
  if (!albRegion || !discoverFromUrl) return { region: resolveRegion(flag, env, albRegion) };
  if (flag && flag.trim() && flag.trim() !== albRegion) {
    throw new ConfigError(
      `--region ${flag.trim()} contradicts the load balancer's DNS name, which is in ${albRegion}: drop --region or pass --asg`,
    );
  }
  if (!flag && fromEnv && fromEnv !== albRegion) {
    return { region: albRegion, note: `observing in ${albRegion} (the load balancer's DNS name), not ${fromEnv} from the environment` };
  }
  return { region: albRegion };
}

/**
 * The settings every SDK client abx builds shares (region, profile, endpoint,
 * credentials, timeouts, and a logger that turns SDK warnings into one line),
 * so `abx check`'s extra clients behave as the observer's do.
 */
export function sdkClientConfig(config: AwsConfig) {
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS;
  const onWarning = config.onWarning;
  const silent = (): void => undefined;
  // Given to the clients and, through them, to the credential chain: its warnings reach the user as one abx line.
  const logger = {
    debug: silent,
    info: silent,
    warn: (...parts: unknown[]) => onWarning?.(condenseSdkWarning(parts.map(String).join(' '))),
    error: silent,
  };
  return {
    logger,
    ...(config.region ? { region: config.region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    maxAttempts: config.maxAttempts ?? 3,
    requestHandler: {
      requestTimeout: timeoutMs,
      connectionTimeout: Math.min(timeoutMs, AWS_CONNECT_TIMEOUT_MS),
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * Loads the SDK and builds the three clients. Throws ObserverError when no
 * region can be found (the SDK would otherwise fail every call the same way).
 */
export async function createAwsApi(config: AwsConfig): Promise<AwsApi> {
  const [cw, asg, elb] = await Promise.all([
    import('@aws-sdk/client-cloudwatch'),
    import('@aws-sdk/client-auto-scaling'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
  ]);
  if (config.region && !isValidRegion(config.region)) {
    throw new ObserverError(`invalid AWS region "${config.region}": use a region name such as us-east-1`);
  }
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS;
  const common = sdkClientConfig(config);
  const cloudwatch: CloudWatchClient = new cw.CloudWatchClient(common);
  const autoscaling: AutoScalingClient = new asg.AutoScalingClient(common);
  const elbv2: ElasticLoadBalancingV2Client = new elb.ElasticLoadBalancingV2Client(common);
  let region: string;
  try {
    region = await cloudwatch.config.region();
  } catch {
    region = '';
  }
  if (!region || !isValidRegion(region)) {
    cloudwatch.destroy();
    autoscaling.destroy();
    elbv2.destroy();
    throw new ObserverError(
      region ? `invalid AWS region "${region}": use a region name such as us-east-1` : 'no AWS region: pass --region or set AWS_REGION',
    );
  }
  let calls = 0;
  // Each call also carries its own deadline: a peer that accepts the
  // connection and never answers must not hold a poll (or the run's end).
  const call = async <T>(signal: AbortSignal | undefined, send: (opts: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> => {
    calls++;
    const deadline = AbortSignal.timeout(Math.round(timeoutMs * 1.5));
    try {
      return await send({ abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline });
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) {
        const timeout = new Error(`no answer within ${Math.round(timeoutMs * 1.5)} ms`);
        timeout.name = 'TimeoutError';
        throw timeout;
      }
      throw error;
    }
  };
  return {
    region,
    get calls() {
      return calls;
    },
    describeAutoScalingGroups: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribeAutoScalingGroupsCommand(input), o)),
    describePolicies: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribePoliciesCommand(input), o)),
    describeScalingActivities: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribeScalingActivitiesCommand(input), o)),
    describeAlarms: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.DescribeAlarmsCommand(input), o)),
    getMetricData: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.GetMetricDataCommand(input), o)),
    describeAlarmHistory: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.DescribeAlarmHistoryCommand(input), o)),
    describeLoadBalancers: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeLoadBalancersCommand(input), o)),
    describeTargetGroups: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeTargetGroupsCommand(input), o)),
    destroy() {
      cloudwatch.destroy();
      autoscaling.destroy();
      elbv2.destroy();
    },
  };
}

/** The service prefix of each call's IAM action, so AccessDenied can name what to add. */
const IAM_SERVICE: Record<string, string> = {
  DescribeAutoScalingGroups: 'autoscaling',
  DescribePolicies: 'autoscaling',
  DescribeScalingActivities: 'autoscaling',
  DescribeAlarms: 'cloudwatch',
  GetMetricData: 'cloudwatch',
  DescribeAlarmHistory: 'cloudwatch',
  DescribeLoadBalancers: 'elasticloadbalancing',
  DescribeTargetGroups: 'elasticloadbalancing',
  DescribeListeners: 'elasticloadbalancing',
  DescribeTargetHealth: 'elasticloadbalancing',
  DescribeInstances: 'ec2',
  DescribeSecurityGroups: 'ec2',
  DescribeSubnets: 'ec2',
  DescribeLaunchTemplateVersions: 'ec2',
};

/** The IAM action an API operation needs, e.g. "ec2:DescribeSecurityGroups". */
export function iamActionFor(action: string): string {
  return `${IAM_SERVICE[action] ?? 'aws'}:${action}`;
}

export type AwsTroubleKind =
  'credentials' | 'access-denied' | 'throttling' | 'unreachable' | 'bad-response' | 'not-found' | 'aborted' | 'other';

export interface AwsTrouble {
  kind: AwsTroubleKind;
  /** One line for the user: what went wrong and how to fix it. Never contains credentials. */
  message: string;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AuthFailure',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Sorts an SDK error into what the user can do about it. `action` is the
 * API operation (e.g. "DescribeScalingActivities").
 */
export function classifyAwsError(error: unknown, action: string): AwsTrouble {
  const err = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  const name = err.name ?? '';
  const code = err.code ?? err.cause?.code ?? '';
  const status = err.$metadata?.httpStatusCode;
  const message = oneLine(String(err.message ?? error));
  const iam = iamActionFor(action);
  if (name === 'AbortError' || code === 'ABORT_ERR') return { kind: 'aborted', message: `${action} was cancelled` };
  if (
    name === 'CredentialsProviderError' ||
    /could not load credentials|credential is missing|Unable to locate credentials/i.test(message)
  ) {
    return {
      kind: 'credentials',
      message:
        'no AWS credentials found: set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CloudShell; observation is off',
    };
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return {
      kind: 'access-denied',
      message: `AccessDenied on ${action}: allow IAM action ${iam} for these credentials (${name || status})`,
    };
  }
  if (THROTTLING.has(name) || status === 429) {
    return { kind: 'throttling', message: `${action} was throttled by AWS (${name || status}); polling less often` };
  }
  if (
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    UNREACHABLE_CODES.has(code) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|connect ETIMEDOUT/.test(message)
  ) {
    return {
      kind: 'unreachable',
      message: `cannot reach the AWS endpoint for ${action} (${code || name || message}); check --endpoint-url, the network or the region`,
    };
  }
  if (/NotFound/.test(name) || name === 'ValidationError') {
    return { kind: 'not-found', message: `${action}: ${message}` };
  }
  if (
    error instanceof SyntaxError ||
    /Deserialization error|Unexpected token|not valid JSON|Expected real number|Unable to parse|char '|XML/i.test(message) ||
    (status !== undefined && status >= 500) ||
    (name === 'Error' && status === 200)
  ) {
    return {
      kind: 'bad-response',
      message: `${action} got an unusable answer from AWS (${status ? `HTTP ${status}: ` : ''}${oneLine(message, 80)}); will retry`,
    };
  }
  return { kind: 'other', message: `${action} failed: ${name ? `${name}: ` : ''}${message}` };
}
