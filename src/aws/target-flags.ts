/**
 * One parser for the AWS flags a run, `abx watch`, `abx check` and `abx
 * fleet` share (--asg, --target-group, --region, --profile, --endpoint-url):
 * each bad value is a one-line ConfigError naming the flag, before any call.
 */
import { ConfigError } from '../errors.js';
import { checkRegion } from './region.js';

/** The flags as commander hands them. */
export interface RawAwsTargetFlags {
  asg?: string | undefined;
  targetGroup?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  endpointUrl?: string | undefined;
}

/** The same, checked; absent means not given. */
export interface AwsTargetFlags {
  asg?: string;
  targetGroupArn?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/;

export function parseTargetGroupArn(text: string): string {
  const trimmed = text.trim();
  if (!TARGET_GROUP_ARN.test(trimmed)) {
    throw new ConfigError(
      `--target-group must be a target group ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/943f017f100becff`,
    );
  }
  return trimmed;
}

export function parseEndpointUrl(text: string): string {
  try {
    const url = new URL(text.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return text.trim();
  } catch {
    // fall through to the one-line error
  }
  throw new ConfigError(`--endpoint-url "${text}" must be an http:// or https:// URL`);
}

function nonEmpty(flag: string, value: string): string {
  if (!value.trim()) throw new ConfigError(`${flag} must not be empty`);
  return value.trim();
}

export function parseAwsTargetFlags(raw: RawAwsTargetFlags): AwsTargetFlags {
  const flags: AwsTargetFlags = {};
  if (raw.asg !== undefined) flags.asg = nonEmpty('--asg', raw.asg);
  if (raw.targetGroup !== undefined) flags.targetGroupArn = parseTargetGroupArn(raw.targetGroup);
  if (raw.region !== undefined) flags.region = checkRegion(raw.region);
  if (raw.profile !== undefined) flags.profile = nonEmpty('--profile', raw.profile);
  if (raw.endpointUrl !== undefined) flags.endpointUrl = parseEndpointUrl(raw.endpointUrl);
  return flags;
}
