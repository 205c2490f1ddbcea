/**
 * The bad-input matrix: malformed invocations of every command. Each must
 * exit 2 with exactly one line on stderr that says what to fix, print no stack
 * trace, and send nothing: a local server is passed as the target wherever a
 * URL fits, and it must see no connection at all.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResult } from '../fixtures/make-result.js';
import { startRawServer, okResponse, type FaultServer } from '../helpers/fault-servers.js';
import { runAbx, stderrLines } from './abx-process.js';

let server: FaultServer;
let dir: string;
/** Paths the cases refer to: {url}, {port}, {dir}, {good}, {notAbx}, {v2}, {unreadable}, {garbage}. */
let vars: Record<string, string>;

beforeAll(async () => {
  server = await startRawServer(okResponse());
  dir = mkdtempSync(join(tmpdir(), 'abx-bad-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(makeResult({ secondsMs: [[1, 2, 3]] })));
  const notAbx = join(dir, 'package.json');
  writeFileSync(notAbx, JSON.stringify({ name: 'not-a-result', version: '1.0.0' }));
  const v2 = join(dir, 'future.json');
  writeFileSync(v2, JSON.stringify({ ...makeResult({ secondsMs: [[1, 2, 3]] }), schema: 'abx.result/v2' }));
  const garbage = join(dir, 'garbage.json');
  writeFileSync(garbage, '{"schema": "abx.result/v1", ');
  mkdirSync(join(dir, 'a-folder'));
  vars = { url: server.url, port: String(server.port), dir, good, notAbx, v2, garbage, unreadable: join(dir, 'no-such-body.txt') };
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface BadCase {
  name: string;
  args: string[];
  /** What the one line must say (the flag or thing at fault and, mostly, the fix). */
  says: RegExp;
}

const cases: BadCase[] = [
  // URLs
  { name: 'no URL at all', args: ['-n', '10'], says: /missing URL: give one/ },
  { name: 'malformed URL', args: ['http://127.0.0.1 :80/'], says: /malformed URL .*write it as http:\/\/host/ },
  { name: 'URL without a scheme', args: ['127.0.0.1:{port}/'], says: /has no scheme: write it as http:\/\/127\.0\.0\.1/ },
  { name: 'unsupported scheme', args: ['ftp://127.0.0.1:{port}/'], says: /unsupported URL scheme "ftp:".*http:\/\/ and https:\/\// },
  { name: 'port 0', args: ['http://127.0.0.1:0/'], says: /port "0" .*out of range: use 1 to 65535/ },
  { name: 'port out of range', args: ['http://127.0.0.1:70000/'], says: /port "70000" .*out of range/ },
  { name: 'URL with no host', args: ['http:///path'], says: /URL "http:\/\/\/path" has no host: write it as http:\/\/host/ },
  { name: 'two URLs', args: ['{url}', '{url}'], says: /too many arguments|unexpected|excess/i },
  // -n -c -t -s
  { name: '-n not a number', args: ['-n', 'ten', '{url}'], says: /-n\/--requests must be a whole number \(got "ten"\)/ },
  { name: '-n zero', args: ['-n', '0', '{url}'], says: /-n\/--requests must be at least 1/ },
  { name: '-n negative', args: ['-n', '-5', '{url}'], says: /-n\/--requests must be at least 1/ },
  { name: '-n fractional', args: ['-n', '2.5', '{url}'], says: /-n\/--requests must be a whole number/ },
  { name: '-c not a number', args: ['-c', 'many', '{url}'], says: /-c\/--concurrency must be a whole number/ },
  { name: '-c zero', args: ['-n', '10', '-c', '0', '{url}'], says: /-c\/--concurrency must be at least 1/ },
  { name: '-c negative', args: ['-n', '10', '-c', '-3', '{url}'], says: /-c\/--concurrency must be at least 1/ },
  { name: '-c greater than -n', args: ['-n', '5', '-c', '10', '{url}'], says: /-c 10 is greater than -n 5.*lower -c or raise -n/ },
  { name: '-t not a duration', args: ['-t', 'soon', '{url}'], says: /-t\/--duration must be a duration such as 30/ },
  { name: '-t zero', args: ['-t', '0', '{url}'], says: /-t\/--duration must be greater than zero/ },
  { name: '-t negative', args: ['-t', '-5', '{url}'], says: /-t\/--duration must be a duration/ },
  { name: '-s not a duration', args: ['-s', 'fast', '{url}'], says: /-s\/--timeout must be a duration/ },
  { name: '-s zero', args: ['-s', '0', '{url}'], says: /-s\/--timeout must be greater than zero/ },
  { name: '-s negative', args: ['-s', '-1', '{url}'], says: /-s\/--timeout must be a duration/ },
  // files and headers
  { name: 'unreadable -p file', args: ['-p', '{unreadable}', '{url}'], says: /-p .*no-such-body\.txt: cannot read the file \(ENOENT\)/ },
  { name: 'unreadable -u file', args: ['-u', '{dir}', '{url}'], says: /-u .*: cannot read the file \(EISDIR\)/ },
  { name: '-H without a colon', args: ['-H', 'X-Test value', '{url}'], says: /-H needs "Name: value" \(got no colon\)/ },
  { name: '-H with an empty name', args: ['-H', ': value', '{url}'], says: /-H has an empty header name/ },
  { name: '-A without a colon', args: ['-A', 'useronly', '{url}'], says: /-A must be user:password/ },
  { name: 'unknown flag', args: ['--frobnicate', '{url}'], says: /unknown option '--frobnicate'/ },
  { name: 'unsupported ab flag -w', args: ['-w', '{url}'], says: /-w \(HTML tables\) is not supported: use --html FILE/ },
  { name: 'unsupported ab flag -Z', args: ['-Z', 'AES128-SHA', '{url}'], says: /-Z \(cipher suite\) is not supported/ },
  { name: 'unsupported ab flag -f', args: ['-f', 'TLS1.2', '{url}'], says: /-f \(TLS protocol\) is not supported/ },
  {
    name: '--out in a missing folder',
    args: ['--out', '{dir}/missing/r.json', '{url}'],
    says: /--out .*r\.json: the folder .*missing does not exist/,
  },
  {
    name: '--out pointing at a directory',
    args: ['--out', '{dir}/a-folder', '{url}'],
    says: /--out .*a-folder: exists and is not a regular file/,
  },
  { name: '-e in a missing folder', args: ['-e', '{dir}/missing/p.csv', '{url}'], says: /-e .*p\.csv: the folder .*does not exist/ },
  { name: '-p with -i', args: ['-p', '{good}', '-i', '{url}'], says: /'-p, --post-file <file>' cannot be used with option '-i, --head'/ },
  {
    name: '-u with -p',
    args: ['-u', '{good}', '-p', '{good}', '{url}'],
    says: /'-p, --post-file <file>' cannot be used with option '-u, --put-file <file>'/,
  },
  { name: '-v not a level', args: ['-v', 'loud', '{url}'], says: /-v must be a whole number \(got "loud"\)/ },
  { name: '-v out of range', args: ['-v', '9', '{url}'], says: /-v must be at most 5/ },
  { name: '--rate zero', args: ['--rate', '0', '-t', '1s', '{url}'], says: /--rate must be greater than zero/ },
  // assertions
  { name: 'assertion without an operator', args: ['--assert', 'p99 250ms', '{url}'], says: /--assert "p99 250ms"/ },
  { name: 'assertion with an unknown metric', args: ['--assert', 'p42x<10ms', '{url}'], says: /--assert "p42x<10ms"/ },
  { name: 'assertion with a bad unit', args: ['--assert', 'p99<250parsecs', '{url}'], says: /--assert "p99<250parsecs"/ },
  { name: 'scaling assertion without observing', args: ['--assert', 'scale-outs>=1', '{url}'], says: /scale-outs/ },
  // abx report / merge / compare
  { name: 'report on a missing file', args: ['report', '{dir}/nope.json'], says: /cannot read result file .*nope\.json: no such file/ },
  { name: 'report on a non-abx JSON', args: ['report', '{notAbx}'], says: /is not an abx result \(expected "schema": "abx\.result\/v1"\)/ },
  { name: 'report on a newer schema', args: ['report', '{v2}'], says: /was written by a newer abx \(abx\.result\/v2\).*upgrade abx/ },
  { name: 'report on truncated JSON', args: ['report', '{garbage}'], says: /is not valid JSON/ },
  { name: 'report with an unknown format', args: ['report', '--format', 'pdf', '{good}'], says: /--format must be one of/ },
  { name: 'merge with one file', args: ['merge', '{good}'], says: /abx merge needs at least two result files/ },
  {
    name: 'compare with a bad --max-regression',
    args: ['compare', '--max-regression', 'lots', '{good}', '{good}'],
    says: /--max-regression must be a percentage such as 10%/,
  },
  // other commands
  { name: 'watch without --asg or URL', args: ['watch'], says: /--asg|ALB URL/ },
  { name: 'watch with a non-URL', args: ['watch', 'not a url'], says: /watch: "not a url" is not a URL/ },
  { name: 'lab on port 70000', args: ['lab', '--port', '70000'], says: /--port/ },
  { name: 'lab on a non-loopback host', args: ['lab', '--host', '0.0.0.0'], says: /--host must be a loopback address/ },
  { name: 'demo with --rate 0', args: ['demo', '--rate', '0'], says: /--rate must be greater than zero/ },
  { name: 'unknown command-like word as URL', args: ['reprot', 'x.json'], says: /did you mean `abx report`\?/ },
];

describe('bad input: exit 2, one line, nothing sent', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', async ({ args, says }) => {
    const argv = args.map((a) => a.replace(/\{(\w+)\}/g, (_, key: string) => vars[key] ?? `{${key}}`));
    const outcome = await runAbx(argv, { timeoutMs: 10_000 });
    const lines = stderrLines(outcome);
    expect(outcome.code, `stderr: ${outcome.stderr}`).toBe(2);
    expect(lines, outcome.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^abx: /);
    expect(lines[0]).toMatch(says);
    expect(outcome.stderr).not.toMatch(/^\s+at /m);
    expect(outcome.stderr).not.toMatch(/internal error/);
    // No report either: the run never started.
    expect(outcome.stdout).not.toContain('Complete requests');
    expect(server.connections).toBe(0);
    expect(server.requests).toBe(0);
  });
});
