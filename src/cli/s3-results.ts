/**
 * Result files on S3: `--out s3://bucket/key` writes the JSON result there,
 * and `abx merge`, `abx report` and `abx fleet collect` read s3:// objects and
 * prefixes (every .json under one). The SDK is loaded only when an s3:// path
 * is used. Region, profile and endpoint are the observer's (--region,
 * --profile, --endpoint-url, or AWS_REGION and AWS_ENDPOINT_URL); with an
 * endpoint (a local S3 such as the lab's) requests are path-style.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../errors.js';

export interface S3Settings {
  region?: string;
  profile?: string;
  endpointUrl?: string;
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

async function client(settings: S3Settings): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = settings.endpointUrl ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // A checksum only when S3 requires one: results are small, and local S3s differ in which they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** One line saying which S3 call failed and why (never the credentials). */
function s3Failure(what: string, url: string, error: unknown): Error {
  const e = error as { name?: string; message?: string };
  return new ConfigError(`cannot ${what} ${url}: ${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`);
}

export async function putS3Text(url: string, text: string, settings: S3Settings): Promise<void> {
  const { bucket, key } = checkS3ObjectUrl('--out', url);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await client(settings);
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }));
  } catch (error) {
    throw s3Failure('write', url, error);
  } finally {
    s3.destroy();
  }
}

export async function getS3Text(url: string, settings: S3Settings): Promise<string> {
  const { bucket, key } = parseS3Url('result file', url);
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = await client(settings);
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw s3Failure('read result file', url, error);
  } finally {
    s3.destroy();
  }
}

/** Every .json object under an s3:// prefix, as s3:// URLs in key order. */
export async function listS3Json(url: string, settings: S3Settings): Promise<string[]> {
  const { bucket, key } = parseS3Url('result prefix', url);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const s3 = await client(settings);
  const keys: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const item of page.Contents ?? []) if (item.Key?.endsWith('.json')) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw s3Failure('list', url, error);
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
