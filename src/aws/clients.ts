/**
 * The one place abx builds AWS SDK clients: CloudWatch, Auto Scaling, ELBv2
 * and EC2 (read-only, behind AwsApi), S3 (result files) and ECS (the fleet).
 * Every client gets the same settings: region, profile, explicit
 * credentials, endpoint, socket timeouts, a per-call deadline, abx's user
 * agent, the SDK's warnings as one line each, and an answer that is neither
 * JSON nor XML reported as "HTTP 500 from <Action>: <its first line>".
 *
 * The SDK is loaded here with dynamic import() only when a client is asked
 * for, so `abx --version` and plain load runs never pay for (or hear from)
 * it. Types are imported with `import type`, which the compiler erases.
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
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeLaunchTemplateVersionsCommandInput,
  DescribeLaunchTemplateVersionsCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type {
  DescribeTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommandOutput,
  RunTaskCommandInput,
  RunTaskCommandOutput,
  StopTaskCommandInput,
  StopTaskCommandOutput,
} from '@aws-sdk/client-ecs';
import type {
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ObserverError } from '../errors.js';
import { abxVersion } from '../version.js';
import { firstTextLine, looksParseable, oneLine, UnreadableAnswerError } from './errors.js';
import { isValidRegion } from './region.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsConfig {
  region?: string;
  profile?: string;
  /** --endpoint-url: one endpoint for every service (the lab and moto serve them all on one port). */
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
/** S3 moves whole result files (megabytes for a long run): a longer socket timeout than the Describe calls. */
const S3_REQUEST_TIMEOUT_MS = 30_000;
/** ECS calls are slower than the observer's reads (RunTask places a task). */
const ECS_REQUEST_TIMEOUT_MS = 15_000;
/** Each call's own deadline, over the socket timeout: a peer that accepts and trickles must not hold a call for ever. */
const DEADLINE_FACTOR = 1.5;

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

/** The settings every client shares. */
function sdkClientConfig(config: AwsConfig, timeoutMs: number) {
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
    customUserAgent: `abx/${abxVersion()}`,
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

const NODE_WARNING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Builds a client without the SDK's eight-line Node 20 warning (its future
 * versions need Node 22: a note for abx's maintainers, nothing an abx user
 * or a program using abx's library can act on). The SDK reads the variable
 * once, when its first client is built, and never warns after that; it is
 * set only for that moment, so the caller's own environment is left as it was.
 */
function quietly<T>(build: () => T): T {
  if (process.env[NODE_WARNING] !== undefined) return build();
  process.env[NODE_WARNING] = 'true';
  try {
    return build();
  } finally {
    delete process.env[NODE_WARNING];
  }
}

/** The response as the deserialize step sees it (the SDK's HttpResponse). */
interface RawResponse {
  statusCode?: number;
  body?: unknown;
}
type Handler = (args: unknown) => Promise<{ response: unknown }>;
/**
 * The part of an SDK client's middleware stack used here. Every client has
 * it, but each client's own type spells it with its own input and output
 * unions, which no one signature covers: hence the cast where it is used.
 */
interface Stack {
  add(middleware: (next: Handler) => Handler, options: { step: 'deserialize'; name: string; priority: 'low' }): void;
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Reads an error answer before the SDK's parser does: an HTML page (a proxy,
 * an emulator's unimplemented call) becomes UnreadableAnswerError with the
 * page's first line of text, instead of "Unexpected token '<'". A JSON or
 * XML error body is handed on unchanged (as bytes, which the parser reads as
 * they are). Successful answers are never touched: S3 bodies stream.
 */
function readableErrors(client: { middlewareStack: unknown }): void {
  (client.middlewareStack as Stack).add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      const status = response?.statusCode ?? 200;
      if (status < 300) return result;
      const bytes = await bodyBytes(response.body);
      const text = Buffer.from(bytes).toString('utf8');
      if (!looksParseable(text)) throw new UnreadableAnswerError(status, firstTextLine(text));
      response.body = bytes;
      return result;
    },
    { step: 'deserialize', name: 'abxReadableErrors', priority: 'low' },
  );
}

/**
 * Each call's own deadline: a peer that accepts the connection and never
 * answers must not hold a poll (or the run's end). The caller's signal
 * (Ctrl-C, a stopping observer) ends it sooner.
 */
function deadlineCaller(timeoutMs: number) {
  const deadlineMs = Math.round(timeoutMs * DEADLINE_FACTOR);
  let calls = 0;
  const call = async <T>(signal: AbortSignal | undefined, send: (opts: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> => {
    calls++;
    const deadline = AbortSignal.timeout(deadlineMs);
    try {
      return await send({ abortSignal: signal ? AbortSignal.any([signal, deadline]) : deadline });
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) {
        const timeout = new Error(`no answer within ${deadlineMs} ms`);
        timeout.name = 'TimeoutError';
        throw timeout;
      }
      throw error;
    }
  };
  return { call, count: () => calls };
}

/** The client's region, or ObserverError saying none was found (the SDK would otherwise fail every call the same way). */
async function regionOf(client: { config: { region: () => Promise<string> } }, destroy: () => void): Promise<string> {
  let region: string;
  try {
    region = await client.config.region();
  } catch {
    region = '';
  }
  if (!region || !isValidRegion(region)) {
    destroy();
    throw new ObserverError(
      region ? `invalid AWS region "${region}": use a region name such as us-east-1` : 'no AWS region: pass --region or set AWS_REGION',
    );
  }
  return region;
}

function checkGivenRegion(config: AwsConfig): void {
  if (config.region && !isValidRegion(config.region)) {
    throw new ObserverError(`invalid AWS region "${config.region}": use a region name such as us-east-1`);
  }
}

/** The read-only calls the observer, discovery and `abx check` make; each counts one API call. */
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
  describeListeners(input: DescribeListenersCommandInput, signal?: AbortSignal): Promise<DescribeListenersCommandOutput>;
  describeTargetHealth(input: DescribeTargetHealthCommandInput, signal?: AbortSignal): Promise<DescribeTargetHealthCommandOutput>;
  describeInstances(input: DescribeInstancesCommandInput, signal?: AbortSignal): Promise<DescribeInstancesCommandOutput>;
  describeSecurityGroups(input: DescribeSecurityGroupsCommandInput, signal?: AbortSignal): Promise<DescribeSecurityGroupsCommandOutput>;
  describeSubnets(input: DescribeSubnetsCommandInput, signal?: AbortSignal): Promise<DescribeSubnetsCommandOutput>;
  describeLaunchTemplateVersions(
    input: DescribeLaunchTemplateVersionsCommandInput,
    signal?: AbortSignal,
  ): Promise<DescribeLaunchTemplateVersionsCommandOutput>;
  destroy(): void;
}

/**
 * Loads the SDK and builds the read-only clients (EC2's only when first
 * used: the observer never needs it). Throws ObserverError when no region
 * can be found.
 */
export async function createAwsApi(config: AwsConfig): Promise<AwsApi> {
  const [cw, asg, elb] = await Promise.all([
    import('@aws-sdk/client-cloudwatch'),
    import('@aws-sdk/client-auto-scaling'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
  ]);
  checkGivenRegion(config);
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS;
  const common = sdkClientConfig(config, timeoutMs);
  const cloudwatch: CloudWatchClient = quietly(() => new cw.CloudWatchClient(common));
  const autoscaling: AutoScalingClient = quietly(() => new asg.AutoScalingClient(common));
  const elbv2: ElasticLoadBalancingV2Client = quietly(() => new elb.ElasticLoadBalancingV2Client(common));
  for (const client of [cloudwatch, autoscaling, elbv2]) readableErrors(client);
  let ec2: { client: EC2Client; sdk: typeof import('@aws-sdk/client-ec2') } | null = null;
  const destroy = (): void => {
    cloudwatch.destroy();
    autoscaling.destroy();
    elbv2.destroy();
    ec2?.client.destroy();
  };
  const region = await regionOf(cloudwatch, destroy);
  const loadEc2 = async (): Promise<{ client: EC2Client; sdk: typeof import('@aws-sdk/client-ec2') }> => {
    if (!ec2) {
      const sdk = await import('@aws-sdk/client-ec2');
      const client = quietly(() => new sdk.EC2Client({ ...common, region }));
      readableErrors(client);
      ec2 ??= { client, sdk };
    }
    return ec2;
  };
  const { call, count } = deadlineCaller(timeoutMs);
  return {
    region,
    get calls() {
      return count();
    },
    describeAutoScalingGroups: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribeAutoScalingGroupsCommand(input), o)),
    describePolicies: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribePoliciesCommand(input), o)),
    describeScalingActivities: (input, signal) => call(signal, (o) => autoscaling.send(new asg.DescribeScalingActivitiesCommand(input), o)),
    describeAlarms: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.DescribeAlarmsCommand(input), o)),
    getMetricData: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.GetMetricDataCommand(input), o)),
    describeAlarmHistory: (input, signal) => call(signal, (o) => cloudwatch.send(new cw.DescribeAlarmHistoryCommand(input), o)),
    describeLoadBalancers: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeLoadBalancersCommand(input), o)),
    describeTargetGroups: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeTargetGroupsCommand(input), o)),
    describeListeners: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeListenersCommand(input), o)),
    describeTargetHealth: (input, signal) => call(signal, (o) => elbv2.send(new elb.DescribeTargetHealthCommand(input), o)),
    describeInstances: (input, signal) =>
      call(signal, async (o) => {
        const { client, sdk } = await loadEc2();
        return client.send(new sdk.DescribeInstancesCommand(input), o);
      }),
    describeSecurityGroups: (input, signal) =>
      call(signal, async (o) => {
        const { client, sdk } = await loadEc2();
        return client.send(new sdk.DescribeSecurityGroupsCommand(input), o);
      }),
    describeSubnets: (input, signal) =>
      call(signal, async (o) => {
        const { client, sdk } = await loadEc2();
        return client.send(new sdk.DescribeSubnetsCommand(input), o);
      }),
    describeLaunchTemplateVersions: (input, signal) =>
      call(signal, async (o) => {
        const { client, sdk } = await loadEc2();
        return client.send(new sdk.DescribeLaunchTemplateVersionsCommand(input), o);
      }),
    destroy,
  };
}

/** The S3 calls result files need. */
export interface S3Api {
  putObject(bucket: string, key: string, body: string, contentType: string, signal?: AbortSignal): Promise<void>;
  /** The object's text (UTF-8). */
  getObjectText(bucket: string, key: string, signal?: AbortSignal): Promise<string>;
  deleteObject(bucket: string, key: string, signal?: AbortSignal): Promise<void>;
  /** Every key under `prefix`, in S3's order (by key), all pages. */
  listKeys(bucket: string, prefix: string, signal?: AbortSignal): Promise<string[]>;
  destroy(): void;
}

/**
 * The S3 client. S3 addresses buckets globally, so without a region (the
 * caller applies the region rule first) it starts in us-east-1 and follows
 * S3's redirect to the bucket's own region. With an endpoint (a local S3 such as the lab's or moto's)
 * requests are path-style.
 */
export async function createS3Api(config: AwsConfig): Promise<S3Api> {
  const sdk = await import('@aws-sdk/client-s3');
  checkGivenRegion(config);
  const timeoutMs = config.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS;
  const endpoint = config.endpointUrl ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const s3 = quietly(
    () =>
      new sdk.S3Client({
        ...sdkClientConfig(config, timeoutMs),
        region: config.region ?? 'us-east-1',
        followRegionRedirects: true,
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        // A checksum only when S3 requires one: results are small, and local S3s differ in which they accept.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
  );
  readableErrors(s3);
  const { call } = deadlineCaller(timeoutMs);
  return {
    async putObject(bucket, key, body, contentType, signal) {
      await call(signal, (o) => s3.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), o));
    },
    async getObjectText(bucket, key, signal) {
      return call(signal, async (o) => {
        const answer = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), o);
        return (await answer.Body?.transformToString('utf8')) ?? '';
      });
    },
    async deleteObject(bucket, key, signal) {
      await call(signal, (o) => s3.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), o));
    },
    async listKeys(bucket, prefix, signal) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(signal, (o) =>
          s3.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }), o),
        );
        for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    destroy: () => s3.destroy(),
  };
}

/** The ECS calls the fleet makes, each under its deadline. */
export interface EcsApi {
  readonly region: string;
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<RegisterTaskDefinitionCommandOutput>;
  describeTaskDefinition(input: DescribeTaskDefinitionCommandInput): Promise<DescribeTaskDefinitionCommandOutput>;
  runTask(input: RunTaskCommandInput): Promise<RunTaskCommandOutput>;
  describeTasks(input: DescribeTasksCommandInput): Promise<DescribeTasksCommandOutput>;
  stopTask(input: StopTaskCommandInput): Promise<StopTaskCommandOutput>;
  destroy(): void;
}

/** The ECS client; ObserverError when no region can be found. */
export async function createEcsApi(config: AwsConfig): Promise<EcsApi> {
  const sdk = await import('@aws-sdk/client-ecs');
  checkGivenRegion(config);
  const timeoutMs = config.requestTimeoutMs ?? ECS_REQUEST_TIMEOUT_MS;
  const ecs = quietly(() => new sdk.ECSClient(sdkClientConfig(config, timeoutMs)));
  readableErrors(ecs);
  const region = await regionOf(ecs, () => ecs.destroy());
  const { call } = deadlineCaller(timeoutMs);
  return {
    region,
    registerTaskDefinition: (input) => call(undefined, (o) => ecs.send(new sdk.RegisterTaskDefinitionCommand(input), o)),
    describeTaskDefinition: (input) => call(undefined, (o) => ecs.send(new sdk.DescribeTaskDefinitionCommand(input), o)),
    runTask: (input) => call(undefined, (o) => ecs.send(new sdk.RunTaskCommand(input), o)),
    describeTasks: (input) => call(undefined, (o) => ecs.send(new sdk.DescribeTasksCommand(input), o)),
    stopTask: (input) => call(undefined, (o) => ecs.send(new sdk.StopTaskCommand(input), o)),
    destroy: () => ecs.destroy(),
  };
}
