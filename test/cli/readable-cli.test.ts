/**
 * Output a person can read, as a user gets it from the built CLI: every line
 * abx prints on its own fits COLUMNS (ab's report block keeps ab's layout),
 * one scale-out prints a handful of lines in time order, and help, typos,
 * IPv6 and TLS mistakes get one line that says what to do.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import type { Result } from '../../src/stats/result.js';
import { driveLoad } from '../helpers/drive.js';
import { runAbx } from './abx-process.js';

/** Columns a line takes: code points (→, ×, … take one each). */
const columns = (line: string): number => [...line].length;

/** The lines abx writes on its own: everything but ab's block (Server Software … the percentile table). */
function ownLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith('Server Software:'));
  const to = lines.findIndex((l) => l.includes('(longest request)'));
  return from >= 0 && to > from ? [...lines.slice(0, from), ...lines.slice(to + 1)] : lines;
}

const OFFSET = /^([+-])(?:(\d+)h)?(?:(\d+)m)?(\d+)s {2}/;
function offsetSec(line: string): number | null {
  const m = OFFSET.exec(line);
  if (!m) return null;
  const s = Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4]);
  return m[1] === '-' ? -s : s;
}

describe('abx demo in 80 and 60 columns', () => {
  it.each([80, 60])(
    'COLUMNS=%i: no line outside ab’s block is wider; one scale-out is a few lines, in time order',
    async (width) => {
      const out = join(mkdtempSync(join(tmpdir(), 'abx-readable-')), 'demo.json');
      const { code, stdout, stderr } = await runAbx(['demo', '--period', '1s', '-t', '8s', '--rate', '200', '--out', out], {
        env: { COLUMNS: String(width) },
        timeoutMs: 50_000,
      });
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(code).toBe(0);
      expect(stdout).toContain('Scaling timeline');
      for (const line of [...ownLines(stdout), ...stderr.split('\n')]) expect(columns(line), line).toBeLessThanOrEqual(width);

      // The live event lines (stderr): one line per happening, oldest first.
      const result = JSON.parse(readFileSync(out, 'utf8')) as Result;
      const events = result.observation!.events;
      const activities = events.filter((e) => e.kind === 'scaling-activity').length;
      const instanceGroups = new Set(events.filter((e) => e.kind === 'instance').map((e) => `${e.at} ${e.fromState} ${e.toState}`)).size;
      const alarms = events.filter((e) => e.kind === 'alarm').length;
      const live = stderr.split('\n').filter((l) => offsetSec(l) !== null);
      expect(activities).toBeGreaterThan(0);
      expect(live.filter((l) => / (?:scale-out|scale-in|activity) /.test(l)).length).toBeLessThanOrEqual(2 * activities);
      expect(live.length).toBeLessThanOrEqual(2 * activities + instanceGroups + alarms);
      // Ordered by event time within each poll (1 s apart): never back by more than one poll.
      let latest = -Infinity;
      for (const line of live) {
        const s = offsetSec(line)!;
        expect(s, line).toBeGreaterThanOrEqual(latest - 1);
        latest = Math.max(latest, s);
      }
      // --rate: ab's Concurrency Level says it is a cap; Time per request is the measured mean.
      expect(stdout).toMatch(/^Concurrency Level: {6}1000 \(open loop: in-flight cap\)$/m);
      const perRequest = Number(/^Time per request: {7}([\d.]+) \[ms\] \(mean\)$/m.exec(stdout)![1]);
      expect(perRequest).toBeCloseTo(result.connectionTimesMs.total.mean, 2);
    },
    60_000,
  );
});

describe('abx watch --once against the lab in 60 columns', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      port: 0,
      apiPort: 0,
      periodMs: 500,
      launchDelayMs: 200,
      warmupMs: 200,
      targetValue: 10,
      instanceCapacity: 400,
      highEvaluationPeriods: 1,
      withPolicy: true,
    });
    const finished: string[] = [];
    lab.onActivity((activity) => {
      if (activity.statusCode === 'Successful') finished.push(activity.activityId);
    });
    await driveLoad(lab.url, { requests: 1500, concurrency: 4, timeLimitMs: 3000 });
    // Wait for the scale-out to finish, so history holds a whole activity.
    await vi.waitFor(() => expect(finished.length).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
  }, 30_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('fits every line, history included', async () => {
    const { code, stdout, stderr } = await runAbx(
      ['watch', '--once', '--since', '5m', '--asg', lab.asgName, '--endpoint-url', lab.apiUrl, '--region', lab.region],
      {
        env: {
          COLUMNS: '60',
          AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey,
        },
        timeoutMs: 20_000,
      },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/history \(last 5m\):/);
    expect(stdout).toMatch(/scale-out 2 → \d/);
    for (const line of stdout.split('\n')) expect(columns(line), line).toBeLessThanOrEqual(60);
  }, 30_000);
});

describe('errors that teach (the CLI)', () => {
  let plain: Server;
  let port: number;
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  beforeAll(async () => {
    plain = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('Set-Cookie', 'session=resp0nse-secret');
      res.end('plain http');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    port = (plain.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  });

  it('`abx help` and `abx help demo` show help, exit 0', async () => {
    const top = await runAbx(['help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: abx /);
    const demo = await runAbx(['help', 'demo']);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^Usage: abx demo /);
  });

  it.each<[string[], RegExp]>([
    [['reprot', 'a.json'], /^abx: "reprot" is neither a URL nor a command: did you mean `abx report`\? \(see abx --help\)\n$/],
    [['http://::1:8080/'], /^abx: write IPv6 as http:\/\/\[::1\]:8080\/ \(got "http:\/\/::1:8080\/"\)\n$/],
    [['demo', '-n', '100'], /^abx: unknown option '-n' \(see abx demo --help\)\n$/],
    [['help', 'nope'], /^abx: no command "nope": the commands are .*\n$/],
  ])('%j: one line, exit 2', async (args, says) => {
    const { code, stderr } = await runAbx(args);
    expect(stderr).toMatch(says);
    expect(code).toBe(2);
  });

  it('https to a plain-http port asks "is it http://?"; the OpenSSL text only under -v', async () => {
    const quiet = await runAbx(['-n', '2', `https://127.0.0.1:${port}/`]);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toContain('the server did not answer TLS: is it http://?');
    expect(quiet.stdout + quiet.stderr).not.toMatch(/SSL routines|openssl/i);
    const verbose = await runAbx(['-v', '1', '-n', '1', `https://127.0.0.1:${port}/`]);
    expect(verbose.stderr).toMatch(/is it http:\/\/\? \(.*wrong version number/);
  });

  it('-v 2 prints the request line and every header sent, once, redacted; -v 3 adds the first response head', async () => {
    seen.length = 0;
    const { code, stderr } = await runAbx([
      '-v',
      '3',
      '-n',
      '3',
      '-k',
      '-H',
      'X-Visible: shown',
      '-C',
      'session=c00k1e',
      `http://127.0.0.1:${port}/v?q=1`,
    ]);
    expect(code).toBe(0);
    expect(stderr.match(/INFO: GET header == /g)).toHaveLength(1);
    const block = /INFO: GET header == \n---\n([\s\S]*?)\n\n---\n/.exec(stderr)![1].split('\n');
    expect(block[0]).toBe('GET /v?q=1 HTTP/1.1');
    // Every header the server received is in the block, and nothing else.
    const echoed = block.slice(1).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    expect(new Set(echoed)).toEqual(new Set(Object.keys(seen[0])));
    expect(block).toContain('Cookie: [redacted]');
    expect(block).toContain('X-Visible: shown');
    expect(stderr.match(/LOG: header received:/g)).toHaveLength(1);
    expect(stderr).toMatch(/LOG: header received:\nHTTP\/1\.1 200 OK\n/);
    expect(stderr).toMatch(/^Set-Cookie: \[redacted\]$/m);
    expect(stderr).not.toMatch(/c00k1e|resp0nse-secret/);
  });
});
