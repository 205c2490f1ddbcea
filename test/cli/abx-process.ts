/**
 * Runs the built CLI (bin/abx.js → dist/) as a child process, the way a user
 * does, and collects its exit code and output. The tests build nothing
 * themselves: `npm test` runs tsc first.
 *
 * ABX_BIN may point at another abx.js (useful while dist/ is being rebuilt).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ABX_BIN = process.env.ABX_BIN ?? fileURLToPath(new URL('../../bin/abx.js', import.meta.url));

export interface AbxOutcome {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size (VmHWM, KiB) sampled from /proc while it ran; 0 if never read. */
  peakRssKiB: number;
}

export interface AbxRun {
  child: ChildProcess;
  /** Resolves once the process has exited. */
  done: Promise<AbxOutcome>;
  /** Resolves when stdout or stderr has contained `text`. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
}

/** Environment for the child: no colour, no CI step summary, and never a real AWS endpoint. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // A CI runner's own step summary and colour settings must not leak into the child; a test may set its own.
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  delete inherited.GITHUB_STEP_SUMMARY;
  delete inherited.FORCE_COLOR;
  return { ...inherited, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export function startAbx(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; sampleRss?: boolean } = {}): AbxRun {
  const child = spawn(process.execPath, [ABX_BIN, ...args], { env: childEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peakRssKiB = 0;
  const waiters: Array<{ test: (s: string) => boolean; stream: 'stdout' | 'stderr' | undefined; resolve: () => void }> = [];
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      const text = w.stream === 'stdout' ? stdout : w.stream === 'stderr' ? stderr : stdout + stderr;
      if (w.test(text)) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    check();
  });
  // VmHWM is a high-water mark, so the last successful read is the peak so far.
  const sampler = opts.sampleRss
    ? setInterval(() => {
        try {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (hwm) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
        } catch {
          // the process has gone
        }
      }, 10)
    : null;
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const done = new Promise<AbxOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (sampler) clearInterval(sampler);
      resolve({ code, signal, stdout, stderr, peakRssKiB });
    });
  });
  return {
    child,
    done,
    waitFor(text, stream) {
      const test = typeof text === 'string' ? (s: string) => s.includes(text) : (s: string) => text.test(s);
      return new Promise<void>((resolve) => {
        waiters.push({ test, stream, resolve });
        check();
      });
    },
  };
}

export function runAbx(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number; sampleRss?: boolean } = {},
): Promise<AbxOutcome> {
  return startAbx(args, opts).done;
}

/** Lines of stderr that are not empty. */
export function stderrLines(outcome: AbxOutcome): string[] {
  return outcome.stderr.split('\n').filter((line) => line.trim() !== '');
}

/** A field of ab's report ("Complete requests:      12" → "12"). */
export function abField(stdout: string, name: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

/**
 * How long a test lets abx take to exit after Ctrl-C. abx's own budget is a
 * second (the load gets 0.5 s to hand back its result, then the report and
 * files are written), and that is what a quiet machine shows. The bound is
 * wider because signal delivery and process exit alone took up to 1.45 s on
 * this 2-core machine with two busy loops beside the suite; the cases these
 * tests guard against took 7 to 15 s before they were fixed.
 */
export const CTRL_C_EXIT_BOUND_MS = 3_000;
