/**
 * S3, path-style and in memory, on the lab's one endpoint: PutObject,
 * GetObject, HeadObject, DeleteObject and ListObjectsV2, the calls abx makes to write
 * shard results and read them back. Any bucket name exists (it is created by
 * its first object). A request is S3's when it is a PUT, DELETE or HEAD, or a GET of
 * a path with no Query-protocol Action (the other services POST or name one).
 */
import { createHash, randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { WireResponse } from './wire.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: true, attributeNamePrefix: '@_' });

/** Results are JSON files of a few hundred kilobytes; this leaves room without letting a client fill memory. */
export const MAX_S3_OBJECT_BYTES = 64 << 20;

interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModifiedMs: number;
}

/** The lab's buckets: bucket → key → object. */
export class S3Store {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  put(bucket: string, key: string, body: Buffer, contentType: string, nowMs: number): StoredObject {
    const object = { body, etag: `"${createHash('md5').update(body).digest('hex')}"`, contentType, lastModifiedMs: nowMs };
    let objects = this.buckets.get(bucket);
    if (!objects) this.buckets.set(bucket, (objects = new Map<string, StoredObject>()));
    objects.set(key, object);
    return object;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }

  /** Keys under `prefix`, in UTF-8 binary order as S3 lists them. */
  list(bucket: string, prefix: string): Array<[string, StoredObject]> {
    const objects = this.buckets.get(bucket);
    if (!objects) return [];
    return [...objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
}

/** Is this request for S3 (rather than a Query or JSON service on the same endpoint)? */
export function isS3Request(method: string, url: string, headers: Record<string, unknown>): boolean {
  if (headers['x-amz-target'] !== undefined) return false;
  if (method === 'PUT' || method === 'HEAD' || method === 'DELETE') return true;
  if (method !== 'GET') return false;
  const [path, query = ''] = url.split('?', 2);
  return path !== '/' && path !== '' && !new URLSearchParams(query).has('Action');
}

function s3Error(status: number, code: string, message: string, resource: string, head: boolean): WireResponse {
  const requestId = randomUUID();
  const body = head ? '' : builder.build({ Error: { Code: code, Message: message, Resource: resource, RequestId: requestId } });
  return { status, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId }, body };
}

function objectHeaders(object: StoredObject): Record<string, string> {
  return {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
    'x-amz-request-id': randomUUID(),
  };
}

/** Answers one S3 request; a GetObject's body is returned as a Buffer so any bytes survive. */
export function handleS3Request(
  store: S3Store,
  method: string,
  url: string,
  headers: Record<string, unknown>,
  body: Buffer,
  nowMs: number,
): WireResponse & { bodyBytes?: Buffer } {
  const [rawPath, query = ''] = url.split('?', 2);
  const path = rawPath.replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  const params = new URLSearchParams(query);
  const head = method === 'HEAD';
  if (!bucket) return s3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', rawPath, head);

  if (key === '') {
    if (method !== 'GET' || params.get('list-type') !== '2') {
      return s3Error(501, 'NotImplemented', 'The lab answers ListObjectsV2 (list-type=2) on a bucket, nothing else.', rawPath, head);
    }
    return listObjectsV2(store, bucket, params);
  }
  if (method === 'PUT') {
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : 'binary/octet-stream';
    const object = store.put(bucket, key, body, contentType, nowMs);
    return { status: 200, headers: { etag: object.etag, 'x-amz-request-id': randomUUID() }, body: '' };
  }
  if (method === 'DELETE') {
    // As S3: deleting a key that is not there succeeds too.
    store.delete(bucket, key);
    return { status: 204, headers: { 'x-amz-request-id': randomUUID() }, body: '' };
  }
  const object = store.get(bucket, key);
  if (!object) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', `/${bucket}/${key}`, head);
  if (head) return { status: 200, headers: { ...objectHeaders(object), 'content-length': String(object.body.length) }, body: '' };
  return { status: 200, headers: objectHeaders(object), body: '', bodyBytes: object.body };
}

function listObjectsV2(store: S3Store, bucket: string, params: URLSearchParams): WireResponse {
  const prefix = params.get('prefix') ?? '';
  const maxKeys = Math.max(0, Math.min(1000, Number(params.get('max-keys') ?? 1000) || 1000));
  const after = params.get('continuation-token') ?? params.get('start-after') ?? '';
  const all = store.list(bucket, prefix).filter(([key]) => after === '' || key > after);
  const page = all.slice(0, maxKeys);
  const truncated = all.length > page.length;
  const body = builder.build({
    ListBucketResult: {
      '@_xmlns': S3_NAMESPACE,
      Name: bucket,
      Prefix: prefix,
      KeyCount: page.length,
      MaxKeys: maxKeys,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: page[page.length - 1][0] } : {}),
      Contents: page.map(([key, object]) => ({
        Key: key,
        LastModified: new Date(object.lastModifiedMs).toISOString(),
        ETag: object.etag,
        Size: object.body.length,
        StorageClass: 'STANDARD',
      })),
    },
  });
  return { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() }, body };
}
