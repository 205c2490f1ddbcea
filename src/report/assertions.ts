/**
 * The assertion table printed after the report: each assertion, what was
 * measured and its verdict. Pure; colour only when the caller asks for it.
 */
import type { AssertionOutcome } from '../stats/result.js';
import { painter } from './style.js';

/** A measured value in its unit ("12.5ms", "0.3%", "4"), or "n/a" when it could not be measured. */
export function formatActual(actual: number | null, unit: string): string {
  if (actual === null) return 'n/a';
  const rounded = Number.isInteger(actual) ? String(actual) : String(Number(actual.toFixed(3)));
  return `${rounded}${unit}`;
}

export function renderAssertionTable(outcomes: AssertionOutcome[], style: { color: boolean }): string {
  if (outcomes.length === 0) return '';
  const paint = painter(style);
  const rows = outcomes.map((o) => ({
    expression: o.expression,
    measured: o.actual === null && o.reason ? o.reason : formatActual(o.actual, o.unit),
    verdict: o.passed ? 'pass' : 'FAIL',
    passed: o.passed,
  }));
  const header = { expression: 'Assertion', measured: 'Measured', verdict: 'Result' };
  const w1 = Math.max(header.expression.length, ...rows.map((r) => r.expression.length));
  const w2 = Math.max(header.measured.length, ...rows.map((r) => r.measured.length));
  const lines = [`${header.expression.padEnd(w1)}  ${header.measured.padStart(w2)}  ${header.verdict}`];
  for (const row of rows) {
    // Pad before colouring: escape codes would throw the column widths off.
    const verdict = row.passed ? paint.green(row.verdict) : paint.bold(paint.red(row.verdict));
    lines.push(`${row.expression.padEnd(w1)}  ${row.measured.padStart(w2)}  ${verdict}`);
  }
  const failed = rows.filter((r) => !r.passed).length;
  const noun = rows.length === 1 ? 'assertion' : 'assertions';
  lines.push(failed === 0 ? `${rows.length} ${noun} passed.` : `${failed} of ${rows.length} ${noun} failed.`);
  return `${lines.join('\n')}\n`;
}
