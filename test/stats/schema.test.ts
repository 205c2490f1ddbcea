import { describe, expect, it } from 'vitest';
import { buildRunSettings } from '../../src/cli/options.js';
import { runLoad } from '../../src/engine/run-load.js';
import { makeObservation, makeResult } from '../fixtures/make-result.js';
import { schemaErrors } from '../helpers/schema.js';
import { startServer } from '../helpers/servers.js';

describe('result JSON schema', () => {
  it('accepts a real run, with secrets redacted in the recorded options', async () => {
    const server = await startServer();
    try {
      const settings = buildRunSettings(server.url, {
        requests: '20',
        concurrency: '2',
        auth: 'user:pass',
        cookie: ['s=1'],
        header: ['X-Ok: 1'],
      });
      const { result } = await runLoad(settings.load, settings.recorded, 1).done;
      const json = JSON.parse(JSON.stringify(result)) as unknown;
      expect(schemaErrors(json)).toEqual([]);
      expect(result.options.headers).toEqual(['Authorization: [redacted]', 'Cookie: [redacted]', 'X-Ok: 1']);
      expect(JSON.stringify(result)).not.toContain(Buffer.from('user:pass').toString('base64'));
    } finally {
      await server.close();
    }
  });

  it('accepts a result with an observation and rejects broken ones', () => {
    const result = makeResult({
      secondsMs: [
        [1, 2, 3],
        [4, 5],
      ],
    });
    result.observation = makeObservation(result.startedAtMs);
    expect(schemaErrors(JSON.parse(JSON.stringify(result)))).toEqual([]);

    const wrongSchema = { ...result, schema: 'abx.result/v2' };
    expect(schemaErrors(wrongSchema).join('\n')).toContain('/schema');
    const leakedSecret = { ...result, options: { ...result.options, headers: ['authorization: Basic dTpw'] } };
    expect(schemaErrors(leakedSecret).join('\n')).toContain('/options/headers/0');
    const { totals: _omitted, ...missingTotals } = result;
    expect(schemaErrors(missingTotals).join('\n')).toContain('totals');
  });
});
