/**
 * Requests undici cannot send are refused before the run (exit 2, one line,
 * nothing sent) instead of being counted as connect failures afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRawServer, okResponse, type FaultServer } from '../helpers/fault-servers.js';
import { runAbx, stderrLines } from '../cli/abx-process.js';

let server: FaultServer;
beforeAll(async () => {
  server = await startRawServer(okResponse());
});
afterAll(async () => {
  await server.close();
});

const cases: Array<{ name: string; args: string[]; says: RegExp }> = [
  { name: '-H value with non-ASCII', args: ['-H', 'X: héllo☃'], says: /-H "X" value has a non-ASCII character/ },
  { name: '-H value with a control character', args: ['-H', 'X: a\u0007b'], says: /-H "X" value has a control character/ },
  { name: '-H name with a space', args: ['-H', 'X Y: 1'], says: /-H "X Y" is not a valid header name/ },
  { name: '-H Transfer-Encoding', args: ['-H', 'Transfer-Encoding: chunked'], says: /-H "Transfer-Encoding" cannot be set by hand/ },
  { name: '-H Content-Length', args: ['-H', 'Content-Length: 5'], says: /-H "Content-Length" cannot be set by hand/ },
  { name: '-H Upgrade', args: ['-H', 'Upgrade: websocket'], says: /-H "Upgrade" cannot be set by hand/ },
  { name: '-H Connection: upgrade', args: ['-H', 'Connection: upgrade'], says: /Connection" may only be keep-alive or close/ },
  { name: 'two Host headers', args: ['-H', 'Host: a', '-H', 'host: b'], says: /"Host" is given twice/ },
  { name: '-C with CR/LF', args: ['-C', 'a=1\r\nX-Evil: 1'], says: /a -C cookie has a line break/ },
  { name: '-T with CR/LF', args: ['-T', 'text/plain\r\nX: 1', '-p', '/etc/hostname'], says: /-T has a line break/ },
  { name: '-A with a line break', args: ['-A', 'u:p\n'], says: /-A has a control character/ },
  { name: '-P with a line break', args: ['-P', 'u:p\n', '-X', '127.0.0.1:9'], says: /-P has a control character/ },
  { name: '-m CONNECT', args: ['-m', 'CONNECT'], says: /-m CONNECT opens a tunnel/ },
  { name: '-m connect (any case)', args: ['-m', 'connect'], says: /-m CONNECT opens a tunnel/ },
  { name: '-m with a space', args: ['-m', 'GE T'], says: /-m "GE T" is not an HTTP method name/ },
  { name: '-n beyond 2^53-1', args: ['-n', '99999999999999999999'], says: /-n\/--requests must be at most 9007199254740991/ },
  {
    name: '--out under /proc',
    args: ['--out', '/proc/x.json'],
    says: /--out \/proc\/x\.json: the folder \/proc does not exist or is not writable/,
  },
  { name: '--html under /proc', args: ['--html', '/proc/x.html'], says: /--html \/proc\/x\.html: the folder \/proc/ },
  { name: '--junit under /proc', args: ['--junit', '/proc/x.xml'], says: /--junit \/proc\/x\.xml: the folder \/proc/ },
  { name: '-e under /proc', args: ['-e', '/proc/x.csv'], says: /-e \/proc\/x\.csv: the folder \/proc/ },
  { name: '-g under /proc', args: ['-g', '/proc/x.tsv'], says: /-g \/proc\/x\.tsv: the folder \/proc/ },
  {
    name: '--out to a device',
    args: ['--out', '/dev/null'],
    says: /--out \/dev\/null: exists and is not a regular file \(it is a device\)/,
  },
  { name: '--redact-header not a name', args: ['--redact-header', 'a b'], says: /--redact-header "a b" is not a valid header name/ },
];

describe('refused before sending: exit 2, one line, nothing sent', () => {
  it.each(cases)('$name', async ({ args, says }) => {
    const outcome = await runAbx([...args, server.url], { timeoutMs: 10_000 });
    const lines = stderrLines(outcome);
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(lines, outcome.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(says);
    expect(server.connections).toBe(0);
  });

  it.each([
    ['CR/LF', `\r\n`, /carriage return \(CR\)/],
    ['a tab', '\t', /a tab/],
    ['an escape character', '\u001b', /a control character/],
  ])('refuses a URL with %s in it instead of stripping it', async (_name, inject, says) => {
    const url = server.url.replace(/\/$/, `/pa${inject}th`);
    const outcome = await runAbx([url], { timeoutMs: 10_000 });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(stderrLines(outcome)).toHaveLength(1);
    expect(outcome.stderr).toMatch(says);
    expect(server.connections).toBe(0);
  });

  it('-g /dev/null is allowed, as ab allows it', async () => {
    const outcome = await runAbx(['-n', '2', '-g', '/dev/null', server.url], { timeoutMs: 10_000 });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).not.toMatch(/^abx: /m);
  });
});
