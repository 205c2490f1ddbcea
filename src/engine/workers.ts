/**
 * Runs a load in worker threads, each with its own undici clients and
 * recorder, and merges their Results exactly (mergeResults: histograms added,
 * counters summed, timelines aligned by second). A worker costs a thread
 * start-up (~30 ms) and memory; in exchange the load runs in its own V8
 * isolate, where stack traces can be off without touching the main thread.
 * -g rows arrive in batches and are handed to onRow here, in this thread.
 */
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AbortWindow, type AbortFired } from '../stats/abort-window.js';
import { summariseClient } from '../stats/client.js';
import { mergeResults } from '../stats/merge.js';
import type { RequestRow } from '../stats/request-row.js';
import type { RecordedOptions, Result } from '../stats/result.js';
import type { LoadConfig } from './config.js';
import { scheduleOf, sumLiveCounts, withLoadShape, type LiveCounts, type RunLoadOptions, type RunningLoad } from './outcome.js';
import { SecondsFold } from './seconds-fold.js';
import { startClientSampler, type ClientSampler } from './client-sampler.js';
import { splitConfig } from './split.js';
import { ROW_FIELDS, type FromWorker, type ToWorker, type WorkerInput } from './worker-protocol.js';

/**
 * The worker script, next to this module once compiled. A Worker cannot load
 * TypeScript, so when this module itself runs from src/ (the tests, through
 * vitest) the compiled copy in dist/ is used, and only if it was built after
 * every source file: a stale worker would silently test old code. vitest's
 * global setup compiles src/ before the tests for that reason.
 */
function workerScript(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./worker-entry.js', import.meta.url);
  const built = new URL('../../dist/engine/worker-entry.js', import.meta.url);
  const builtMs = mtimeMs(fileURLToPath(built));
  const newestSourceMs = newestMtimeMs(fileURLToPath(new URL('..', import.meta.url)));
  if (builtMs < newestSourceMs) {
    throw new Error('dist/ is older than src/, so a load worker would run stale code: run `npm run build` first');
  }
  return built;
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, mtimeMs(`${entry.parentPath}/${entry.name}`));
  }
  return newest;
}

/**
 * The load worker's young generation, MB. A worker otherwise gets a main
 * thread's (16 MB semi-spaces, 48 MB in all), but the load allocates
 * short-lived objects per request and keeps almost nothing, so a smaller
 * nursery is scavenged more often, each time cheaply. Too small and objects of
 * requests still in flight get promoted, growing the old generation instead.
 * Peak RSS of `-k -n 1000000 -c 100` (nginx on one core, abx on the other):
 * 2 MB 121, 4 MB 125, 8 MB 97, 16 MB 104–105, 48 MB 116 MB, CPU within noise.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

function forEachRow(rows: Float64Array, onRow: (row: RequestRow) => void): void {
  for (let at = 0; at + ROW_FIELDS <= rows.length; at += ROW_FIELDS) {
    onRow({ startedAtMs: rows[at], connectMs: rows[at + 1], processingMs: rows[at + 2], totalMs: rows[at + 3], waitingMs: rows[at + 4] });
  }
}

export function runInWorkers(config: LoadConfig, recorded: RecordedOptions, threads: number, options: RunLoadOptions): RunningLoad {
  const script = workerScript();
  const shares = splitConfig(config, threads);
  const startAtEpochMs = options.startAtEpochMs ?? Date.now();
  const live: LiveCounts[] = shares.map(() => ({ finished: 0, errors: 0, p99Ms: 0 }));
  let headSeen = false;
  const spawnedAtMs = performance.now();
  let startupMs = 0;
  let sampler: ClientSampler | null = null;
  const workers = shares.map((share) => {
    const input: WorkerInput = {
      config: { ...share.config, url: share.config.url.href, body: share.config.body ? new Uint8Array(share.config.body) : null },
      recorded: {
        ...recorded,
        requests: share.config.requests,
        concurrency: share.config.concurrency,
        ratePerSec: share.config.ratePerSec,
        workers: 1,
      },
      paceOffsetMs: share.paceOffsetMs,
      slice: share.slice,
      startAtEpochMs,
      seconds: options.abortOn !== undefined,
      rows: options.onRow !== undefined,
    };
    return new Worker(script, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  });
  const send = (message: ToWorker): void => workers.forEach((w) => w.postMessage(message));
  const stopAll = (): void => send({ type: 'stop' });
  // --abort-on: whole seconds of every worker, added up in order, go through the sliding window.
  const abortState: { fired: AbortFired | null } = { fired: null };
  const abortWindow = options.abortOn ? new AbortWindow(options.abortOn) : null;
  const seconds = new SecondsFold(workers.length, (second) => {
    if (abortWindow === null || abortState.fired !== null) return;
    abortState.fired = abortWindow.add(second);
    if (abortState.fired !== null) send({ type: 'stop', reason: 'abort-on' });
  });
  const schedule = scheduleOf(config);
  let goAtMs: number | null = null;
  options.signal?.addEventListener('abort', stopAll, { once: true });
  // Already aborted (Ctrl-C before the load started): the workers stop as soon as they start.
  if (options.signal?.aborted) stopAll();

  let ready = 0;
  const results = workers.map(
    (worker, index) =>
      new Promise<Result>((resolve, reject) => {
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'ready') {
            // Start together so the shares' schedules share one origin.
            if (++ready === workers.length) {
              goAtMs = performance.now();
              startupMs = goAtMs - spawnedAtMs;
              sampler = startClientSampler(
                workers.map((w) => w.performance),
                ...(options.samplerClock ? [options.samplerClock] : []),
              );
              send({ type: 'go' });
            }
          } else if (message.type === 'progress') {
            live[index] = message;
          } else if (message.type === 'seconds') {
            for (const second of message.seconds) seconds.add(second);
          } else if (message.type === 'head') {
            if (!headSeen) options.onResponseHead?.(message.lines);
            headSeen = true;
          } else if (message.type === 'rows') {
            if (options.onRow) forEachRow(message.rows, options.onRow);
          } else if (message.type === 'result') {
            // The result is the worker's last word: progress read after the load ends shows its final counts.
            const { totals, latencyMs, rate } = message.result;
            // Read its loop before the thread exits (an exited thread reads as zeros).
            sampler?.retire(index);
            live[index] = {
              finished: totals.requests,
              errors: totals.failed,
              p99Ms: latencyMs.p99,
              sent: totals.requests,
              late: rate?.late ?? 0,
            };
            resolve(message.result);
          } else {
            reject(new Error(`load worker ${index + 1} failed: ${message.message}`));
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`load worker ${index + 1} exited with code ${code}`)));
      }),
  );

  const done = Promise.all(results).then((parts) => {
    options.signal?.removeEventListener('abort', stopAll);
    const merged = withLoadShape(parts.length === 1 ? parts[0] : mergeResults(parts), config);
    const fired = abortState.fired;
    const client = summariseClient(sampler?.stop() ?? [], {
      workers: workers.length,
      cores: availableParallelism(),
      workersReason: options.workersReason ?? `${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}`,
      startupMs,
      rate: merged.rate,
    });
    return {
      result: {
        ...merged,
        concurrency: config.concurrency,
        options: recorded,
        client,
        ...(fired ? { aborted: { condition: fired.condition, atSecond: fired.atSecond } } : {}),
      },
    };
  });
  done.catch(() => {
    stopAll();
    sampler?.stop();
  });
  const targetRps = (): number | null => {
    if (schedule === null || goAtMs === null) return null;
    const elapsedMs = performance.now() - goAtMs;
    return config.durationMs !== null && elapsedMs >= config.durationMs ? 0 : schedule.rateAtMs(elapsedMs);
  };
  return { progress: () => sumLiveCounts(live), targetRps, done };
}
