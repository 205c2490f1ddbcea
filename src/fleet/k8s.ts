/**
 * `abx fleet --engine k8s`: the Kubernetes Indexed Job that runs N shards of
 * one abx run. Pure: it builds the manifest and the commands to run; abx never
 * talks to the cluster. Each pod is one shard: Kubernetes gives pod i the
 * completion index i, which `--shard auto/N` reads, and every pod waits for
 * the same --start-at, so the shards send one interleaved schedule.
 */
import { stringify } from 'yaml';
import { shardArgs } from './shard-command.js';

export interface K8sFleetSpec {
  /** The Job's name (a DNS-1123 label). */
  name: string;
  namespace: string;
  image: string;
  tasks: number;
  /** The load flags every shard runs with, before the URL (no --shard, --start-at or --out). */
  runArgs: string[];
  url: string;
  /** The agreed first-request time, epoch ms. */
  startAtMs: number;
  /** s3://bucket/prefix (no trailing slash): shard i writes shard-i.json under it. */
  results: string;
  cpu: string;
  memory: string;
  /** Kubernetes service account, e.g. one bound to an IAM role that may write to the results bucket. */
  serviceAccount: string | null;
}

/** The variable the pods' --out names each shard's object by (Kubernetes expands $(NAME) in args from env). */
const INDEX_VARIABLE = 'ABX_SHARD_INDEX';

/** The Job as an object (tests read its fields); `renderK8sManifest` writes it as YAML. */
export function k8sJob(spec: K8sFleetSpec): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'abx', 'app.kubernetes.io/instance': spec.name };
  const args = shardArgs({ ...spec, count: spec.tasks }, 'auto', `$(${INDEX_VARIABLE})`);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      completionMode: 'Indexed',
      completions: spec.tasks,
      parallelism: spec.tasks,
      // A retried shard would send its share again, late and twice over: a failed one is reported missing instead.
      backoffLimit: 0,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(spec.serviceAccount !== null ? { serviceAccountName: spec.serviceAccount } : {}),
          containers: [
            {
              name: 'abx',
              image: spec.image,
              args,
              env: [
                {
                  // Kubernetes sets JOB_COMPLETION_INDEX too; this one is declared so $(ABX_SHARD_INDEX) expands in args.
                  name: INDEX_VARIABLE,
                  valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
                },
                { name: 'NO_COLOR', value: '1' },
              ],
              resources: {
                requests: { cpu: spec.cpu, memory: spec.memory },
                limits: { memory: spec.memory },
              },
            },
          ],
        },
      },
    },
  };
}

export function renderK8sManifest(spec: K8sFleetSpec): string {
  return `# abx fleet: ${spec.tasks} shards of one run against ${spec.url}, starting together at ${new Date(spec.startAtMs).toISOString()}\n${stringify(k8sJob(spec), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** What to run next: apply before the start time, follow, then merge. */
export function k8sNextSteps(spec: K8sFleetSpec, manifestPath: string, nowMs: number): string {
  const inSec = Math.round((spec.startAtMs - nowMs) / 1000);
  return [
    `Wrote the Indexed Job ${spec.name} (${spec.tasks} shards) to ${manifestPath}.`,
    `The shards send their first requests together at ${new Date(spec.startAtMs).toISOString()} (in ${inSec} s): apply it before then.`,
    '',
    `  kubectl apply -f ${manifestPath}`,
    `  kubectl -n ${spec.namespace} wait --for=condition=complete --timeout=24h job/${spec.name}`,
    `  abx fleet collect ${spec.results}`,
    '',
  ].join('\n');
}
