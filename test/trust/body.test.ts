/**
 * -p/-u bodies: regular files only (sized by stat, capped at 1 GiB), `-` for
 * stdin with the same cap; a device, FIFO or socket is refused, exit 2,
 * before anything is sent.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapped } from '../../src/cli/body-file.js';
import { ConfigError } from '../../src/errors.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { ABX_BIN, runAbx, stderrLines } from '../cli/abx-process.js';

let server: TestServer;
let dir: string;
const bodies: string[] = [];
beforeAll(async () => {
  server = await startServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.end('ok');
    });
  });
  dir = mkdtempSync(join(tmpdir(), 'abx-body-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function expectRefused(args: string[], says: RegExp): Promise<void> {
  const before = server.connections;
  const outcome = await runAbx([...args, server.url], { timeoutMs: 10_000 });
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(stderrLines(outcome)).toHaveLength(1);
  expect(outcome.stderr).toMatch(says);
  expect(server.connections).toBe(before);
}

describe('request bodies', () => {
  it('refuses -p /dev/zero at once instead of growing without bound', async () => {
    await expectRefused(
      ['-p', '/dev/zero'],
      /^abx: -p \/dev\/zero is a device, not a regular file: give a file, or - to read the body from stdin$/m,
    );
  });

  it('refuses -u on a FIFO with no writer instead of hanging', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expectRefused(['-u', fifo], /-u .*fifo is a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a socket', async () => {
    const path = join(dir, 'sock');
    const listener: Server = createServer();
    await new Promise<void>((resolve) => listener.listen(path, resolve));
    try {
      await expectRefused(['-p', path], /-p .*sock is a socket, not a regular file/);
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  it('refuses a file over 1 GiB from its size, without reading it', async () => {
    const big = join(dir, 'big.bin');
    closeSync(openSync(big, 'w'));
    // Sparse: no disk used.
    truncateSync(big, 1024 ** 3 + 1);
    await expectRefused(['-p', big], /-p .*big\.bin is 1024\.0 MiB: the largest body abx sends is 1024\.0 MiB/);
  });

  it('sends a regular file', async () => {
    const file = join(dir, 'body.json');
    writeFileSync(file, '{"a":1}');
    const outcome = await runAbx(['-n', '1', '-p', file, '-T', 'application/json', server.url]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(bodies.at(-1)).toBe('{"a":1}');
  });

  it('-p - reads the body from stdin', async () => {
    const child = spawn(process.execPath, [ABX_BIN, '-n', '2', '-p', '-', server.url], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.resume();
    child.stdin.end('from stdin');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(bodies.slice(-2)).toEqual(['from stdin', 'from stdin']);
  });

  it('stdin is capped like a file', () => {
    const file = join(dir, 'twenty.txt');
    writeFileSync(file, 'x'.repeat(20));
    const readWithLimit = (limitBytes: number): Buffer => {
      const fd = openSync(file, 'r');
      try {
        return readCapped(fd, '-p - (stdin)', limitBytes);
      } finally {
        closeSync(fd);
      }
    };
    expect(() => readWithLimit(10)).toThrow(ConfigError);
    expect(() => readWithLimit(10)).toThrow('-p - (stdin): more than 10 bytes, the largest body abx sends');
    expect(readWithLimit(20).length).toBe(20);
  });
});
