/**
 * JUnit XML for CI test reporters (GitLab, Jenkins, GitHub test-report
 * actions): one suite named abx, one test case per assertion, a <failure>
 * for each assertion that failed. The run's time belongs to the suite; each
 * test case says 0 s, or reporters that add test times would count it N times.
 * The run's headline numbers go in <properties> next to the verdicts.
 */
import type { Result } from '../stats/result.js';
import { formatActual } from './assertions.js';

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry. */
function xml(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export function renderJunit(result: Result): string {
  const outcomes = result.assertions ?? [];
  const failures = outcomes.filter((o) => !o.passed).length;
  const seconds = (result.durationMs / 1000).toFixed(3);
  const properties: [string, string | number][] = [
    ['url', result.url],
    ['method', result.method],
    ['requests', result.totals.requests],
    ['completed', result.totals.completed],
    ['failed', result.totals.failed],
    ['non2xx', result.totals.non2xx],
    ['rps', result.totals.rps.toFixed(2)],
    ['p50_ms', result.latencyMs.p50],
    ['p99_ms', result.latencyMs.p99],
    ['max_ms', result.latencyMs.max],
    ['interrupted', String(result.interrupted)],
  ];
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="abx" tests="${outcomes.length}" failures="${failures}" errors="0" time="${seconds}">`,
    `  <testsuite name="abx" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}" timestamp="${xml(result.startedAt)}">`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property name="${xml(name)}" value="${xml(String(value))}"/>`),
    '    </properties>',
  ];
  for (const outcome of outcomes) {
    const measured = formatActual(outcome.actual, outcome.unit);
    const open = `    <testcase classname="abx.assertions" name="${xml(outcome.expression)}" time="0"`;
    if (outcome.passed) {
      lines.push(`${open}/>`);
      continue;
    }
    const message =
      outcome.actual === null
        ? `${outcome.expression}: could not be measured${outcome.reason ? ` (${outcome.reason})` : ''}`
        : `${outcome.expression}: measured ${measured}`;
    lines.push(`${open}>`);
    lines.push(
      `      <failure type="AssertionFailed" message="${xml(message)}">${xml(`${message} (${result.method} ${result.url})`)}</failure>`,
    );
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
