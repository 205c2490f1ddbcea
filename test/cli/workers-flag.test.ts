/** --workers through the CLI: above twice the cores it is refused before anything is sent. */
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/servers.js';
import { runAbx, stderrLines } from './abx-process.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('--workers', () => {
  it.each([
    [String(2 * availableParallelism() + 1), new RegExp(`more than twice this machine's ${availableParallelism()} cores: use at most`)],
    ['lots', /--workers must be auto or a whole number \(got "lots"\)/],
    ['0', /--workers must be at least 1/],
  ])('--workers %s: exit 2, one line that says why, nothing sent', async (value, says) => {
    const outcome = await runAbx(['--workers', value, '-n', '1', server.url], { timeoutMs: 10_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    const lines = stderrLines(outcome);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(says);
    expect(server.requests).toBe(0);
  });

  it('auto (the default) prints the count and its reason in the report', async () => {
    const outcome = await runAbx(['--workers', 'auto', '-n', '3', server.url], { timeoutMs: 20_000 });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Workers: +1 worker: \d+ cores?, local target/m);
    expect(server.requests).toBe(3);
  });
});
