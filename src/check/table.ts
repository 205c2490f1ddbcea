/**
 * The checks as a table grouped by principle, fitted to the terminal: a row
 * per check (status, id, what was found, or for a SKIP why it could not be
 * checked), its fix below it as lines to paste into a shell. Pure.
 */
import { wrapLine } from '../report/width.js';
import { PRINCIPLES, type Check, type Snapshot } from './types.js';

const ID_COLUMN = 18;

function shortId(check: Check): string {
  return check.id.startsWith(`${check.principle}.`) ? check.id.slice(check.principle.length + 1) : check.id;
}

/** A command's shell words: spaces inside single or double quotes do not split a word. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  for (const ch of command) {
    if (quote) {
      word += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      word += ch;
      quote = ch;
    } else if (ch === ' ') {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/**
 * A fix as lines a shell runs when pasted: each command of the fix (joined by
 * " && ") starts a line at `indent`, and a line that would pass `width` is
 * broken before an option with " \" at its end, never inside a word (an ARN,
 * a JSON argument); a word longer than the room stays whole on its line.
 */
export function shellLines(fix: string, width: number, indent = 4): string[] {
  const lines: string[] = [];
  const commands = fix.split(' && ');
  commands.forEach((command, n) => {
    const last = n === commands.length - 1;
    // An option and its value stay together when they fit: "--group-id sg-0abc".
    const units: string[][] = [];
    for (const word of shellWords(command)) {
      const prev = units.at(-1);
      if (prev && prev.length === 1 && prev[0].startsWith('--') && !word.startsWith('--')) prev.push(word);
      else units.push([word]);
    }
    let line = ' '.repeat(indent);
    let empty = true;
    const breakLine = (): void => {
      lines.push(`${line} \\`);
      line = ' '.repeat(indent + 2);
      empty = true;
    };
    // Room for " \\" at the end of a line that goes on.
    const fits = (text: string): boolean => line.length + (empty ? 0 : 1) + text.length + 2 <= width;
    for (const unit of units) {
      const text = unit.join(' ');
      if (!empty && !fits(text)) breakLine();
      if (unit.length === 2 && !fits(text)) {
        // Too long even on a line of its own: the value (an ARN, a JSON argument) goes whole on the next line.
        line += empty ? unit[0] : ` ${unit[0]}`;
        empty = false;
        breakLine();
        line += unit[1];
        empty = false;
        continue;
      }
      line += empty ? text : ` ${text}`;
      empty = false;
    }
    lines.push(last ? line : `${line} && \\`);
  });
  return lines;
}

export function checkCounts(checks: readonly Check[]): string {
  const order = ['FAIL', 'WARN', 'SKIP', 'PASS', 'INFO'] as const;
  return order
    .map((status) => ({ status, n: checks.filter((c) => c.status === status).length }))
    .filter((x) => x.n > 0)
    .map((x) => `${x.n} ${x.status}`)
    .join(', ');
}

export function formatCheckTable(snapshot: Snapshot, checks: readonly Check[], width: number): string[] {
  const lines: string[] = [];
  const where = [
    snapshot.group?.AutoScalingGroupName ? `group ${snapshot.group.AutoScalingGroupName}` : 'no Auto Scaling group found',
    snapshot.loadBalancer?.LoadBalancerName ? `load balancer ${snapshot.loadBalancer.LoadBalancerName}` : null,
    snapshot.region,
  ].filter(Boolean);
  lines.push(...wrapLine(`abx check: ${where.join(', ')}`, width, 2));
  for (const note of snapshot.notes) lines.push(...wrapLine(`note: ${note}`, width, 6));
  const indent = 2 + 4 + 2 + ID_COLUMN;
  for (const principle of PRINCIPLES) {
    const rows = checks.filter((c) => c.principle === principle);
    if (rows.length === 0) continue;
    lines.push('', principle);
    for (const c of rows) {
      const id = shortId(c);
      const head = `  ${c.status.padEnd(4)}  ${id.length < ID_COLUMN ? id.padEnd(ID_COLUMN) : `${id} `}`;
      lines.push(...wrapLine(`${head}${c.summary}`, width, indent));
      if (c.fix && c.status !== 'PASS') {
        // The label on its own line: what follows is only the command, so pasting it runs it.
        lines.push(`${' '.repeat(indent)}fix:`, ...shellLines(c.fix, width));
      }
    }
  }
  lines.push('', checks.length ? checkCounts(checks) : 'nothing could be checked');
  return lines;
}
