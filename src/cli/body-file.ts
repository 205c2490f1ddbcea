/**
 * -p/-u bodies. The body is read once, whole, before the run (every request
 * sends the same bytes), so only something with an end and a size can be
 * one: a regular file, sized by stat and capped, or `-` for stdin, read up to
 * the same cap. A device (/dev/zero), a FIFO or a socket is refused before
 * anything is sent: /dev/zero grew abx's memory without bound and a FIFO
 * with no writer hung it.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ConfigError } from '../errors.js';

/** The largest body abx reads: 1 GiB, far beyond any sane request, well within a Buffer. */
export const MAX_BODY_BYTES = 1024 ** 3;

function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function sizeText(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Reads `fd` to its end, refusing more than `limitBytes`. */
export function readCapped(fd: number, what: string, limitBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking stdin with nothing yet: wait for the writer rather than spin.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw new ConfigError(`${what}: cannot read it (${code ?? 'error'})`);
    }
    if (read === 0) break;
    total += read;
    if (total > limitBytes) throw new ConfigError(`${what}: more than ${sizeText(limitBytes)}, the largest body abx sends`);
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks, total);
}

/** The body for `flag` (-p or -u) from `path`, or stdin for "-". */
export function readBodyFile(flag: string, path: string, limitBytes = MAX_BODY_BYTES): Buffer {
  if (path === '-') {
    const info = fstatSync(0);
    if (info.isCharacterDevice() && process.stdin.isTTY) {
      throw new ConfigError(`${flag} -: stdin is a terminal; pipe the body in (${flag} - < body.json) or give a file`);
    }
    return readCapped(0, `${flag} - (stdin)`, limitBytes);
  }
  let info: Stats;
  try {
    info = statSync(path);
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (info.isDirectory()) throw new ConfigError(`${flag} ${path}: cannot read the file (EISDIR): it is a directory`);
  if (!info.isFile()) {
    throw new ConfigError(`${flag} ${path} is ${describeKind(info)}, not a regular file: give a file, or - to read the body from stdin`);
  }
  if (info.size > limitBytes) {
    throw new ConfigError(`${flag} ${path} is ${sizeText(info.size)}: the largest body abx sends is ${sizeText(limitBytes)}`);
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    // Read by the same capped loop: a file that grows after stat still stops at the cap.
    return readCapped(fd, `${flag} ${path}`, limitBytes);
  } finally {
    closeSync(fd);
  }
}
