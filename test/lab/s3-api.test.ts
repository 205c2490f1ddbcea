/**
 * The lab's in-memory, path-style S3 through the real AWS SDK v3 S3 client:
 * the four calls abx makes to write shard results and read them back, on the
 * same endpoint as the lab's other services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { LAB_CREDENTIALS, startLab, type Lab } from '../../src/lab/index.js';

let lab: Lab;
let s3: S3Client;

beforeAll(async () => {
  lab = await startLab();
  s3 = new S3Client({ region: lab.region, endpoint: lab.apiUrl, forcePathStyle: true, credentials: { ...LAB_CREDENTIALS } });
});

afterAll(async () => {
  s3.destroy();
  await lab.close();
});

describe('the lab answers S3', () => {
  it('PutObject then GetObject and HeadObject give the bytes, type, size and ETag back', async () => {
    const body = JSON.stringify({ hello: 'wörld', n: [1, 2, 3] });
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'abx-lab-results', Key: 'runs/a b/one.json', Body: body, ContentType: 'application/json' }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'abx-lab-results', Key: 'runs/a b/one.json' }));
    expect(await got.Body?.transformToString('utf8')).toBe(body);
    expect(got.ContentType).toBe('application/json');
    expect(got.ETag).toBe(put.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'abx-lab-results', Key: 'runs/a b/one.json' }));
    expect(head.ContentLength).toBe(Buffer.byteLength(body));
    expect(head.ETag).toBe(put.ETag);
  });

  it('a missing key is NoSuchKey on GetObject and NotFound on HeadObject', async () => {
    await expect(s3.send(new GetObjectCommand({ Bucket: 'abx-lab-results', Key: 'nope.json' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'abx-lab-results', Key: 'nope.json' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('ListObjectsV2 lists the keys under a prefix in order, page by page', async () => {
    for (const i of [2, 0, 1]) {
      await s3.send(new PutObjectCommand({ Bucket: 'abx-lab-list', Key: `t1/shard-${i}.json`, Body: `{"i":${i}}` }));
    }
    await s3.send(new PutObjectCommand({ Bucket: 'abx-lab-list', Key: 't2/other.json', Body: '{}' }));
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'abx-lab-list', Prefix: 't1/' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(['t1/shard-0.json', 't1/shard-1.json', 't1/shard-2.json']);
    expect(all.KeyCount).toBe(3);
    expect(all.Contents?.[0].Size).toBe(7);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'abx-lab-list', Prefix: 't1/', MaxKeys: 2 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Contents?.map((c) => c.Key)).toEqual(['t1/shard-0.json', 't1/shard-1.json']);
    const rest = await s3.send(
      new ListObjectsV2Command({ Bucket: 'abx-lab-list', Prefix: 't1/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }),
    );
    expect(rest.IsTruncated).toBe(false);
    expect(rest.Contents?.map((c) => c.Key)).toEqual(['t1/shard-2.json']);
    const none = await s3.send(new ListObjectsV2Command({ Bucket: 'abx-lab-list', Prefix: 'nothing/' }));
    expect(none.KeyCount).toBe(0);
    expect(none.Contents ?? []).toEqual([]);
  });

  it('the other services still answer on the same endpoint', async () => {
    const asg = new AutoScalingClient({ region: lab.region, endpoint: lab.apiUrl, credentials: { ...LAB_CREDENTIALS } });
    try {
      const groups = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [lab.asgName] }));
      expect(groups.AutoScalingGroups?.[0]?.AutoScalingGroupName).toBe(lab.asgName);
    } finally {
      asg.destroy();
    }
  });
});
