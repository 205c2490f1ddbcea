/**
 * The one home for "how wide is the screen" and "make this line fit it".
 * Everything abx prints on its own (not ab's report block, not --json) goes
 * through here, so an 80-column terminal never wraps a line and a live line
 * redrawn with "\r" never leaves a stale copy behind.
 */

/** Below this a terminal is too narrow to lay anything out; lines are cut at this instead. */
const MIN_WIDTH = 20;
const DEFAULT_WIDTH = 80;

/**
 * The width to fit: the terminal's own when the stream is one, else COLUMNS
 * when set to a number, else 80.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0) return Math.max(MIN_WIDTH, stream.columns);
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(MIN_WIDTH, fromEnv);
  return DEFAULT_WIDTH;
}

// SGR colour sequences (chalk's), and the erase-line sequence of the live line.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g; // eslint-disable-line no-control-regex

/** Columns the text takes on screen: colour codes take none; →, ×, … take one each. */
export function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/**
 * The line cut to `width` columns, ending in "…" when cut. Colour codes are
 * kept (they take no columns) and a reset closes a cut coloured line, so the
 * colour never runs into the next line.
 */
export function fitLine(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = '';
  let shown = 0;
  let coloured = false;
  let i = 0;
  while (i < text.length && shown < width - 1) {
    if (text[i] === '\x1b') {
      const match = /^\x1b\[[0-9;]*[A-Za-z]/.exec(text.slice(i)); // eslint-disable-line no-control-regex
      if (match) {
        out += match[0];
        coloured = true;
        i += match[0].length;
        continue;
      }
    }
    const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
    out += char;
    i += char.length;
    shown++;
  }
  const cut = out.trimEnd();
  // An id already shortened to "i-0bed…" needs no second ellipsis.
  return `${cut.endsWith('…') ? cut : `${cut}…`}${coloured ? '\x1b[0m' : ''}`;
}

/**
 * A long line broken into lines of at most `width` columns: at the last
 * separator ("  ", ", ", "; " or a space) that fits, later lines indented by
 * `indent` spaces. A word longer than a line is cut (fitLine).
 */
export function wrapLine(text: string, width: number, indent = 0): string[] {
  const lines: string[] = [];
  let rest = text;
  let prefix = '';
  while (visibleLength(prefix + rest) > width) {
    const room = width - prefix.length;
    const plain = [...rest];
    let cut = -1;
    for (let i = Math.min(room, plain.length - 1); i > 0; i--) {
      if (plain[i] === ' ' && plain[i - 1] !== ' ') {
        cut = i;
        break;
      }
    }
    // No break point after the indent: nothing better than cutting.
    if (cut <= 0 || visibleLength(plain.slice(0, cut).join('').trimEnd()) === 0) break;
    lines.push((prefix + plain.slice(0, cut).join('')).trimEnd());
    rest = plain.slice(cut).join('').trimStart();
    prefix = ' '.repeat(indent);
  }
  lines.push(fitLine(prefix + rest, width));
  return lines;
}

/** Every line of a block wrapped to the width (see wrapLine). */
export function wrapBlock(lines: readonly string[], width: number, indent = 0): string[] {
  return lines.flatMap((line) => wrapLine(line, width, indent));
}
