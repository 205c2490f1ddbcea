// npm run bench: abx against its peers on one local server, as ratios
// measured in one run (see docs/benchmarks.md).
//
// The target runs in its own process pinned to CPU 0 (nginx when installed,
// else a Node http server); each client runs pinned to CPU 1, one at a time,
// 50 connections, a fixed request count (wrk is time-based: it runs for about
// as long as abx did in the same round). Two modes, one table each: a new
// connection per request (ab's default, what people type) and keep-alive
// (-k). Tools alternate A B C A B C over the rounds so drift on the machine
// lands on all of them. The "net floor" row is a bare Node net client
// (bench/net-floor.mjs): what Node itself costs, with no HTTP library.
// Only 127.0.0.1 is ever contacted, and every run has a time limit.
//
// Environment:
//   BENCH_REQUESTS=200000   requests per keep-alive run
//   BENCH_CLOSE_REQUESTS=20000   requests per run without keep-alive
//   BENCH_MODES=close,keepalive  which modes to run
//   BENCH_ROUNDS=3          rounds (each tool once per round)
//   BENCH_CONCURRENCY=50    connections
//   BENCH_TOOLS=abx,net,autocannon,ab,wrk,hey   subset to run
//   BENCH_TARGET=auto|nginx|node
//   BENCH_SERVER_CPU=0 BENCH_CLIENT_CPU=1   CPUs to pin to ("none" = no pinning)
//   BENCH_LONG=1            also measure abx's peak RSS for -n 10000000 (minutes)
//   BENCH_JSON=file         also write every measurement as JSON
//   ABX_BIN=path            the abx entry to run (default bin/abx.js; e.g. a scratch build)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin, measurementMethod, pinned, runMeasured } from './measure.mjs';
import { checkOpenLoopRate, DURATION_SEC, RATE_PER_SEC, TOLERANCE } from './open-loop-rate.mjs';
import { checkTargets, median, renderTable, renderTargets, summarise } from './table.mjs';
import { startTarget } from './target.mjs';
import { tools as allTools } from './tools.mjs';

const env = process.env;

function intFromEnv(name, fallback, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`bench: ${name}=${raw} must be a whole number ≥ ${min}`);
    process.exit(2);
  }
  return value;
}

function cpuFromEnv(name, fallback) {
  const raw = env[name];
  if (raw === 'none') return null;
  return intFromEnv(name, fallback, 0);
}

const requests = intFromEnv('BENCH_REQUESTS', 200_000, 50);
const closeRequests = intFromEnv('BENCH_CLOSE_REQUESTS', 20_000, 50);
const MODES = {
  close: { keepAlive: false, requests: closeRequests, title: 'New connection per request (ab default; abx without -k)' },
  keepalive: { keepAlive: true, requests, title: 'Keep-alive (-k)' },
};
const modeNames = (env.BENCH_MODES ?? 'close,keepalive').split(',').map((m) => m.trim());
for (const m of modeNames) {
  if (!(m in MODES)) {
    console.error(`bench: BENCH_MODES=${env.BENCH_MODES} must list close and/or keepalive`);
    process.exit(2);
  }
}
const rounds = intFromEnv('BENCH_ROUNDS', 3, 1);
const concurrency = intFromEnv('BENCH_CONCURRENCY', 50, 1);
const longRequests = intFromEnv('BENCH_LONG_REQUESTS', 10_000_000, 1);
const abxBin = env.ABX_BIN ?? fileURLToPath(new URL('../bin/abx.js', import.meta.url));
const targetKind = env.BENCH_TARGET ?? 'auto';
if (!['auto', 'nginx', 'node'].includes(targetKind)) {
  console.error(`bench: BENCH_TARGET=${targetKind} must be auto, nginx or node`);
  process.exit(2);
}

const cpus = availableParallelism();
// Pinning the server and the client to different CPUs needs two of them and taskset.
const pinning = canPin && cpus >= 2;
const serverCpu = pinning ? cpuFromEnv('BENCH_SERVER_CPU', 0) : null;
const clientCpu = pinning ? cpuFromEnv('BENCH_CLIENT_CPU', 1) : null;

/** A run that never ends is a bug in the bench or a tool; nothing may run unbounded. */
function timeoutMsFor(count) {
  return Math.min(30 * 60_000, Math.max(60_000, (count / 2000) * 1000));
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match ? match[1].trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

function log(line) {
  process.stderr.write(line + '\n');
}

async function runTool(tool, spec, round) {
  const args = tool.argv(spec);
  const count = tool.timeBased ? spec.durationSec * 60_000 : spec.requests;
  const run = await runMeasured(tool.command, args, { cpu: clientCpu, timeoutMs: timeoutMsFor(count) });
  const label = `${spec.keepAlive ? '-k' : 'close'} round ${round} ${tool.name}`;
  if (run.timedOut) throw new Error(`${label}: killed after ${Math.round(timeoutMsFor(count) / 1000)} s`);
  if (run.code !== 0) throw new Error(`${label}: exited with ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
  const parsed = tool.parse(run.stdout);
  if (!tool.timeBased && parsed.requests !== spec.requests) {
    log(`bench: warning: ${label} reports ${parsed.requests} requests, asked for ${spec.requests}`);
  }
  if (parsed.errors > 0) log(`bench: warning: ${label} counted ${parsed.errors} failed or non-2xx requests`);
  const cpuUs = run.cpuMs === null ? 'n/a' : ((run.cpuMs * 1000) / parsed.requests).toFixed(1);
  log(
    `  ${label.padEnd(20)} ${Math.round(parsed.rps).toString().padStart(7)} rps  ${cpuUs.padStart(6)} µs CPU/req  ${run.maxRssKb === null ? 'n/a' : (run.maxRssKb / 1024).toFixed(1)} MB  (${(run.wallMs / 1000).toFixed(2)} s wall)`,
  );
  return {
    tool: tool.name,
    mode: spec.keepAlive ? 'keepalive' : 'close',
    round,
    ...parsed,
    cpuMs: run.cpuMs,
    maxRssKb: run.maxRssKb,
    wallMs: run.wallMs,
    args,
  };
}

/** Wall time of `abx --version`, process spawn to exit, pinned like the load runs. */
async function versionTimes(times) {
  const out = [];
  for (let i = 0; i <= times; i++) {
    const [cmd, args] = pinned(clientCpu, process.execPath, [abxBin, '--version']);
    const startedMs = performance.now();
    const code = await new Promise((resolve) => spawn(cmd, args, { stdio: 'ignore' }).once('close', resolve));
    const ms = performance.now() - startedMs;
    if (code !== 0) throw new Error(`abx --version exited with ${code}`);
    // The first run warms the page cache; it is not counted.
    if (i > 0) out.push(ms);
  }
  return out;
}

async function main() {
  const wanted = env.BENCH_TOOLS ? new Set(env.BENCH_TOOLS.split(',').map((s) => s.trim())) : null;
  const selected = allTools(abxBin).filter((t) => wanted === null || wanted.has(t.name) || wanted.has(t.name.split(' ')[0]));
  const available = selected.filter((t) => t.command !== null);
  const skipped = selected.filter((t) => t.command === null).map((t) => `${t.name}: ${t.missing}`);

  const machine = {
    nproc: cpus,
    cpu: cpuModel(),
    node: process.version,
    kernel: release(),
  };
  // Other work on the machine moves rps far more than it moves CPU per request: say how busy it was.
  const loadBefore = loadavg()[0];
  const target = await startTarget({ cpu: serverCpu, kind: targetKind });
  const cleanup = async () => {
    await target.stop();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));

  log(`bench: target ${target.description} at ${target.url}`);
  log(
    `bench: clients ${pinning ? `pinned to CPU ${clientCpu}` : 'not pinned (needs taskset and 2 CPUs)'}; modes ${modeNames.join(', ')} (${closeRequests} requests without keep-alive, ${requests} with), -c ${concurrency}, ${rounds} rounds`,
  );
  log(`bench: tools ${available.map((t) => t.name).join(', ')}${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}`);

  const runs = [];
  const failures = [];
  /** wrk's -d per mode, from abx's rate in that mode. */
  const wrkSeconds = {};
  try {
    // Warm the target (page cache, nginx's first accept) without measuring it.
    const warm = available.find((t) => !t.timeBased);
    if (warm) {
      await runTool(warm, { requests: Math.min(requests, 10_000), concurrency, url: target.url, durationSec: 1, keepAlive: true }, 0).catch(
        (e) => log(`bench: warm-up failed: ${e.message}`),
      );
    }
    for (const modeName of modeNames) {
      const mode = MODES[modeName];
      const inMode = available.filter((t) => !t.modes || t.modes.includes(modeName));
      log(`bench: ${mode.title}: ${inMode.map((t) => t.name).join(', ')}`);
      for (let round = 1; round <= rounds; round++) {
        for (const tool of inMode) {
          // wrk runs for a duration: about as long as abx's active phase in this mode.
          const abxRps = median(runs.filter((r) => r.tool === 'abx' && r.mode === modeName).map((r) => r.rps));
          const durationSec = Math.max(1, Math.round(mode.requests / (abxRps ?? (mode.keepAlive ? 30_000 : 3_000))));
          if (tool.timeBased) wrkSeconds[modeName] = durationSec;
          try {
            runs.push(
              await runTool(tool, { requests: mode.requests, concurrency, url: target.url, durationSec, keepAlive: mode.keepAlive }, round),
            );
          } catch (error) {
            failures.push(error.message);
            log(`bench: ${error.message}`);
          }
        }
      }
    }

    let versionMs = null;
    let versionAll = [];
    if (available.some((t) => t.name === 'abx')) {
      try {
        versionAll = await versionTimes(10);
        versionMs = median(versionAll);
      } catch (error) {
        failures.push(error.message);
      }
    }

    // abx's open loop holds its rate (a machine-dependent figure, so it is checked here, not in the unit tests).
    let rateCheck = null;
    if (available.some((t) => t.name === 'abx')) {
      try {
        rateCheck = await checkOpenLoopRate({ abxBin, url: target.url, cpu: clientCpu });
        log(`bench: --rate ${RATE_PER_SEC} for ${DURATION_SEC} s: ${rateCheck.sent} sent, ${rateCheck.achievedPerSec.toFixed(1)}/s`);
        if (!rateCheck.held) failures.push(`--rate ${RATE_PER_SEC} missed its rate by more than ${TOLERANCE * 100} %`);
      } catch (error) {
        failures.push(error.message);
        log(`bench: ${error.message}`);
      }
    }

    let longRun = null;
    if (env.BENCH_LONG === '1' && available.some((t) => t.name === 'abx')) {
      log(`bench: BENCH_LONG=1: abx -k -n ${longRequests} -c ${concurrency} (takes minutes)`);
      const abx = available.find((t) => t.name === 'abx');
      try {
        longRun = await runTool(abx, { requests: longRequests, concurrency, url: target.url, durationSec: 1, keepAlive: true }, 'long');
      } catch (error) {
        failures.push(error.message);
        log(`bench: ${error.message}`);
      }
    }

    const rowsByMode = {};
    for (const modeName of modeNames) {
      rowsByMode[modeName] = summarise(
        available.map((t) => t.name),
        runs.filter((r) => r.mode === modeName),
      );
    }
    const checks = checkTargets(rowsByMode, {
      versionMs,
      longRssMb: longRun?.maxRssKb ? longRun.maxRssKb / 1024 : null,
      closeRequests,
      concurrency,
    });
    const out = [];
    out.push(`Machine: ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, Linux ${machine.kernel}`);
    out.push(`Target: ${target.description}`);
    out.push(
      `Clients: ${pinning ? `pinned to CPU ${clientCpu}` : 'not pinned'}, -c ${concurrency}, ${rounds} rounds alternating ${available.map((t) => t.name).join(' → ')}`,
    );
    out.push(`CPU and RSS: ${measurementMethod}`);
    out.push(
      `Load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} (0 = idle machine; the bench itself adds about 2)`,
    );
    for (const modeName of modeNames) {
      const mode = MODES[modeName];
      out.push('');
      out.push(
        `${mode.title}: ${mode.requests} requests per run${wrkSeconds[modeName] ? ` (wrk: -d${wrkSeconds[modeName]}s${mode.keepAlive ? '' : ', "Connection: close"'})` : ''}`,
      );
      out.push('');
      out.push(renderTable(rowsByMode[modeName]));
    }
    out.push('');
    out.push(renderTargets(checks));
    out.push('');
    if (versionAll.length) out.push(`abx --version wall times (ms): ${versionAll.map((ms) => ms.toFixed(0)).join(' ')}`);
    if (longRun) {
      out.push(
        `abx -k -n ${longRequests} -c ${concurrency}: ${Math.round(longRun.rps)} rps, ${((longRun.cpuMs * 1000) / longRun.requests).toFixed(1)} µs CPU/req, peak RSS ${(longRun.maxRssKb / 1024).toFixed(1)} MB, ${(longRun.wallMs / 1000).toFixed(0)} s`,
      );
    }
    if (rateCheck) {
      out.push(
        `abx --rate ${RATE_PER_SEC} -t ${DURATION_SEC}s: ${rateCheck.sent} sent (${rateCheck.expected} due), ${rateCheck.achievedPerSec.toFixed(1)}/s, ${rateCheck.late} late: ${rateCheck.held ? 'within' : 'NOT within'} ${TOLERANCE * 100} %`,
      );
    }
    if (skipped.length) out.push(`Skipped: ${skipped.join('; ')}`);
    if (failures.length) out.push(`Failed runs (left out of the table): ${failures.map((f) => f.split('\n')[0]).join('; ')}`);
    process.stdout.write(out.join('\n') + '\n');

    if (env.BENCH_JSON) {
      writeFileSync(
        env.BENCH_JSON,
        JSON.stringify(
          {
            machine,
            target: target.description,
            requests,
            closeRequests,
            concurrency,
            rounds,
            runs,
            rows: rowsByMode,
            checks,
            versionMs: versionAll,
            longRun,
            rateCheck,
            skipped,
            failures,
          },
          null,
          2,
        ) + '\n',
      );
    }
    if (failures.length) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exitCode = 1;
});
