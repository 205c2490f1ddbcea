/**
 * The library entry point (package.json "exports" → dist/index.js, built from
 * src/index.ts): a tiny load against a loopback server, progress events,
 * merging, and observing the lab, all through the public API only.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, merge, observe, runLoad, startLab, type Lab, type LoadProgress } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/servers.js';

let server: TestServer | null = null;
let lab: Lab | null = null;
afterEach(async () => {
  await server?.close();
  await lab?.close();
  server = null;
  lab = null;
});

describe('abx as a library', () => {
  it('package.json exports the entry point with its types', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { types: string; import: string }>;
    };
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    const tsconfig = JSON.parse(readFileSync(new URL('../../tsconfig.json', import.meta.url), 'utf8')) as {
      compilerOptions: { declaration: boolean };
    };
    expect(tsconfig.compilerOptions.declaration).toBe(true);
  });

  it('runLoad sends exactly the requests asked for and reports progress', async () => {
    server = await startServer();
    const progress: LoadProgress[] = [];
    const result = await runLoad({
      url: server.url,
      requests: 25,
      concurrency: 3,
      keepAlive: true,
      headers: { 'X-Test': 'library' },
      onProgress: (p) => progress.push(p),
    });
    expect(server.requests).toBe(25);
    expect(result.totals.completed).toBe(25);
    expect(result.totals.failed).toBe(0);
    expect(result.statusCodes).toEqual({ '200': 25 });
    expect(result.options.headers).toContain('X-Test: library');
    // The last event comes after the load ended, so it holds the final count.
    expect(progress.at(-1)).toMatchObject({ finished: 25, errors: 0 });
  });

  it('merge adds two Results up exactly', async () => {
    server = await startServer();
    const a = await runLoad({ url: server.url, requests: 10 });
    const b = await runLoad({ url: server.url, requests: 7, concurrency: 7 });
    const merged = merge([a, b]);
    expect(merged.totals.completed).toBe(17);
    expect(merged.statusCodes).toEqual({ '200': 17 });
  });

  it('bad options reject with a ConfigError naming the flag, before anything is sent', async () => {
    server = await startServer();
    await expect(runLoad({ url: server.url, requests: 0 })).rejects.toThrow(ConfigError);
    await expect(runLoad({ url: server.url, requests: 2.5 })).rejects.toThrow(/-n\/--requests must be a whole number/);
    await expect(runLoad({ url: 'ftp://127.0.0.1/' })).rejects.toThrow(/unsupported URL scheme/);
    expect(server.connections).toBe(0);
  });

  it('startLab and observe find the lab group with explicit credentials, leaving process.env alone', async () => {
    // No credentials, region or SDK setting in the environment: whatever observe needs must come from its options.
    const saved = { ...process.env };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']) {
      delete process.env[name];
    }
    process.env.AWS_PROFILE = 'abx-test-no-such-profile';
    const before = { ...process.env };
    try {
      lab = await startLab({ port: 0, apiPort: 0, periodMs: 1000, withPolicy: true });
      const observer = await observe({
        asg: lab.asgName,
        endpointUrl: lab.apiUrl,
        region: lab.region,
        credentials: lab.credentials,
        pollIntervalMs: 1000,
      });
      const observation = await observer.stop({ lingerMs: 0 });
      expect(observation.asg).toBe(lab.asgName);
      expect(observation.warnings).toEqual([]);
      expect(observation.samples.some((s) => s.metric === 'DesiredCapacity' && s.value === 2)).toBe(true);
      expect(process.env).toEqual(before);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
