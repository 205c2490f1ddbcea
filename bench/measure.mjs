// Runs one client process pinned to a CPU and measures what it cost: wall
// time, user + system CPU time and peak RSS.
//
// How: GNU time (`/usr/bin/time -f "%e %U %S %M"`) wraps the tool. It reads the
// child's rusage from wait4(), so CPU time is exact to the kernel's 10 ms
// accounting and covers every thread (worker threads, Go's runtime threads)
// and any process the tool itself waits for; %M is ru_maxrss, the same peak
// as /proc/<pid>/status VmHWM. Node's process.resourceUsage() would not do:
// it is RUSAGE_SELF, the bench's own process, not its children.
// Without GNU time, /proc/<pid>/stat and /proc/<pid>/status are sampled every
// 50 ms while the tool runs (the last < 50 ms of CPU time are then missed).
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The absolute path of an executable on PATH, or null. */
export function findExecutable(name) {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    if (isExecutable(path)) return path;
  }
  return null;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const TASKSET = findExecutable('taskset');
const GNU_TIME = isExecutable('/usr/bin/time') ? '/usr/bin/time' : null;

export const measurementMethod = GNU_TIME
  ? 'GNU time (/usr/bin/time -f "%e %U %S %M": wait4() rusage of the client process, all threads)'
  : '/proc/<pid>/stat utime+stime and /proc/<pid>/status VmHWM, sampled every 50 ms (GNU time not installed)';

/** [cmd, args] running `cmd args` on one CPU when taskset exists and a CPU is given. */
export function pinned(cpu, cmd, args) {
  if (cpu === null || !TASKSET) return [cmd, args];
  return [TASKSET, ['-c', String(cpu), cmd, ...args]];
}

export const canPin = TASKSET !== null;

/**
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string,
 *   wallMs: number, cpuMs: number | null, maxRssKb: number | null, timedOut: boolean }>}
 */
export function runMeasured(cmd, args, { cpu, timeoutMs }) {
  let timeDir = null;
  let timeFile = null;
  let argv = [cmd, ...args];
  if (GNU_TIME) {
    timeDir = mkdtempSync(join(tmpdir(), 'abx-bench-time-'));
    timeFile = join(timeDir, 'rusage');
    argv = [GNU_TIME, '-o', timeFile, '-f', '%e %U %S %M', ...argv];
  }
  const [command, commandArgs] = pinned(cpu, argv[0], argv.slice(1));
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const sampler = GNU_TIME ? null : startProcSampler(child.pid);
    child.once('error', (error) => {
      clearTimeout(timer);
      sampler?.stop();
      reject(error);
    });
    child.once('close', (code, signal) => {
      const wallMs = performance.now() - startedMs;
      clearTimeout(timer);
      let cpuMs = null;
      let maxRssKb = null;
      if (timeFile) {
        try {
          // GNU time writes "Command exited with non-zero status N" first when the tool fails.
          const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
          const [, user, sys, rss] = last.split(/\s+/).map(Number);
          if ([user, sys, rss].every(Number.isFinite)) {
            cpuMs = (user + sys) * 1000;
            maxRssKb = rss;
          }
        } catch {
          // No rusage file: the tool was killed before GNU time could write it.
        }
        rmSync(timeDir, { recursive: true, force: true });
      } else if (sampler) {
        ({ cpuMs, maxRssKb } = sampler.stop());
      }
      resolve({ code, signal, stdout, stderr, wallMs, cpuMs, maxRssKb, timedOut });
    });
  });
}

function startProcSampler(pid) {
  // Clock ticks per second: 100 on every Linux build that matters here (getconf CLK_TCK).
  const ticksPerSec = 100;
  let cpuMs = null;
  let maxRssKb = null;
  const sample = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the "(comm)" part: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSec;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) maxRssKb = Number(hwm[1]);
    } catch {
      // The process is gone; keep the last sample.
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      return { cpuMs, maxRssKb };
    },
  };
}
