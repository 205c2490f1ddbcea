/**
 * Output files (--out, --html, --junit, -e, -g) are probed before the run, by
 * actually creating (or opening) them, not by asking access(): as root
 * access() says yes to /proc, a read-only mount or a full quota, and the run's
 * result was lost only after the run.
 *
 * -g may also be a character device or a FIFO (`-g /dev/null`, a named pipe
 * to another program), as ab allows: it is streamed, not written atomically.
 * A FIFO is not opened here: opening it waits for its reader.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { ConfigError } from '../errors.js';
import { fileKind } from './file-kind.js';

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? 'error';
}

/**
 * The absolute path, once it is known to be writable. `streamed` accepts a
 * character device or FIFO (for -g); the other outputs replace a regular file.
 */
export function probeOutputPath(flag: string, path: string, opts: { streamed?: boolean } = {}): string {
  const absolute = resolvePath(path);
  let info: Stats | null = null;
  try {
    info = statSync(absolute);
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') {
      throw new ConfigError(`${flag} ${path}: cannot be written (${code(error)})`);
    }
  }
  if (info) {
    if (opts.streamed && (info.isCharacterDevice() || info.isFIFO())) return absolute;
    if (!info.isFile()) {
      throw new ConfigError(
        `${flag} ${path}: exists and is not a regular file (it is ${fileKind(info)})${opts.streamed ? '' : '; give a file name'}`,
      );
    }
    try {
      // Append mode: the probe must not truncate a file the run may never replace.
      closeSync(openSync(absolute, constants.O_WRONLY | constants.O_APPEND));
    } catch (error) {
      throw new ConfigError(`${flag} ${path}: cannot be written (${code(error)})`);
    }
    return absolute;
  }
  const folder = dirname(absolute);
  const probe = join(folder, `.abx-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: the folder ${folder} does not exist or is not writable (${code(error)})`);
  }
  try {
    unlinkSync(probe);
  } catch {
    // Created but not removable is odd, but the output itself can be written.
  }
  return absolute;
}
