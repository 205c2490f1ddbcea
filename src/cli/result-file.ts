/**
 * Reading and writing result files (`--out`, `abx report`, `abx merge`).
 *
 * Reading checks the schema tag before anything else looks at the data, so
 * a file from a newer abx or an unrelated JSON fails with one line that says
 * what to do instead of a crash deep in a reporter.
 *
 * Writing is atomic: the contents go to a temp file in the same folder (same
 * filesystem, so rename is atomic) which then replaces the target. A reader,
 * or a run killed half-way, never sees a truncated result.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { fileKind } from './file-kind.js';
import { redactHeaderLine } from '../redact.js';
import { RESULT_SCHEMA, type Result } from '../stats/result.js';
import { getS3Text, isS3Url, type S3Settings } from './s3-results.js';

const SCHEMA_TAG = /^abx\.result\/v(\d+)$/;
const SUPPORTED_VERSION = Number(SCHEMA_TAG.exec(RESULT_SCHEMA)![1]);

/** Node's error codes as short phrases for one-line messages. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** Reads and checks a result file or s3:// object (`s3`: region, profile and endpoint for S3, else the environment's). */
export async function readResultFile(path: string, s3: S3Settings = {}): Promise<Result> {
  let contents: string;
  if (isS3Url(path)) contents = await getS3Text(path, s3);
  else {
    try {
      contents = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read result file ${path}: ${reason(error)}`);
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(contents);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON (${reason(error)}); give a file written by abx --out`);
  }
  const schema = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { schema?: unknown }).schema : undefined;
  const version = typeof schema === 'string' ? SCHEMA_TAG.exec(schema) : null;
  if (!version) {
    throw new ConfigError(`${path} is not an abx result (expected "schema": "${RESULT_SCHEMA}"); give a file written by abx --out`);
  }
  if (Number(version[1]) > SUPPORTED_VERSION) {
    throw new ConfigError(
      `${path} was written by a newer abx (${String(schema)}); this abx reads ${RESULT_SCHEMA}: upgrade abx to read it`,
    );
  }
  if (Number(version[1]) < SUPPORTED_VERSION) {
    throw new ConfigError(
      `${path} uses an older result schema (${String(schema)}) that this abx no longer reads; re-run it to get ${RESULT_SCHEMA}`,
    );
  }
  const { resultProblem } = await import('./result-validate.js');
  const problem = resultProblem(data);
  if (problem !== null) throw new ConfigError(`${path} is not a valid abx result: ${problem}`);
  const result = data as Result;
  // A file written by hand or by an older abx may hold a secret: no report shows it.
  result.options.headers = result.options.headers.map((line) => redactHeaderLine(line));
  return result;
}

/**
 * Replaces `path` with `contents` atomically. Refuses to replace anything but a
 * regular file (a directory, FIFO, device...). A symbolic link is followed, so
 * the file it points to is replaced and the link stays.
 */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  let target = path;
  let mode = 0o644;
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      target = await realpath(path).catch(() => path);
    }
    const resolved = target === path ? info : await stat(target).catch(() => null);
    if (resolved && !resolved.isFile()) {
      throw new ConfigError(`refusing to write ${path}: it is ${fileKind(resolved)}; give a file name for the result`);
    }
    if (resolved) mode = resolved.mode & 0o777;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot write ${path}: ${reason(error)}`);
  }

  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  } catch (error) {
    throw new ConfigError(`cannot write ${path}: ${reason(error)}`);
  }
  try {
    await handle.writeFile(contents, 'utf8');
    // Flush before the rename: otherwise a crash can leave the new name pointing at empty blocks.
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new ConfigError(`cannot write ${path}: ${reason(error)}`);
  }
}
