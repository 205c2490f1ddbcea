import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderAssertionTable } from '../../src/report/assertions.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Result } from '../../src/stats/result.js';
import { evaluateAssertions, parseAssertion } from '../../src/stats/thresholds.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';

const T0 = Date.UTC(2026, 10, 26, 16, 0, 0);
const secondsMs = [0, 1, 2].map((s) => Array.from({ length: 50 }, (_, i) => 4 + i * 0.2 + s));

function withAssertions(result: Result, expressions: string[], observing = false): Result {
  const assertions = expressions.map((e) => parseAssertion(e, { observing }));
  return { ...result, assertions: evaluateAssertions(assertions, result) };
}

describe('renderJunit', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testcase' || name === 'property',
  });

  it('one testcase per assertion, a failure element for each failed one', () => {
    const result = withAssertions(makeResult({ secondsMs, startedAtMs: T0 }), ['p99<1000ms', 'p50<1ms', 'rps>=50', 'errors>0']);
    const doc = parser.parse(renderJunit(result));
    const suite = doc.testsuites.testsuite;
    expect(suite.name).toBe('abx');
    expect(suite.tests).toBe('4');
    expect(suite.failures).toBe('2');
    expect(doc.testsuites.failures).toBe('2');
    const cases = suite.testcase as { name: string; failure?: { message: string } }[];
    expect(cases.map((c) => c.name)).toEqual(['p99<1000ms', 'p50<1ms', 'rps>=50', 'errors>0']);
    expect(cases.filter((c) => c.failure !== undefined).map((c) => c.name)).toEqual(['p50<1ms', 'errors>0']);
    expect(cases[1].failure!.message).toBe(`p50<1ms: measured ${result.latencyMs.p50}ms`);
    const properties = Object.fromEntries((suite.properties.property as { name: string; value: string }[]).map((p) => [p.name, p.value]));
    expect(properties.url).toBe(result.url);
    expect(properties.completed).toBe('150');
  });

  it('escapes what it did not write and stays parseable', () => {
    const base = makeResult({ secondsMs, startedAtMs: T0 });
    const result = { ...withAssertions(base, ['p99<1ms']), url: 'http://127.0.0.1:8080/?a=1&b=<x>"\'' };
    const xml = renderJunit(result);
    const doc = parser.parse(xml);
    expect(doc.testsuites.testsuite.testcase[0].failure['#text']).toContain('http://127.0.0.1:8080/?a=1&b=<x>"\'');
    expect(xml).not.toContain('<x>');
  });

  it('an unmeasurable assertion fails and says so', () => {
    const result = withAssertions(makeResult({ secondsMs, startedAtMs: T0 }), ['instances>=2'], true);
    const doc = parser.parse(renderJunit(result));
    expect(doc.testsuites.testsuite.testcase[0].failure.message).toBe('instances>=2: could not be measured');
  });

  it('no assertions: an empty suite', () => {
    const doc = parser.parse(renderJunit(makeResult({ secondsMs, startedAtMs: T0 })));
    expect(doc.testsuites.testsuite.tests).toBe('0');
    expect(doc.testsuites.testsuite.testcase).toBeUndefined();
  });
});

describe('renderMarkdown', () => {
  it('headline numbers, assertions and scaling events', () => {
    const result = withAssertions(
      makeResult({ secondsMs, startedAtMs: T0, observation: makeObservation(T0) }),
      ['p99<1000ms', 'instances>=5', 'time-to-scale<60s'],
      true,
    );
    const md = renderMarkdown(result);
    expect(md).toContain('### abx: GET http://127.0.0.1:8080/');
    expect(md).toContain(`| 150 | 150 | 0 | 0 | 50.0 | 3.00 s | ${result.latencyMs.p50.toFixed(2)} ms |`);
    expect(md).toContain('#### Assertions: 1 of 3 failed');
    // The operator is escaped: GitHub would read "<1000ms" as the start of an HTML tag.
    expect(md).toContain('| p99&lt;1000ms | ' + `${result.latencyMs.p99}ms | ✅ pass |`);
    expect(md).toContain('| instances&gt;=5 | 4 | ❌ fail |');
    expect(md).toContain('| time-to-scale&lt;60s | 20s | ✅ pass |');
    expect(md).toContain('#### Scaling: abx-lab-asg');
    expect(md).toContain('InService instances: 2 → 4 · Scale-outs: 1 · Time to scale: 20 s');
    expect(md).toContain('| +20s | scaling-activity | Launching a new EC2 instance: i-0abc1234def567890 (2 → 4) [Successful] |');
    expect(md).toContain('| +15s | alarm |');
    expect(md).toContain('Status codes: 200 × 150');
  });

  it('without observation or assertions: no such sections, and table-breaking text is escaped', () => {
    const result = { ...makeResult({ secondsMs, startedAtMs: T0 }), url: 'http://127.0.0.1/a|b<script>' };
    const md = renderMarkdown(result);
    expect(md).not.toContain('Scaling');
    expect(md).not.toContain('Assertions');
    expect(md).toContain('http://127.0.0.1/a&#124;b&lt;script&gt;');
    expect(md).not.toContain('<script>');
  });
});

describe('renderCsv', () => {
  it('one row per second with a header, and observed metrics lined up by time', () => {
    const result = makeResult({ secondsMs, startedAtMs: T0, observation: makeObservation(T0), errorsPerSecond: [0, 2, 0] });
    const lines = renderCsv(result).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0].split(',');
    expect(header.slice(0, 9)).toEqual(['second', 'time', 'completed', 'errors', 'non2xx', 'bytes', 'p50_ms', 'p99_ms', 'max_ms']);
    expect(header).toContain('InServiceInstances');
    const row1 = Object.fromEntries(lines[2].split(',').map((v, i) => [header[i], v]));
    expect(row1).toMatchObject({
      second: '1',
      time: '2026-11-26T16:00:01.000Z',
      completed: '50',
      errors: '2',
      InServiceInstances: '2',
      p99_ms: String(result.timeline[1].p99Ms),
    });
  });

  it('TSV with a tab separator; no observed columns without observation', () => {
    const tsv = renderCsv(makeResult({ secondsMs, startedAtMs: T0 }), '\t');
    const lines = tsv.trimEnd().split('\n');
    expect(lines[0].split('\t')).toHaveLength(9);
    expect(lines[3].split('\t')[0]).toBe('2');
  });
});

describe('renderAssertionTable', () => {
  const result = withAssertions(makeResult({ secondsMs, startedAtMs: T0 }), ['p99<1000ms', 'errors>0']);

  it('lists each assertion with its measured value and verdict', () => {
    const table = renderAssertionTable(result.assertions!, { color: false });
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Assertion\s+Measured\s+Result$/);
    expect(lines[1]).toMatch(new RegExp(`^p99<1000ms\\s+${result.latencyMs.p99}ms  pass$`));
    expect(lines[2]).toMatch(/^errors>0\s+0 {2}FAIL$/);
    expect(lines[3]).toBe('1 of 2 assertions failed.');
    expect(table).not.toContain('\u001b[');
  });

  it('colours the verdicts only when asked', () => {
    expect(renderAssertionTable(result.assertions!, { color: true })).toContain('\u001b[');
    expect(renderAssertionTable([], { color: false })).toBe('');
  });
});
