/**
 * Secrets by name: the one rule (src/redact.ts) and every place abx prints or
 * writes headers (-v 2, the JSON result, the HTML and JUnit files).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecretHeader, redactHeaderLine, redactHeaderLines } from '../../src/redact.js';
import type { Result } from '../../src/stats/result.js';
import { startRecordingServer } from '../helpers/fault-servers.js';
import { runAbx } from '../cli/abx-process.js';

describe('the redaction rule', () => {
  it.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['Cookie', true],
    ['X-Api-Key', true],
    ['X-Auth-Token', true],
    ['X-Client-Secret', true],
    ['X-Password', true],
    ['X-Session-Id', true],
    ['X-Amz-Security-Token', true],
    ['Accept', false],
    ['Content-Type', false],
    ['X-Tenant', false],
    ['Keep-Alive', false],
  ])('%s secret: %s', (name, secret) => {
    expect(isSecretHeader(name)).toBe(secret);
  });

  it('adds --redact-header names, in any case', () => {
    expect(isSecretHeader('X-Tenant', ['x-tenant'])).toBe(true);
    expect(
      redactHeaderLines(
        [
          ['X-Tenant', 'acme'],
          ['Accept', '*/*'],
        ],
        ['X-TENANT'],
      ),
    ).toEqual(['X-Tenant: [redacted]', 'Accept: */*']);
    expect(redactHeaderLine('X-Api-Key: topsecret')).toBe('X-Api-Key: [redacted]');
    expect(redactHeaderLine('Accept: */*')).toBe('Accept: */*');
  });
});

describe('secrets never leave abx', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abx-redact-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps -H X-Api-Key and --redact-header values out of -v 2, the JSON, the HTML and the JUnit file', async () => {
    const server = await startRecordingServer();
    try {
      const out = join(dir, 'r.json');
      const html = join(dir, 'r.html');
      const junit = join(dir, 'r.xml');
      const outcome = await runAbx([
        '-n',
        '2',
        '-v',
        '2',
        '-H',
        'X-Api-Key: topsecret',
        '-H',
        'X-Tenant: acme-private',
        '--redact-header',
        'x-tenant',
        '-H',
        'X-Visible: shown',
        '--assert',
        'errors<1%',
        '--out',
        out,
        '--html',
        html,
        '--junit',
        junit,
        server.url,
      ]);
      expect(outcome.code, outcome.stderr).toBe(0);
      // Sent as given...
      expect(server.headers[0]['x-api-key']).toBe('topsecret');
      expect(server.headers[0]['x-tenant']).toBe('acme-private');
      // ...and never shown or stored.
      expect(outcome.stderr).toMatch(/^X-Api-Key: \[redacted\]$/m);
      expect(outcome.stderr).toMatch(/^X-Tenant: \[redacted\]$/m);
      expect(outcome.stderr).toMatch(/^X-Visible: shown$/m);
      const written = readFileSync(out, 'utf8');
      expect((JSON.parse(written) as Result).options.headers).toEqual(
        expect.arrayContaining(['X-Api-Key: [redacted]', 'X-Tenant: [redacted]', 'X-Visible: shown']),
      );
      for (const text of [outcome.stdout, outcome.stderr, written, readFileSync(html, 'utf8'), readFileSync(junit, 'utf8')]) {
        expect(text).not.toContain('topsecret');
        expect(text).not.toContain('acme-private');
      }
    } finally {
      await server.close();
    }
  });

  it('never echoes a header value in an error', async () => {
    const outcome = await runAbx(['-H', 'X-Api-Key: tops\u0001ecret', 'http://127.0.0.1:9/']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('X-Api-Key');
    expect(outcome.stderr).not.toContain('tops');
  });
});
