/**
 * The CLI's output as ab users and their scripts see it: ab 2.4's report
 * fields in the order and formats of ab.c's output_results,
 * ab's progress lines on a non-TTY stderr, the JSON result against the
 * schema, -e and -g files, -V and --help, and secrets kept out of everything
 * abx prints or writes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/stats/result.js';
import { okResponse, rawResponse, startRawServer, startRecordingServer, type FaultServer } from '../helpers/fault-servers.js';
import { schemaErrors } from '../helpers/schema.js';
import { abField, runAbx } from './abx-process.js';

let server: FaultServer | null = null;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'abx-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = null;
});

const BODY = 'hello world';
/** ab copies the Server header up to the first space. */
const serve = (socket: import('node:net').Socket): void =>
  void socket.write(rawResponse(200, { Server: 'fault/1.0 (test)', 'Content-Length': BODY.length }, BODY));

/** The field names of the report, in order, with blank lines as ''. Stops at abx's own additions. */
function fieldNames(stdout: string): string[] {
  const report = stdout.slice(stdout.indexOf('Server Software:'));
  const names: string[] = [];
  const lines = report.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('Latency (ms)') || line.startsWith('Workers:')) break;
    // ab's (and abx's) sanity warnings depend on the machine's timing noise, not on the layout.
    if (/^(WARNING|ERROR): The median and mean for /.test(line)) {
      i++;
      continue;
    }
    const match = /^([A-Za-z][A-Za-z0-9 /-]*?):\s/.exec(line);
    names.push(line === '' ? '' : match ? match[1] : line);
  }
  return names;
}

describe('the ab report', () => {
  it("has ab 2.4's fields, in ab's order and formats, with values that agree with each other", async () => {
    server = await startRawServer(serve);
    const outcome = await runAbx(['-n', '200', '-c', '4', '-k', `${server.url}path?q=1`]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const out = outcome.stdout;
    expect(out).toMatch(/^This is abx, Version \d+\.\d+\.\d+ .*\n\nBenchmarking 127\.0\.0\.1 \(be patient\)\n/);

    expect(fieldNames(out)).toEqual(
      [
        'Server Software',
        'Server Hostname',
        'Server Port',
        '',
        'Document Path',
        'Document Length',
        '',
        'Concurrency Level',
        'Time taken for tests',
        'Complete requests',
        'Failed requests',
        'Keep-Alive requests',
        'Total transferred',
        'HTML transferred',
        'Requests per second',
        'Time per request',
        'Time per request',
        'Transfer rate',
        '',
        'Connection Times (ms)',
        '              min  mean[+/-sd] median   max',
        'Connect',
        'Processing',
        'Waiting',
        'Total',
        '',
        'Percentage of the requests served within a certain time (ms)',
        '  50%',
        '  66%',
        '  75%',
        '  80%',
        '  90%',
        '  95%',
        '  98%',
        '  99%',
        ' 100%',
        '',
      ].map((n) =>
        n.endsWith('%') ? expect.stringMatching(new RegExp(`^${n}  [ \\d]{4}\\d${n === ' 100%' ? ' \\(longest request\\)' : ''}$`)) : n,
      ),
    );

    // Labels padded to column 24, as ab's printf("%-24s") does.
    expect(out).toMatch(/^Server Software: {8}fault\/1\.0$/m);
    expect(out).toMatch(/^Server Hostname: {8}127\.0\.0\.1$/m);
    expect(abField(out, 'Server Port')).toBe(String(server.port));
    expect(abField(out, 'Document Path')).toBe('/path?q=1');
    expect(abField(out, 'Document Length')).toBe(`${BODY.length} bytes`);
    expect(abField(out, 'Concurrency Level')).toBe('4');
    expect(abField(out, 'Complete requests')).toBe('200');
    expect(abField(out, 'Failed requests')).toBe('0');
    expect(abField(out, 'Keep-Alive requests')).toBe(String(200 - server.connections));
    expect(abField(out, 'HTML transferred')).toBe(`${200 * BODY.length} bytes`);

    const seconds = Number(/^Time taken for tests: {3}(\d+\.\d{3}) seconds$/m.exec(out)![1]);
    const rps = Number(/^Requests per second: {4}(\d+\.\d{2}) \[#\/sec\] \(mean\)$/m.exec(out)![1]);
    const perRequest = [...out.matchAll(/^Time per request: {7}(\d+\.\d{3}) \[ms\] \(mean(, across all concurrent requests)?\)$/gm)];
    expect(perRequest).toHaveLength(2);
    expect(perRequest[1][2]).toBe(', across all concurrent requests');
    const total = Number(/^Total transferred: {6}(\d+) bytes$/m.exec(out)![1]);
    const rate = Number(/^Transfer rate: {10}(\d+\.\d{2}) \[Kbytes\/sec\] received$/m.exec(out)![1]);
    // ab's formulas, within the rounding of the printed numbers.
    // "Time taken" is printed to 1 ms and the rates to 0.01, so x × seconds can be off by x × 0.0005 + 0.005 × seconds.
    const slack = (x: number): number => x * 0.0005 + 0.005 * seconds + 1e-9;
    expect(Math.abs(rps * seconds - 200)).toBeLessThanOrEqual(slack(rps));
    expect(Number(perRequest[0][1]) / Number(perRequest[1][1])).toBeCloseTo(4, 1);
    expect(total).toBeGreaterThan(200 * BODY.length);
    expect(Math.abs(rate * seconds - total / 1024)).toBeLessThanOrEqual(slack(rate));

    // Connection Times rows: "%5d %4d %5.1f %6d %7d" after a 12-character label.
    for (const label of ['Connect:    ', 'Processing: ', 'Waiting:    ', 'Total:      ']) {
      expect(out).toMatch(new RegExp(`^${label}[ \\d]{4}\\d [ \\d]{3}\\d [ \\d]{2}\\d\\.\\d [ \\d]{5}\\d [ \\d]{6}\\d$`, 'm'));
    }
    // abx's additions come after ab's block.
    expect(out.indexOf('Status codes:           200: 200')).toBeGreaterThan(out.indexOf('(longest request)'));
  });

  it('puts the failure breakdown, Non-2xx and body-sent lines where ab does', async () => {
    // Every 4th request gets a 500 and every 5th a longer body (a Length failure).
    server = await startRawServer((socket, index) => {
      const body = index % 5 === 4 ? `${BODY}!!` : BODY;
      socket.write(rawResponse(index % 4 === 3 ? 500 : 200, { 'Content-Length': body.length }, body));
    });
    const post = join(dir, 'post.txt');
    writeFileSync(post, 'a=1&b=2');
    const outcome = await runAbx(['-n', '40', '-c', '1', '-k', '-p', post, '-T', 'application/x-www-form-urlencoded', server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const names = fieldNames(outcome.stdout);
    const from = names.indexOf('Complete requests');
    expect(names.slice(from, from + 9)).toEqual([
      'Complete requests',
      'Failed requests',
      '   (Connect: 0, Receive: 0, Length: 8, Exceptions: 0)',
      'Non-2xx responses',
      'Keep-Alive requests',
      'Total transferred',
      'Total body sent',
      'HTML transferred',
      'Requests per second',
    ]);
    expect(abField(outcome.stdout, 'Failed requests')).toBe('8');
    expect(abField(outcome.stdout, 'Non-2xx responses')).toBe('10');
    // ab prints Total body sent without a unit.
    expect(abField(outcome.stdout, 'Total body sent')).toBe(String(40 * 'a=1&b=2'.length));
    expect(outcome.stdout).toMatch(
      /^Transfer rate: {10}\d+\.\d{2} \[Kbytes\/sec\] received\n {24}\d+\.\d{2} kb\/s sent\n {24}\d+\.\d{2} kb\/s total$/m,
    );
  });
});

describe('progress on stderr', () => {
  it('prints ab\'s "Completed N requests" lines when stderr is not a terminal', async () => {
    server = await startRawServer(okResponse());
    const outcome = await runAbx(['-n', '1000', '-c', '10', '-k', server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    // As ab: every tenth of -n (at least 100), including the last, then "Finished".
    const expected = [...Array.from({ length: 10 }, (_, i) => `Completed ${(i + 1) * 100} requests`), 'Finished 1000 requests'];
    expect(outcome.stderr.split('\n').filter(Boolean)).toEqual(expected);
    expect(outcome.stdout).toContain('Benchmarking 127.0.0.1 (be patient)\n');
  });

  it('prints none with -q, and ab\'s "..done" on stdout instead', async () => {
    server = await startRawServer(okResponse());
    const outcome = await runAbx(['-q', '-n', '1000', '-c', '10', '-k', server.url]);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain('Benchmarking 127.0.0.1 (be patient)...');
    expect(outcome.stdout).toContain('..done\n');
    expect(abField(outcome.stdout, 'Complete requests')).toBe('1000');
  });

  it('prints none for 150 requests or fewer, as ab', async () => {
    server = await startRawServer(okResponse());
    const outcome = await runAbx(['-n', '150', '-c', '5', '-k', server.url]);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
  });
});

describe('files and machine output', () => {
  it('--json prints one JSON result that validates against the schema and matches the run', async () => {
    server = await startRawServer(serve);
    const outcome = await runAbx(['--json', '-n', '300', '-c', '6', '-k', server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toBe('');
    const result = JSON.parse(outcome.stdout) as Result;
    expect(schemaErrors(result)).toEqual([]);
    expect(result.schema).toBe('abx.result/v1');
    expect(result.totals.completed).toBe(300);
    expect(result.totals.keepAliveRequests).toBe(300 - server.connections);
    expect(result.statusCodes).toEqual({ '200': 300 });
    expect(result.server.software).toBe('fault/1.0');
    expect(result.timeline.reduce((sum, b) => sum + b.completed, 0)).toBe(300);
  });

  it("-e writes ab's percentile CSV and -g one gnuplot TSV row per request", async () => {
    server = await startRawServer(serve);
    const csv = join(dir, 'percent.csv');
    const tsv = join(dir, 'plot.tsv');
    const outcome = await runAbx(['-n', '250', '-c', '5', '-k', '-e', csv, '-g', tsv, server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);

    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('Percentage served,Time in ms');
    expect(rows).toHaveLength(102);
    const values = rows.slice(1).map((row, i) => {
      const [percent, ms] = row.split(',');
      expect(Number(percent)).toBe(i);
      expect(ms).toMatch(/^\d+\.\d{3}$/);
      return Number(ms);
    });
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);

    const lines = readFileSync(tsv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('starttime\tseconds\tctime\tdtime\tttime\twait');
    expect(lines).toHaveLength(251);
    const now = Date.now() / 1000;
    for (const line of lines.slice(1)) {
      const cells = line.split('\t');
      expect(cells).toHaveLength(6);
      // ab's apr_ctime format, e.g. "Thu Nov 26 17:10:09 2026".
      expect(cells[0]).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4}$/);
      expect(Number.isNaN(Date.parse(cells[0]))).toBe(false);
      expect(Math.abs(Number(cells[1]) - now)).toBeLessThan(60);
      for (const cell of cells.slice(2)) expect(cell).toMatch(/^\d+$/);
    }
  });

  it('-V prints the version and --help the usage, both exit 0', async () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
    const v = await runAbx(['-V']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const help = await runAbx(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: abx /m);
    for (const flag of ['-n, --requests', '-c, --concurrency', '-k, --keepalive', '--json', '--out <file>', '--insecure'])
      expect(help.stdout).toContain(flag);
  });
});

describe('secrets', () => {
  it('Authorization, Proxy-Authorization and Cookie are sent but never printed or written', async () => {
    const recording = await startRecordingServer();
    server = recording;
    const out = join(dir, 'secret.json');
    const secrets = ['s3cr3t-pass', 'tok-9f8e7d', 'session=c00k1e', 'pr0xy-t0ken'];
    const outcome = await runAbx([
      '-v',
      '2',
      '-n',
      '3',
      '-A',
      'alice:s3cr3t-pass',
      '-C',
      'session=c00k1e',
      '-H',
      'Authorization: Bearer tok-9f8e7d',
      '-H',
      'Proxy-Authorization: Basic pr0xy-t0ken',
      '-H',
      'X-Visible: shown',
      '--out',
      out,
      recording.url,
    ]);
    expect(outcome.code, outcome.stderr).toBe(0);
    // They were sent...
    expect(recording.headers).toHaveLength(3);
    expect(recording.headers[0].cookie).toBe('session=c00k1e');
    expect(String(recording.headers[0].authorization)).toMatch(/^Basic |tok-9f8e7d/);
    // ...and -v 2 shows the header block with the values redacted.
    expect(outcome.stderr).toContain('X-Visible: shown');
    expect(outcome.stderr).toMatch(/^Authorization: \[redacted\]$/m);
    expect(outcome.stderr).toMatch(/^Cookie: \[redacted\]$/m);
    const json = await runAbx(['--json', '-n', '1', '-A', 'alice:s3cr3t-pass', '-C', 'session=c00k1e', recording.url]);
    const written = readFileSync(out, 'utf8');
    const alsoBase64 = [...secrets, Buffer.from('alice:s3cr3t-pass').toString('base64')];
    for (const text of [outcome.stdout, outcome.stderr, written, json.stdout, json.stderr]) {
      for (const secret of alsoBase64) expect(text).not.toContain(secret);
    }
    expect((JSON.parse(written) as Result).options.headers).toEqual(
      expect.arrayContaining(['Authorization: [redacted]', 'Cookie: [redacted]', 'Proxy-Authorization: [redacted]', 'X-Visible: shown']),
    );
  });
});
