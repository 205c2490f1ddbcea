// The open-loop rate check, part of `npm run bench`: abx --rate 2000 for 5 s
// against the bench target must send 2,000 requests per second within 2 %.
// It lives here, not in the unit tests, because a throughput figure depends on
// the machine: next to other work a correct pacer still falls behind. The unit
// tests check the pacing arithmetic (src/engine/pacer.ts) with no clock at all.
import { runMeasured } from './measure.mjs';

export const RATE_PER_SEC = 2000;
export const DURATION_SEC = 5;
export const TOLERANCE = 0.02;

/**
 * Runs the check; resolves with what it measured and whether it held.
 * @param {{ abxBin: string, url: string, cpu: number | null }} options
 */
export async function checkOpenLoopRate({ abxBin, url, cpu }) {
  const args = [abxBin, '--rate', String(RATE_PER_SEC), '-t', `${DURATION_SEC}s`, '-c', '200', '-k', '--json', url];
  const run = await runMeasured(process.execPath, args, { cpu, timeoutMs: (DURATION_SEC + 60) * 1000 });
  if (run.timedOut) throw new Error(`open-loop rate check: abx killed after ${DURATION_SEC + 60} s`);
  if (run.code !== 0) throw new Error(`open-loop rate check: abx exited with ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
  const result = JSON.parse(run.stdout);
  const achievedPerSec = result.rate?.achievedPerSec;
  if (typeof achievedPerSec !== 'number') throw new Error('open-loop rate check: the result has no rate.achievedPerSec');
  const sent = result.totals.requests;
  const expected = RATE_PER_SEC * DURATION_SEC;
  const held = Math.abs(achievedPerSec - RATE_PER_SEC) <= RATE_PER_SEC * TOLERANCE && Math.abs(sent - expected) <= expected * TOLERANCE;
  return { achievedPerSec, sent, expected, late: result.rate.late, held };
}
