/**
 * What a path is when it is not a regular file, in the words abx's one-line
 * errors use ("it is a directory"): the output-path check before a run and
 * the result writer after it say it the same way. (The -p/-u reader says
 * more, "a FIFO (named pipe)": a body read from a pipe is the likelier slip.)
 */
import type { Stats } from 'node:fs';

export function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
