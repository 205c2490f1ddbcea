/**
 * Shared steps of the fault tests: run the real CLI with --out against a
 * target, read the result file back, and check that every request was
 * counted exactly once in the expected categories, in the file and in the
 * printed ab report alike.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Failures, Result } from '../../src/stats/result.js';
import { abField, runAbx, type AbxOutcome } from '../cli/abx-process.js';
import { schemaErrors } from '../helpers/schema.js';

export interface FaultRun {
  outcome: AbxOutcome;
  result: Result;
}

/** Runs `abx <args> --out <tmp> <url>` and returns the exit, the output and the parsed result file. */
export async function runFault(
  url: string,
  args: string[],
  opts: { sampleRss?: boolean; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<FaultRun> {
  const dir = mkdtempSync(join(tmpdir(), 'abx-fault-'));
  try {
    const out = join(dir, 'result.json');
    const outcome = await runAbx([...args, '--out', out, url], opts);
    let result: Result;
    try {
      result = JSON.parse(readFileSync(out, 'utf8')) as Result;
    } catch (error) {
      throw new Error(`abx wrote no readable --out (exit ${outcome.code}): ${outcome.stderr}`, { cause: error });
    }
    return { outcome, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ExpectedCounts extends Partial<Failures> {
  /** Requests abx was asked for (-n). */
  requests: number;
  completed: number;
  non2xx?: number;
  exitCode: number;
}

/**
 * Every request in exactly one place: a response (completed; a Length failure
 * is also a response) or exactly one failure category. The categories not
 * named in `expected` must be zero.
 */
export function expectAccounted(run: FaultRun, expected: ExpectedCounts): void {
  const { result, outcome } = run;
  const failures: Failures = {
    connect: expected.connect ?? 0,
    receive: expected.receive ?? 0,
    length: expected.length ?? 0,
    exceptions: expected.exceptions ?? 0,
    timeouts: expected.timeouts ?? 0,
  };
  const failed = failures.connect + failures.receive + failures.length + failures.exceptions + failures.timeouts;
  expect(schemaErrors(result)).toEqual([]);
  expect(result.failures).toEqual(failures);
  expect(result.totals.completed).toBe(expected.completed);
  expect(result.totals.failed).toBe(failed);
  expect(result.totals.non2xx).toBe(expected.non2xx ?? 0);
  // Length failures are complete responses, so they are not a second outcome of the same request.
  expect(result.totals.completed + failed - failures.length).toBe(expected.requests);
  expect(result.totals.requests).toBe(expected.requests);
  expect(result.errors.reduce((sum, e) => sum + e.count, 0)).toBe(failed - failures.length);
  const bucketed = result.timeline.reduce((sum, b) => sum + b.completed + b.errors, 0);
  expect(bucketed).toBe(expected.requests);
  expect(result.interrupted).toBe(false);

  // The printed report says the same, and the run ended with the documented exit code.
  expect(outcome.signal).toBeNull();
  expect(outcome.code, outcome.stderr).toBe(expected.exitCode);
  expect(abField(outcome.stdout, 'Complete requests')).toBe(String(expected.completed));
  expect(abField(outcome.stdout, 'Failed requests')).toBe(String(failed));
  if (failed > 0) {
    expect(outcome.stdout).toContain(
      `   (Connect: ${failures.connect}, Receive: ${failures.receive}, Length: ${failures.length}, Exceptions: ${failures.exceptions + failures.timeouts})`,
    );
  }
  if (expected.exitCode === 1) {
    // One line that says why, after the report.
    expect(outcome.stderr).toMatch(/^abx: no request completed: .+$/m);
  }
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
}
