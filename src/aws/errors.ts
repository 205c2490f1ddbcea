/**
 * One classification of AWS errors for every caller (the observer, `abx
 * check`, the fleet, S3 results): what kind of trouble it is, the IAM action
 * a denied call needs, and one line the user can act on. Throttling has one
 * list of names here; nothing else keeps its own.
 */

/** Each API operation abx calls → the IAM action it needs (ListObjectsV2 is s3:ListBucket, not a same-named action). */
const IAM_ACTION: Record<string, string> = {
  DescribeAutoScalingGroups: 'autoscaling:DescribeAutoScalingGroups',
  DescribePolicies: 'autoscaling:DescribePolicies',
  DescribeScalingActivities: 'autoscaling:DescribeScalingActivities',
  GetMetricData: 'cloudwatch:GetMetricData',
  DescribeAlarms: 'cloudwatch:DescribeAlarms',
  DescribeAlarmHistory: 'cloudwatch:DescribeAlarmHistory',
  DescribeLoadBalancers: 'elasticloadbalancing:DescribeLoadBalancers',
  DescribeTargetGroups: 'elasticloadbalancing:DescribeTargetGroups',
  DescribeListeners: 'elasticloadbalancing:DescribeListeners',
  DescribeTargetHealth: 'elasticloadbalancing:DescribeTargetHealth',
  DescribeInstances: 'ec2:DescribeInstances',
  DescribeSecurityGroups: 'ec2:DescribeSecurityGroups',
  DescribeSubnets: 'ec2:DescribeSubnets',
  DescribeLaunchTemplateVersions: 'ec2:DescribeLaunchTemplateVersions',
  RegisterTaskDefinition: 'ecs:RegisterTaskDefinition',
  DescribeTaskDefinition: 'ecs:DescribeTaskDefinition',
  RunTask: 'ecs:RunTask',
  DescribeTasks: 'ecs:DescribeTasks',
  StopTask: 'ecs:StopTask',
  PutObject: 's3:PutObject',
  GetObject: 's3:GetObject',
  DeleteObject: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
};

/** Every IAM action abx may call, in service order: the README's policy lists exactly these. */
export const ALL_IAM_ACTIONS: readonly string[] = [...new Set(Object.values(IAM_ACTION))].sort();

/** The IAM action an API operation needs, e.g. "ec2:DescribeSecurityGroups"; an operation abx does not call says so. */
export function iamActionFor(action: string): string {
  return IAM_ACTION[action] ?? `unknown:${action}`;
}

/**
 * The error names AWS uses for "slow down", across services: the SDK's own
 * retry list (THROTTLING_ERROR_CODES in @smithy's retry module) plus S3's and
 * CloudWatch's spellings. An HTTP 429 counts too, whatever its name.
 */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
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
  'InvalidAccessKeyId',
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

export type AwsTroubleKind =
  'credentials' | 'access-denied' | 'throttling' | 'unreachable' | 'bad-response' | 'not-found' | 'aborted' | 'other';

export interface AwsTrouble {
  kind: AwsTroubleKind;
  /** The API operation, e.g. "DescribeScalingActivities". */
  action: string;
  /** The IAM action it needs, e.g. "autoscaling:DescribeScalingActivities". */
  iamAction: string;
  /** One line for the user: what went wrong and how to fix it. Never contains credentials. */
  message: string;
  /** A few words for a gap or a SKIP: "HTTP 500", "AccessDenied", "throttled", "unreachable". */
  short: string;
}

/**
 * An answer that is neither JSON nor XML (an HTML error page from a proxy or
 * an emulator): thrown in place of the SDK's parse error, which would only
 * say "Unexpected token '<'". `firstLine` is the body's first line of text.
 */
export class UnreadableAnswerError extends Error {
  override readonly name = 'UnreadableAnswerError';
  readonly $metadata: { httpStatusCode: number };
  constructor(
    readonly status: number,
    readonly firstLine: string,
  ) {
    super(`HTTP ${status}: ${firstLine || 'an empty answer'}`);
    this.$metadata = { httpStatusCode: status };
  }
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The first line of text in a body that is not JSON or XML: tags stripped, so an HTML page gives its title. */
export function firstTextLine(body: string): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '\n')
    .replace(/<!doctype[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return oneLine(line ?? '', 120);
}

/** True when a body reads as JSON or XML (the SDK's parsers can read it); an HTML page is neither. */
export function looksParseable(body: string): boolean {
  const head = body.trimStart().slice(0, 64).toLowerCase();
  if (head === '') return true;
  if (head.startsWith('{') || head.startsWith('[')) return true;
  return head.startsWith('<') && !head.startsWith('<!doctype html') && !head.startsWith('<html');
}

/** True when the SDK error says AWS asked to slow down. */
export function isThrottling(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING_CODES.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
}

/**
 * Sorts an SDK error into what the user can do about it. `action` is the
 * API operation (e.g. "DescribeScalingActivities"). The message says what
 * happened; what the caller does next (retry at the next poll, skip a check,
 * stop) is the caller's to say.
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
  const iamAction = iamActionFor(action);
  const trouble = (kind: AwsTroubleKind, text: string, short: string): AwsTrouble => ({ kind, action, iamAction, message: text, short });
  if (name === 'AbortError' || code === 'ABORT_ERR') return trouble('aborted', `${action} was cancelled`, 'cancelled');
  if (
    name === 'CredentialsProviderError' ||
    /could not load credentials|credential is missing|Unable to locate credentials/i.test(message)
  ) {
    return trouble(
      'credentials',
      'no AWS credentials found: set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CloudShell',
      'no credentials',
    );
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return trouble(
      'access-denied',
      `AccessDenied on ${action}: allow IAM action ${iamAction} for these credentials (${name || status})`,
      `${name || 'AccessDenied'}`,
    );
  }
  if (isThrottling(error)) return trouble('throttling', `${action} was throttled by AWS (${name || status})`, 'throttled');
  if (
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    UNREACHABLE_CODES.has(code) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|connect ETIMEDOUT/.test(message)
  ) {
    return trouble(
      'unreachable',
      `cannot reach the AWS endpoint for ${action} (${code || name || message}); check --endpoint-url, the network or the region`,
      'unreachable',
    );
  }
  if (error instanceof UnreadableAnswerError) {
    return trouble('bad-response', `HTTP ${error.status} from ${action}: ${error.firstLine || 'an empty answer'}`, `HTTP ${error.status}`);
  }
  if (/NotFound/.test(name) || name === 'ValidationError' || name === 'NoSuchBucket' || name === 'NoSuchKey') {
    return trouble('not-found', `${action}: ${name}: ${message}`, name);
  }
  if (status !== undefined && status >= 500) {
    return trouble(
      'bad-response',
      `HTTP ${status} from ${action}: ${name && name !== 'Error' ? `${name}: ` : ''}${oneLine(message, 100)}`,
      `HTTP ${status}`,
    );
  }
  if (
    error instanceof SyntaxError ||
    /Deserialization error|Unexpected token|not valid JSON|Expected real number|Unable to parse|XML parse|char '/i.test(message)
  ) {
    // The SDK's parse errors run to several lines ("Deserialization error: to see the raw response…"): keep the first.
    const first = oneLine(String(err.message ?? error).split('\n')[0] ?? '', 100);
    return trouble(
      'bad-response',
      `${action} answered${status ? ` HTTP ${status}` : ''} with something abx cannot read: ${first}`,
      status ? `HTTP ${status}, unreadable` : 'unreadable answer',
    );
  }
  return trouble('other', `${action} failed: ${name ? `${name}: ` : ''}${message}`, name || 'failed');
}
