/**
 * Every fix `abx check` prints can be pasted: the lines under "fix:" in the
 * text output, exactly as printed, run in bash through Debian's AWS CLI
 * against `abx lab`, and the finding they fix is gone on the next check.
 * Fixes that overlap (one revoke clears three findings) are run one at a
 * time, each followed by a fresh check.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/check.js';
import type { Check } from '../../src/check/types.js';
import { awsCliEnv, pasteIntoShell, RUN_AWS_CLI_TESTS } from '../helpers/aws-cli.js';
import { startClockedLab, type ClockedLab } from '../helpers/clocked-lab.js';

const runIt = RUN_AWS_CLI_TESTS ? it : it.skip;

let t: ClockedLab | undefined;
afterEach(async () => {
  await t?.lab.close();
  t = undefined;
});

async function check(lab: ClockedLab, json: boolean): Promise<string> {
  let out = '';
  await runCheck(
    undefined,
    { asg: lab.lab.asgName, region: lab.lab.region, endpointUrl: lab.lab.apiUrl, ...(json ? { json: true } : {}) },
    { out: (s) => (out += s), err: () => undefined, width: 80, credentials: lab.clientConfig.credentials, maxAttempts: 1 },
  );
  return out;
}

/** The lines printed under a check's "fix:", from the text table: what a user selects and pastes. */
function fixBlock(text: string, id: string): string {
  const lines = text.split('\n');
  const row = lines.findIndex((l) => new RegExp(`^ {2}\\S+ +${id.split('.')[1]}\\b`).test(l));
  expect(row, `no row for ${id}`).toBeGreaterThanOrEqual(0);
  const label = lines.findIndex((l, i) => i > row && l.trim() === 'fix:');
  const block: string[] = [];
  for (let i = label + 1; i < lines.length && /^ {4}\S| {6}\S/.test(lines[i]) && !/^ {2}[A-Z]{4} /.test(lines[i]); i++)
    block.push(lines[i]);
  return block.join('\n');
}

async function fixEverything(lab: ClockedLab): Promise<{ fixed: string[]; left: Check[] }> {
  const env = awsCliEnv(mkdtempSync(join(tmpdir(), 'abx-check-fixes-')), lab.lab.region);
  const fixed: string[] = [];
  for (let round = 0; round < 12; round++) {
    const checks = (JSON.parse(await check(lab, true)) as { checks: Check[] }).checks;
    const next = checks.find((c) => c.fix !== null && c.status !== 'PASS' && !fixed.includes(c.id));
    if (!next) return { fixed, left: checks.filter((c) => c.status !== 'PASS' && c.status !== 'INFO') };
    const text = await check(lab, false);
    const block = fixBlock(text, next.id);
    // As a shell joins it: the continuations go, the command is the one the JSON holds.
    expect(block.replace(/ \\\n\s*/g, ' ').trim()).toBe(next.fix);
    const pasted = await pasteIntoShell(lab.lab.apiUrl, env, block);
    expect(pasted.code, `${next.id}: ${pasted.stderr}`).toBe(0);
    const after = (JSON.parse(await check(lab, true)) as { checks: Check[] }).checks.find((c) => c.id === next.id)!;
    expect(after.status, `${next.id} after its fix: ${after.summary}`).toBe('PASS');
    fixed.push(next.id);
  }
  throw new Error(`fixes did not converge: ${fixed.join(', ')}`);
}

describe("abx check's fixes, pasted into a shell against the lab", { timeout: 240_000 }, () => {
  runIt('the course lab as it starts: every printed fix runs, and its finding goes away', async () => {
    t = await startClockedLab();
    const { fixed, left } = await fixEverything(t);
    expect(fixed).toEqual(expect.arrayContaining(['security.alb-sg-world', 'security.imdsv2', 'scalability.policy']));
    // What is left has no command to paste (an HTTPS listener needs a certificate), and says what to do instead.
    for (const c of left) expect(c.fix, c.id).toBeNull();
    expect(left.map((c) => c.id)).toContain('security.http-redirect');
  });

  runIt('abx lab --with-policy: the same, with the policy already in place', async () => {
    t = await startClockedLab({ withPolicy: true });
    const { fixed, left } = await fixEverything(t);
    expect(fixed).toContain('security.alb-sg-world');
    for (const c of left) expect(c.fix, c.id).toBeNull();
  });
});
