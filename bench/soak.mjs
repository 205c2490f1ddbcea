#!/usr/bin/env node
/**
 * Soak: `npm run soak`. Not part of the tests (it takes minutes).
 *
 * Runs `abx -k -n 10000000 -c 100 --json` against a local keep-alive server in
 * a separate process and watches the abx process from outside: resident
 * memory (/proc/<pid>/status VmRSS, VmHWM) and open descriptors
 * (/proc/<pid>/fd) at start, every SOAK_SAMPLE_MS and at the end. abx must
 * keep constant memory (no per-request data) and leak no sockets, so the
 * script fails when either grows past its tolerance after warm-up.
 *
 * Event-loop delay: abx does not measure its own loop, so the script preloads
 * a probe into the abx process (`node --import <probe> bin/abx.js ...`) that
 * runs perf_hooks.monitorEventLoopDelay (1 ms resolution) on abx's main
 * thread and writes p50/p99/max to a file when the process exits. The load
 * itself runs in worker threads, so the probe measures the main thread
 * (progress, signals), not the lanes; the Result's client figures
 * (eventLoopUtilization) say how busy the workers were.
 *
 * Environment:
 *   SOAK_N             requests (default 10000000); e.g. SOAK_N=1000000 for a quick check
 *   SOAK_C             concurrency (default 100)
 *   SOAK_SAMPLE_MS     sampling period (default 5000)
 *   SOAK_RSS_MIB       allowed RSS growth after warm-up, MiB (default 64)
 *   SOAK_FD_SLACK      allowed growth in open descriptors after warm-up (default 10)
 *
 * Warm-up ends when the server has answered 10 % of -n (abx --json prints no progress):
 * by then modules are loaded, code is optimised and the heap has found its
 * size, so what grows after it is growth per request.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const requests = Number(process.env.SOAK_N ?? 10_000_000);
const concurrency = Number(process.env.SOAK_C ?? 100);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 5_000);
const rssToleranceMiB = Number(process.env.SOAK_RSS_MIB ?? 64);
const fdSlack = Number(process.env.SOAK_FD_SLACK ?? 10);
for (const [name, value] of Object.entries({
  SOAK_N: requests,
  SOAK_C: concurrency,
  SOAK_SAMPLE_MS: sampleMs,
  SOAK_RSS_MIB: rssToleranceMiB,
  SOAK_FD_SLACK: fdSlack,
})) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: ${name} must be a positive number`);
    process.exit(2);
  }
}

const abxBin = fileURLToPath(new URL('../bin/abx.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'abx-soak-'));
const probePath = join(work, 'loop-probe.mjs');
const probeOut = join(work, 'loop.json');
writeFileSync(
  probePath,
  `import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
process.on('exit', () => {
  h.disable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  writeFileSync(${JSON.stringify(probeOut)}, JSON.stringify({ p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), samples: h.count }));
});
`,
);

// The target: a minimal keep-alive server in its own process, so its work never shows up in abx's numbers.
const serverCode = `
import http from 'node:http';
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  res.end('hello world');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
// abx --json prints no progress, so the server says how far the run is.
setInterval(() => process.stdout.write('served ' + served + '\\n'), 250).unref();
`;
const target = spawn(process.execPath, ['--input-type=module', '-e', serverCode], { stdio: ['ignore', 'pipe', 'inherit'] });
let completed = 0;
const port = await new Promise((resolve, reject) => {
  target.stdout.setEncoding('utf8').on('data', (text) => {
    for (const line of text.split('\n')) {
      const [word, value] = line.split(' ');
      if (word === 'port') resolve(Number(value));
      if (word === 'served') onServed(Number(value));
    }
  });
  target.once('exit', (code) => reject(new Error(`soak: the target server exited (${code})`)));
});

function sample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null; // the process has exited
  }
}

let warmup = null;
const rows = [];
/** Requests the server has answered; warm-up ends at 10 % of -n. */
function onServed(count) {
  completed = count;
  if (warmup === null && abx && count >= requests / 10) {
    warmup = sample(abx.pid);
    if (warmup) record('warm-up end', warmup);
  }
}

const startedMs = performance.now();
let abx = null;
abx = spawn(
  process.execPath,
  [
    '--import',
    pathToFileURL(probePath).href,
    abxBin,
    '-k',
    '-n',
    String(requests),
    '-c',
    String(concurrency),
    '--json',
    `http://127.0.0.1:${port}/`,
  ],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  },
);
let stdout = '';
abx.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
abx.stderr.setEncoding('utf8').on('data', (text) => process.stderr.write(text));

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
function record(label, s) {
  const row = { label, elapsedS: (performance.now() - startedMs) / 1000, completed, ...s };
  rows.push(row);
  console.log(
    `${row.label.padEnd(12)} ${fmt(row.elapsedS).padStart(8)} ${String(row.completed).padStart(10)} ${fmt(row.rssMiB).padStart(9)} ${fmt(row.hwmMiB).padStart(9)} ${String(row.fds).padStart(5)}`,
  );
}

console.log(`abx soak: -k -n ${requests} -c ${concurrency} against http://127.0.0.1:${port}/ (pid ${abx.pid})`);
console.log(
  `${'sample'.padEnd(12)} ${'elapsed s'.padStart(8)} ${'completed'.padStart(10)} ${'RSS MiB'.padStart(9)} ${'peak MiB'.padStart(9)} ${'fds'.padStart(5)}`,
);
// "start": once node is up and abx has opened its connections.
await new Promise((resolve) => setTimeout(resolve, 1_000));
const first = sample(abx.pid);
if (first) record('start', first);
const timer = setInterval(() => {
  const s = sample(abx.pid);
  if (s) record('running', s);
}, sampleMs);

const exitCode = await new Promise((resolve) => abx.once('exit', (code) => resolve(code)));
clearInterval(timer);
target.kill();
const elapsedS = (performance.now() - startedMs) / 1000;

// The last sample while running stands for "end" (after exit /proc has nothing to read).
const running = rows.filter((r) => r.label !== 'start');
const end = rows[rows.length - 1];
let result = null;
try {
  result = JSON.parse(stdout);
} catch {
  // reported below
}
let loop = null;
try {
  loop = JSON.parse(readFileSync(probeOut, 'utf8'));
} catch {
  // reported below
}
rmSync(work, { recursive: true, force: true });

const failures = [];
if (exitCode !== 0) failures.push(`abx exited with ${exitCode}`);
if (!result) failures.push('abx printed no JSON result');
else if (result.totals.completed !== requests || result.totals.failed !== 0) {
  failures.push(`expected ${requests} completed and 0 failed, got ${result.totals.completed} and ${result.totals.failed}`);
}
const base = warmup ?? first;
const afterWarmup = running.filter((r) => r.elapsedS >= (rows.find((r) => r.label === 'warm-up end')?.elapsedS ?? 0));
const maxRss = Math.max(...afterWarmup.map((r) => r.rssMiB));
const maxFds = Math.max(...afterWarmup.map((r) => r.fds));
if (base && afterWarmup.length > 0) {
  if (maxRss - base.rssMiB > rssToleranceMiB)
    failures.push(`RSS grew ${fmt(maxRss - base.rssMiB)} MiB after warm-up (allowed ${rssToleranceMiB} MiB)`);
  if (maxFds - base.fds > fdSlack) failures.push(`open descriptors grew from ${base.fds} to ${maxFds} (allowed +${fdSlack})`);
} else {
  failures.push('too few samples: raise SOAK_N or lower SOAK_SAMPLE_MS');
}

console.log('');
console.log('summary');
console.log(
  `  requests            ${result?.totals.completed ?? '?'} completed, ${result?.totals.failed ?? '?'} failed, ${fmt(result?.totals.rps ?? NaN, 0)} req/s, ${fmt(elapsedS)} s wall`,
);
console.log(
  `  RSS                 start ${fmt(first?.rssMiB)} MiB, after warm-up ${fmt(base?.rssMiB)} MiB, max after warm-up ${fmt(maxRss)} MiB, end ${fmt(end?.rssMiB)} MiB, peak (VmHWM) ${fmt(end?.hwmMiB)} MiB`,
);
console.log(
  `  open descriptors    start ${first?.fds ?? '?'}, after warm-up ${base?.fds ?? '?'}, max after warm-up ${maxFds}, end ${end?.fds ?? '?'}`,
);
console.log(
  `  event-loop delay    ${loop ? `p50 ${loop.p50Ms} ms, p99 ${loop.p99Ms} ms, max ${loop.maxMs} ms (abx main thread, sampled every 1 ms, the 1 ms included)` : 'not measured'}`,
);
console.log(
  `  latency             ${result ? `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms` : '?'}`,
);
if (failures.length > 0) {
  for (const f of failures) console.error(`soak: FAIL: ${f}`);
  process.exit(1);
}
console.log(`soak: OK (RSS within +${rssToleranceMiB} MiB and descriptors within +${fdSlack} after warm-up)`);
