/**
 * Shards write their results to S3 (--out s3://…) and `abx merge` reads them
 * back from the prefix: against the lab's S3, through the real SDK, with the
 * endpoint given as a flag to the runs and as AWS_ENDPOINT_URL to the merge.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LAB_CREDENTIALS, startLab, type Lab } from '../../src/lab/index.js';
import type { Result } from '../../src/stats/result.js';
import { abField, runAbx } from '../cli/abx-process.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let lab: Lab;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'abx-shards-s3-'));
  [lab, server] = await Promise.all([startLab(), startServer()]);
});

afterAll(async () => {
  await Promise.all([lab.close(), server.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('shard results on S3', () => {
  it('two shards write s3://…/shard-I.json, and abx merge of the prefix counts every request once', async () => {
    const env = { AWS_ACCESS_KEY_ID: LAB_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAB_CREDENTIALS.secretAccessKey };
    const runs = await Promise.all(
      [0, 1].map((i) =>
        runAbx(
          [
            '-n',
            '50',
            '-c',
            '4',
            '--shard',
            `${i}/2`,
            '--endpoint-url',
            lab.apiUrl,
            '--out',
            `s3://abx-lab-results/t1/shard-${i}.json`,
            '--no-observe',
            server.url,
          ],
          { env, timeoutMs: 60_000 },
        ),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(server.requests).toBe(50);

    const s3 = new S3Client({ region: lab.region, endpoint: lab.apiUrl, forcePathStyle: true, credentials: { ...LAB_CREDENTIALS } });
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'abx-lab-results', Prefix: 't1/' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['t1/shard-0.json', 't1/shard-1.json']);
    } finally {
      s3.destroy();
    }

    const merged = await runAbx(['merge', 's3://abx-lab-results/t1/'], {
      env: { ...env, AWS_ENDPOINT_URL: lab.apiUrl },
      timeoutMs: 60_000,
    });
    expect(merged.code, merged.stderr).toBe(0);
    const result = JSON.parse(merged.stdout) as Result;
    expect(result.totals.requests).toBe(50);
    expect(result.options.requests).toBe(50);

    // The fleet's own way to the same merge: one report and a line per shard.
    const collected = await runAbx(['fleet', 'collect', 's3://abx-lab-results/t1', '--out', join(dir, 'merged.json')], {
      env: { ...env, AWS_ENDPOINT_URL: lab.apiUrl },
      timeoutMs: 60_000,
    });
    expect(collected.code, collected.stderr).toBe(0);
    // One row per shard: its index and its 25 requests.
    expect(collected.stdout).toMatch(/Shards merged: 2\nShard +Requests[^\n]*\n0 +25 [^\n]*\n1 +25 /);
    expect(abField(collected.stdout, 'Complete requests')).toBe('50');
    expect((JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as Result).totals.requests).toBe(50);

    const report = await runAbx(['report', 's3://abx-lab-results/t1/shard-1.json'], {
      env: { ...env, AWS_ENDPOINT_URL: lab.apiUrl },
      timeoutMs: 60_000,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(abField(report.stdout, 'Complete requests')).toBe('25');

    // abx compare reads s3:// objects as it reads files: a table of both runs' figures, and a verdict.
    const compared = await runAbx(
      ['compare', 's3://abx-lab-results/t1/shard-0.json', 's3://abx-lab-results/t1/shard-1.json', '--max-regression', '1000%'],
      {
        env: { ...env, AWS_ENDPOINT_URL: lab.apiUrl },
        timeoutMs: 60_000,
      },
    );
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/^Metric +Base +New/m);
    expect(compared.stdout).toMatch(/No regression beyond 1000%/);
    const missing = await runAbx(['compare', 's3://abx-lab-results/t1/shard-0.json', 's3://abx-lab-results/t1/shard-9.json'], {
      env: { ...env, AWS_ENDPOINT_URL: lab.apiUrl },
      timeoutMs: 60_000,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read result file s3:\/\/abx-lab-results\/t1\/shard-9\.json: GetObject: NoSuchKey/);
  }, 120_000);
});
