/**
 * stdout and stderr failures, for every command.
 *
 * A closed pipe (`abx … | head -1`) is the reader being done, not an error:
 * later writes to that stream are dropped, the command finishes what it was
 * doing (a run still writes its --out, --html and --junit files) and abx
 * exits with the code it would have had, saying nothing. Node ignores
 * SIGPIPE, so without this the first write after `head` exits raised EPIPE as
 * an unhandled 'error' event with a stack trace.
 *
 * Any other write error (ENOSPC on `> /dev/full`, EIO) means output was
 * lost: one line names the stream and the error (on the other stream), later
 * writes are dropped, and abx exits 2 when the command ends.
 *
 * Commands that would otherwise run until Ctrl-C (`abx watch`) ask to be
 * told when stdout is gone, through onStdoutGone, and stop then.
 */
import { EXIT } from '../errors.js';

type StreamName = 'stdout' | 'stderr';

interface StreamState {
  /** Writes are dropped: the reader went away or the stream failed. */
  gone: boolean;
  /** The error that was not a closed pipe, once said. */
  failure: string | null;
}

const state: Record<StreamName, StreamState> = {
  stdout: { gone: false, failure: null },
  stderr: { gone: false, failure: null },
};
const stdoutGoneListeners = new Set<() => void>();
let installed = false;

/** The reader closed its end: EPIPE, or a write on a stream already torn down because of it. */
function isClosedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || error.code === 'ECONNRESET';
}

const PHRASES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EIO: 'input/output error',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
};

function describe(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'error';
  const phrase = PHRASES[code];
  return phrase ? `${code} (${phrase})` : `${code}: ${error.message.split('\n')[0]}`;
}

/** Replaces the stream's write with one that drops the text and still calls back, so nothing waits on it. */
function silence(stream: NodeJS.WriteStream): void {
  stream.write = (_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}

function onError(name: StreamName, stream: NodeJS.WriteStream, error: NodeJS.ErrnoException): void {
  const s = state[name];
  const wasGone = s.gone;
  s.gone = true;
  silence(stream);
  if (!isClosedPipe(error) && s.failure === null) {
    s.failure = describe(error);
    const other = name === 'stdout' ? 'stderr' : 'stdout';
    if (!state[other].gone) process[other].write(`abx: cannot write to ${name}: ${s.failure}\n`);
  }
  if (name === 'stdout' && !wasGone) for (const listener of stdoutGoneListeners) listener();
}

/**
 * Installs the handlers on process.stdout and process.stderr; once per process.
 * The exit code is settled in 'exit' because a write error is reported a tick
 * after the write, possibly after the command has returned.
 */
export function guardStdio(): void {
  if (installed) return;
  installed = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    stream.on('error', (error: NodeJS.ErrnoException) => onError(name, stream, error));
  }
  process.once('exit', (code) => {
    process.exitCode = exitCodeAfterOutput(typeof code === 'number' ? code : EXIT.ok);
  });
}

/** Calls `listener` once when stdout can no longer be written (closed pipe or failure). Returns the way to unsubscribe. */
export function onStdoutGone(listener: () => void): () => void {
  if (state.stdout.gone) {
    listener();
    return () => undefined;
  }
  stdoutGoneListeners.add(listener);
  return () => stdoutGoneListeners.delete(listener);
}

/** The exit code once the command has ended: a lost write (not a closed pipe) turns it into 2. */
export function exitCodeAfterOutput(code: number): number {
  if (state.stdout.failure !== null || state.stderr.failure !== null) return EXIT.usage;
  return code;
}
