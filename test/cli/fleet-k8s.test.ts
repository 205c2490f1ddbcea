/**
 * `abx fleet --engine k8s` writes an Indexed Job whose pods are the shards of
 * one run: the test reads the manifest back with a YAML parser and checks the
 * fields Kubernetes acts on, and that bad fleets are refused before anything
 * is written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseShard } from '../../src/cli/shard.js';
import { runAbx, stderrLines } from './abx-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'abx-fleet-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Container {
  name: string;
  image: string;
  args: string[];
  env: Array<{ name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

describe('abx fleet --engine k8s', () => {
  it('writes an Indexed Job: N completions in parallel, each pod one shard with the same start time and its own result object', async () => {
    const manifest = join(dir, 'job.yaml');
    const before = Date.now();
    const outcome = await runAbx(
      [
        'fleet',
        '--engine',
        'k8s',
        '--tasks',
        '4',
        '--image',
        'registry.example/abx:0.1.0',
        '--results',
        's3://abx-results/run-7/',
        '--namespace',
        'load',
        '--name',
        'checkout-peak',
        '--cpu',
        '2',
        '--memory',
        '2Gi',
        '--service-account',
        'abx-writer',
        '--manifest',
        manifest,
        '--start-margin',
        '2m',
        '-n',
        '4000',
        '-c',
        '40',
        '-k',
        '-H',
        'X-Test: a b',
        '--no-observe',
        'http://127.0.0.1:8080/checkout',
      ],
      { timeoutMs: 20_000 },
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    const job = parse(readFileSync(manifest, 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string };
      spec: {
        completionMode: string;
        completions: number;
        parallelism: number;
        backoffLimit: number;
        template: { spec: { restartPolicy: string; serviceAccountName: string; containers: Container[] } };
      };
    };
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: 'checkout-peak', namespace: 'load' });
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 0 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.serviceAccountName).toBe('abx-writer');
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toBe('registry.example/abx:0.1.0');
    expect(container.resources).toEqual({ requests: { cpu: '2', memory: '2Gi' }, limits: { memory: '2Gi' } });

    const args = container.args;
    // The user's load flags, unchanged, then what makes the pod a shard, then the URL.
    expect(args.slice(0, 9)).toEqual([
      '--requests',
      '4000',
      '--concurrency',
      '40',
      '--keepalive',
      '--header',
      'X-Test: a b',
      '--no-observe',
      '--shard',
    ]);
    expect(args[args.indexOf('--shard') + 1]).toBe('auto/4');
    const startAt = args[args.indexOf('--start-at') + 1];
    const startAtMs = Date.parse(startAt);
    expect(startAtMs).toBeGreaterThanOrEqual(before + 120_000);
    expect(startAtMs).toBeLessThanOrEqual(Date.now() + 121_000);
    expect(args[args.indexOf('--out') + 1]).toBe('s3://abx-results/run-7/shard-$(ABX_SHARD_INDEX).json');
    expect(args.at(-1)).toBe('http://127.0.0.1:8080/checkout');
    // $(ABX_SHARD_INDEX) expands only from a variable the container declares: the completion index.
    const index = container.env.find((e) => e.name === 'ABX_SHARD_INDEX');
    expect(index?.valueFrom?.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    // What each pod does with --shard auto/4: Kubernetes sets JOB_COMPLETION_INDEX to 0..3.
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });

    expect(outcome.stdout).toContain(`kubectl apply -f ${manifest}`);
    expect(outcome.stdout).toContain('abx fleet collect s3://abx-results/run-7');
    expect(outcome.stdout).toContain(new Date(startAtMs).toISOString());
  });

  it.each([
    [['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', 's3://abx-r/p', '--out', 'm.json'], /k8s takes no --out/],
    [['--engine', 'k8s', '--image', 'i', '--results', 's3://abx-r/p'], /needs --tasks N/],
    [
      ['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', 's3://abx-r/p', '--cluster', 'load'],
      /--cluster is for --engine ecs; --engine k8s takes --namespace, --manifest, --service-account/,
    ],
    [['--engine', 'k8s', '--tasks', '3', '--results', 's3://abx-r/p'], /needs --image IMAGE/],
    [['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', '/tmp/x'], /--results must be s3:\/\/bucket\/prefix/],
    [['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', 's3://abx-r/p', '-n', '2'], /-n 2 is fewer than the 3 shards/],
    [['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', 's3://abx-r/p', '--shard', '0/3'], /takes no --shard/],
    [
      ['--engine', 'k8s', '--tasks', '3', '--image', 'i', '--results', 's3://abx-r/p', '--namespace', 'Bad_NS', '-n', '30', '-c', '3'],
      /--namespace must be a Kubernetes name/,
    ],
  ])('refuses %o: exit 2, one line, no manifest', async (flags, says) => {
    const manifest = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    const outcome = await runAbx(['fleet', ...flags, '--manifest', manifest, '--no-observe', 'http://127.0.0.1:9/'], { timeoutMs: 20_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(stderrLines(outcome)).toHaveLength(1);
    expect(outcome.stderr).toMatch(says);
    expect(existsSync(manifest)).toBe(false);
  });
});
