/**
 * One status line on stderr that is redrawn in place on a terminal (cut to
 * its width: a wrapped line would leave a stale copy on every redraw), with
 * other lines printed above it (wrapped). Elsewhere (a log, CI) a status is printed as
 * a plain line, and only when what it says changes, not at every redraw.
 */
import { fitLine, wrapLine } from '../report/width.js';

export interface LiveLine {
  /** The status now; `key` is what must change for a plain (non-terminal) line to be printed again. */
  set(text: string, key?: string): void;
  /** A line printed above the status (an event, a warning). */
  log(text: string): void;
  /** The status line goes (on a terminal); what follows starts on a clean line. */
  end(): void;
}

export function liveLine(stream: NodeJS.WritableStream, live: boolean, width: () => number): LiveLine {
  let current = '';
  let lastKey: string | null = null;
  return {
    set(text, key = text) {
      if (live) {
        current = fitLine(text, width());
        stream.write(`\r\x1b[2K${current}`);
      } else if (key !== lastKey) {
        lastKey = key;
        stream.write(`${fitLine(text, width())}\n`);
      }
    },
    log(text) {
      // Wrapped, not cut: the end of a line (a task's stop reason, what to fix) matters as much as its start.
      const lines = wrapLine(text, width(), 2).join('\n');
      if (live) stream.write(`\r\x1b[2K${lines}\n${current}`);
      else stream.write(`${lines}\n`);
    },
    end() {
      if (live && current !== '') stream.write('\r\x1b[2K');
      current = '';
    },
  };
}
