/**
 * Streams ab's -g rows to a file while the load runs. Rows arrive one per
 * request and the load cannot wait for the disk, so they are batched into
 * chunks and written with backpressure: while the stream asks to drain,
 * chunks queue here, up to MAX_QUEUED_CHARS. A disk that falls further behind,
 * or a write that fails (a full disk: ENOSPC), ends the file early: later rows
 * are dropped, the load goes on, and close() says why the file is incomplete.
 * This is the one reporter that does I/O, because -g's rows are never held.
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream';
import type { RequestRow } from '../stats/request-row.js';
import { formatGnuplotRow, GNUPLOT_HEADER } from './gnuplot.js';

/** Rows are handed to the stream in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;
/** Rows queued behind a slow disk, at most (~100 bytes a row: ~600,000 rows). */
const MAX_QUEUED_CHARS = 64 * 1024 * 1024;

export type GnuplotFileStatus = { complete: true } | { complete: false; reason: string };

export interface GnuplotFile {
  /** Safe to pass on as a callback (onRow): it does not use `this`. */
  write(this: void, row: RequestRow): void;
  /** Writes what is left and closes the file; never rejects. */
  close(): Promise<GnuplotFileStatus>;
}

export function openGnuplotFile(path: string): GnuplotFile {
  const stream = createWriteStream(path);
  let chunk = GNUPLOT_HEADER;
  const queued: string[] = [];
  let queuedChars = 0;
  let draining = false;
  /** Why the file is incomplete; set once, after which rows are dropped. */
  let failure: string | null = null;

  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= `writing it failed (${firstLine(error.message)})`;
    queued.length = 0;
    queuedChars = 0;
  });
  stream.on('drain', () => {
    draining = false;
    while (queued.length > 0 && !draining) {
      const next = queued.shift()!;
      queuedChars -= next.length;
      draining = !stream.write(next);
    }
  });

  function flush(): void {
    const text = chunk;
    chunk = '';
    if (failure !== null || text === '') return;
    if (!draining) {
      draining = !stream.write(text);
    } else if (queuedChars + text.length <= MAX_QUEUED_CHARS) {
      queued.push(text);
      queuedChars += text.length;
    } else {
      failure = 'the disk did not keep up with the rows, so the rest were dropped';
    }
  }

  return {
    write(row) {
      if (failure !== null) return;
      chunk += formatGnuplotRow(row);
      if (chunk.length >= CHUNK_CHARS) flush();
    },
    close() {
      flush();
      return new Promise((resolve) => {
        const settle = (): void => resolve(failure === null ? { complete: true } : { complete: false, reason: failure });
        if (stream.destroyed) return settle();
        // The run is over: what is queued goes to the stream now, and end() waits for all of it.
        for (const text of queued.splice(0)) stream.write(text);
        stream.end();
        finished(stream, settle);
      });
    },
  };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
