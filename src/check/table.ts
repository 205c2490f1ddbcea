/**
 * The checks as a table grouped by principle, fitted to the terminal: a row
 * per check (status, id, what was found), its fix below it. Pure.
 */
import { wrapLine } from '../report/width.js';
import { PRINCIPLES, type Check, type Snapshot } from './types.js';

const ID_COLUMN = 18;

function shortId(check: Check): string {
  return check.id.startsWith(`${check.principle}.`) ? check.id.slice(check.principle.length + 1) : check.id;
}

/**
 * A fix broken at spaces only: a command is copied, so a word (an ARN, a JSON
 * argument) longer than the room is kept whole on its own line rather than cut.
 */
export function wrapWords(text: string, width: number, firstIndent: number, indent: number): string[] {
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

export function checkCounts(checks: readonly Check[]): string {
  const order = ['FAIL', 'WARN', 'PASS', 'INFO'] as const;
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
        for (const command of c.fix.split(' && ')) lines.push(...wrapWords(`fix: ${command}`, width, indent, indent + 5));
      }
    }
  }
  lines.push('', checks.length ? checkCounts(checks) : 'nothing could be checked');
  return lines;
}
