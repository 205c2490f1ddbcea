/**
 * Result files on S3: `--out s3://bucket/key` writes the JSON result there,
 * and `abx merge`, `abx report` and `abx fleet collect` read s3:// objects and
 * prefixes (every .json under one). The SDK is loaded only when an s3:// path
 * is used (src/aws/clients.ts builds the client). Region, profile and
 * endpoint are the observer's (--region, --profile, --endpoint-url, or
 * AWS_REGION and AWS_ENDPOINT_URL).
 */
import type { AwsCredentials, S3Api } from '../aws/clients.js';
import { classifyAwsError } from '../aws/errors.js';
import { resolveRegion } from '../aws/region.js';
import { ConfigError } from '../errors.js';

export interface S3Settings {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  credentials?: AwsCredentials;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export const isS3Url = (text: string): boolean => /^s3:\/\//i.test(text.trim());

/** "s3://bucket/key" → bucket and key (the key may be empty or a prefix). */
export function parseS3Url(flag: string, text: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/i.exec(text.trim());
  if (!match) throw new ConfigError(`${flag} "${text}" must be s3://bucket/key with a valid bucket name`);
  return { bucket: match[1], key: match[2] ?? '' };
}

/** The key a result is written to: a key ending in "/" names a folder, not an object. */
export function checkS3ObjectUrl(flag: string, text: string): S3Location {
  const location = parseS3Url(flag, text);
  if (location.key === '' || location.key.endsWith('/')) {
    throw new ConfigError(`${flag} ${text} names a bucket or folder: give the object's key, e.g. s3://${location.bucket}/results/run.json`);
  }
  return location;
}

async function client(settings: S3Settings): Promise<S3Api> {
  const { createS3Api } = await import('../aws/clients.js');
  // The region rule (an explicit one, else the environment's): S3 follows its own redirect when it is not the bucket's.
  const region = resolveRegion(settings.region, process.env, undefined);
  return createS3Api({
    ...(region ? { region } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.endpointUrl ? { endpointUrl: settings.endpointUrl } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
}

/** One line saying which S3 call failed and why (never the credentials). */
function s3Failure(what: string, url: string, action: string, error: unknown): ConfigError {
  return new ConfigError(`cannot ${what} ${url}: ${classifyAwsError(error, action).message}`);
}

export async function putS3Text(url: string, text: string, settings: S3Settings): Promise<void> {
  const { bucket, key } = checkS3ObjectUrl('--out', url);
  const s3 = await client(settings);
  try {
    await s3.putObject(bucket, key, text, 'application/json');
  } catch (error) {
    throw s3Failure('write', url, 'PutObject', error);
  } finally {
    s3.destroy();
  }
}

/**
 * Before a run whose result goes to S3: the bucket answers and the key's
 * prefix takes a write, so a missing bucket or a denied PutObject is said
 * before the first request rather than after the whole load. It writes a
 * small object beside the result's key and deletes it; a delete that is
 * denied is only a warning (the probe object is left there, named).
 */
export async function checkS3Writable(url: string, settings: S3Settings, warn: (message: string) => void): Promise<void> {
  const { bucket, key } = checkS3ObjectUrl('--out', url);
  const probe = `${key}.abx-write-check`;
  const s3 = await client(settings);
  try {
    try {
      await s3.putObject(bucket, probe, 'abx checks that it may write here before a run; this object may be deleted\n', 'text/plain');
    } catch (error) {
      throw s3Failure('write to', url, 'PutObject', error);
    }
    try {
      await s3.deleteObject(bucket, probe);
    } catch (error) {
      warn(`could not delete s3://${bucket}/${probe} after checking --out: ${classifyAwsError(error, 'DeleteObject').message}`);
    }
  } finally {
    s3.destroy();
  }
}

export async function getS3Text(url: string, settings: S3Settings): Promise<string> {
  const { bucket, key } = parseS3Url('result file', url);
  const s3 = await client(settings);
  try {
    return await s3.getObjectText(bucket, key);
  } catch (error) {
    throw s3Failure('read result file', url, 'GetObject', error);
  } finally {
    s3.destroy();
  }
}

/** Every .json object under an s3:// prefix, as s3:// URLs in key order. */
export async function listS3Json(url: string, settings: S3Settings): Promise<string[]> {
  const { bucket, key } = parseS3Url('result prefix', url);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const s3 = await client(settings);
  let keys: string[];
  try {
    keys = (await s3.listKeys(bucket, prefix)).filter((k) => k.endsWith('.json'));
  } catch (error) {
    throw s3Failure('list', url, 'ListObjectsV2', error);
  } finally {
    s3.destroy();
  }
  return keys.map((k) => `s3://${bucket}/${k}`);
}

/**
 * Result paths as given, with each s3:// prefix (ending in "/" or not ending
 * in .json) replaced by the .json objects under it.
 */
export async function expandResultPaths(paths: string[], settings: S3Settings): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    if (isS3Url(path) && !path.endsWith('.json')) {
      const found = await listS3Json(path, settings);
      if (found.length === 0) throw new ConfigError(`no .json results under ${path}`);
      out.push(...found);
    } else out.push(path);
  }
  return out;
}
