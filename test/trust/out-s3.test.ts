/**
 * `--out s3://…` is checked before the first request: a bucket that is not
 * there (or an endpoint that refuses) is exit 2 with one line, and the target
 * never sees a request. A loopback S3 that knows one bucket stands in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAbx } from '../cli/abx-process.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let target: TestServer;
let s3: Server;
let s3Url: string;
const objects = new Map<string, string>();

beforeAll(async () => {
  target = await startServer();
  // Path-style S3 with one bucket, "results"; any other answers NoSuchBucket (404), as S3 does.
  s3 = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [, bucket = '', ...key] = (req.url ?? '/').split('?')[0].split('/');
      if (bucket !== 'results') {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${bucket}</BucketName></Error>`,
        );
        return;
      }
      const name = decodeURIComponent(key.join('/'));
      if (req.method === 'PUT') objects.set(name, Buffer.concat(chunks).toString());
      if (req.method === 'DELETE') objects.delete(name);
      res.writeHead(req.method === 'DELETE' ? 204 : 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
  s3Url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await target.close();
  await new Promise<void>((resolve) => s3.close(() => resolve()));
});

const env = { AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests', AWS_REGION: 'us-east-1' };

describe('--out s3:// before the load', () => {
  it('a missing bucket: exit 2, one line naming it, and not one request sent', async () => {
    const before = target.requests;
    const run = await runAbx(['-n', '50', '--out', 's3://missing-bucket/x.json', '--endpoint-url', s3Url, target.url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'abx: cannot write to s3://missing-bucket/x.json: PutObject: NoSuchBucket: The specified bucket does not exist',
    ]);
    expect(run.stdout).toBe('');
    expect(target.requests).toBe(before);
  });

  it('an endpoint that refuses: exit 2 before the load, too', async () => {
    const before = target.requests;
    const run = await runAbx(['-n', '50', '--out', 's3://results/x.json', '--endpoint-url', 'http://127.0.0.1:9', target.url], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^abx: cannot write to s3:\/\/results\/x\.json: cannot reach the AWS endpoint for PutObject/);
    expect(target.requests).toBe(before);
  });

  it('a bucket that takes the write: the check leaves nothing behind, and the result is written after the load', async () => {
    const run = await runAbx(['-n', '5', '--out', 's3://results/runs/x.json', '--endpoint-url', s3Url, target.url], { env });
    expect(run.code, run.stderr).toBe(0);
    expect([...objects.keys()]).toEqual(['runs/x.json']);
    expect(JSON.parse(objects.get('runs/x.json')!)).toMatchObject({ schema: 'abx.result/v1' });
  });
});
