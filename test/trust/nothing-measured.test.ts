/**
 * No pass without a measurement: a run that completed nothing fails (exit 1)
 * with one line saying why, latency and rate assertions fail with "no
 * completed requests", and percentiles print "-" rather than 0.00.
 */
import { describe, expect, it } from 'vitest';
import { nothingCompletedReason } from '../../src/report/nothing-completed.js';
import { renderAssertionTable } from '../../src/report/assertions.js';
import { renderJunit } from '../../src/report/junit.js';
import { evaluateAssertions, parseAssertion } from '../../src/stats/thresholds.js';
import { makeResult } from '../fixtures/make-result.js';
import { neverRespond, refusedPort, startRawServer } from '../helpers/fault-servers.js';
import { schemaErrors } from '../helpers/schema.js';
import { runAbx, stderrLines } from '../cli/abx-process.js';

const parse = (e: string) => parseAssertion(e, { observing: false });

describe('assertions on a run that completed nothing', () => {
  const empty = makeResult({ secondsMs: [[]], errorsPerSecond: [2] });

  it('fail for latency and rate metrics, with the reason', () => {
    const outcomes = evaluateAssertions(['p99<250ms', 'rps<5', 'max<1ms', 'mean<=10s', 'rps>0'].map(parse), empty);
    for (const o of outcomes) expect(o).toMatchObject({ actual: null, passed: false, reason: 'no completed requests' });
    const table = renderAssertionTable(outcomes, { color: false });
    expect(table).toMatch(/^p99<250ms\s+no completed requests\s+FAIL$/m);
    expect(renderJunit({ ...empty, assertions: outcomes })).toContain('p99&lt;250ms: could not be measured (no completed requests)');
    expect(schemaErrors({ ...empty, assertions: outcomes })).toEqual([]);
  });

  it('still pass when something completed', () => {
    const outcomes = evaluateAssertions([parse('p99<250ms')], makeResult({ secondsMs: [[1, 2, 3]] }));
    expect(outcomes[0]).toMatchObject({ passed: true });
    expect(outcomes[0].reason).toBeUndefined();
  });

  it('names why nothing completed', () => {
    expect(nothingCompletedReason(makeResult({ secondsMs: [[1]] }))).toBeNull();
    expect(
      nothingCompletedReason({
        ...empty,
        errors: [],
        totals: { ...empty.totals, failed: 0 },
        options: { ...empty.options, durationMs: 3000 },
      }),
    ).toMatch(/nothing came back before the -t 3 s deadline/);
    expect(
      nothingCompletedReason({
        ...empty,
        errors: [{ category: 'connect', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9', count: 4 }],
      }),
    ).toMatch(/the connection was refused \(4 × ECONNREFUSED\)/);
    expect(nothingCompletedReason({ ...empty, interrupted: true })).toBeNull();
  });
});

describe('the CLI', () => {
  it('-t against a server that never answers: assertions FAIL, percentiles "-", exit 1 with why', async () => {
    const server = await startRawServer(neverRespond);
    try {
      const outcome = await runAbx(['-c', '2', '-t', '1', '--assert', 'p99<250ms', '--assert', 'rps<5', '--assert', 'max<1ms', server.url]);
      expect(outcome.code, outcome.stderr).toBe(1);
      expect(outcome.stdout).toMatch(/^p99<250ms\s+no completed requests\s+FAIL$/m);
      expect(outcome.stdout).toMatch(/^rps<5\s+no completed requests\s+FAIL$/m);
      expect(outcome.stdout).toMatch(/^max<1ms\s+no completed requests\s+FAIL$/m);
      expect(outcome.stdout).toMatch(/^Latency \(ms\): p50 - {2}p90 - {2}p99 - {2}p99\.9 - {2}p99\.99 - {2}max -$/m);
      expect(stderrLines(outcome).filter((l) => l.startsWith('abx: '))).toEqual([
        'abx: no request completed: nothing came back before the -t 1 s deadline (requests still in flight then are not counted); raise -t or check the server',
      ]);
    } finally {
      await server.close();
    }
  });

  it('a refused port: exit 1, "refused"', async () => {
    const port = await refusedPort();
    const outcome = await runAbx(['-n', '2', `http://127.0.0.1:${port}/`]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/^abx: no request completed: the connection was refused \(2 × ECONNREFUSED\)/m);
  });

  it('every request timed out: exit 1, "timed out"', async () => {
    const server = await startRawServer(neverRespond);
    try {
      const outcome = await runAbx(['-n', '1', '-s', '300ms', server.url]);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/^abx: no request completed: 1 timed out with no response within 0\.3 s \(-s\)$/m);
    } finally {
      await server.close();
    }
  });
});
