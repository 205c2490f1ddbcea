import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { scripted, startServer, type TestServer } from '../helpers/servers.js';
import { runAbx } from './abx-process.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const tmp = (): string => mkdtempSync(join(tmpdir(), 'abx-assert-'));

describe('--assert through the CLI (CI smoke checks)', () => {
  it('exits 0 when every assertion holds, with a table, JUnit XML and a step summary', async () => {
    server = await startServer();
    const dir = tmp();
    const junit = join(dir, 'abx.xml');
    const summary = join(dir, 'summary.md');
    const run = await runAbx(['-n', '50', '-c', '5', '-k', '--assert', 'errors==0', '--assert', 'p99<5s', '--junit', junit, server.url], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(run.code).toBe(0);
    expect(server.requests).toBe(50);
    expect(run.stdout).toMatch(/errors==0\s+0\s+pass/i);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8')) as {
      testsuites: { testsuite: { '@_tests': string; '@_failures': string; testcase: Array<{ '@_name': string }> } };
    };
    expect(xml.testsuites.testsuite['@_tests']).toBe('2');
    expect(xml.testsuites.testsuite['@_failures']).toBe('0');
    expect(xml.testsuites.testsuite.testcase.map((c) => c['@_name'])).toEqual(['errors==0', 'p99<5s']);
    expect(readFileSync(summary, 'utf8')).toContain('errors==0');
  });

  it('exits 1 after the full report when an assertion fails', async () => {
    server = await startServer(scripted((i) => (i % 2 === 0 ? { status: 500 } : {})));
    const dir = tmp();
    const junit = join(dir, 'abx.xml');
    const run = await runAbx(['-n', '40', '-c', '4', '--assert', 'errors<10%', '--assert', 'rps>0', '--junit', junit, server.url]);
    expect(run.code).toBe(1);
    expect(server.requests).toBe(40);
    expect(run.stdout).toContain('Non-2xx responses:      20');
    expect(run.stdout).toMatch(/errors<10%\s+50(\.0)?\s*%\s+FAIL/i);
    const xml = readFileSync(junit, 'utf8');
    expect((xml.match(/<failure/g) ?? []).length).toBe(1);
  });

  it('exits 2 on a malformed expression and sends no request', async () => {
    server = await startServer();
    const dir = tmp();
    const run = await runAbx(['-n', '10', '--assert', 'p99 <', '--junit', join(dir, 'abx.xml'), server.url]);
    expect(run.code).toBe(2);
    expect(server.connections).toBe(0);
    expect(existsSync(join(dir, 'abx.xml'))).toBe(false);
  });
});
