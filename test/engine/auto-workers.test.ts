import { describe, expect, it } from 'vitest';
import { autoWorkers, localAddresses } from '../../src/engine/auto-workers.js';

const here = new Set(['127.0.0.1', '::1', '10.0.0.12', 'fe80::1']);

describe('--workers auto', () => {
  it.each([
    // A target on this machine leaves one core for the server.
    [{ cores: 4, hostname: '127.0.0.1', addresses: [] }, 3, '3 workers: 4 cores, local target'],
    [{ cores: 4, hostname: '::1', addresses: [] }, 3, undefined],
    [{ cores: 4, hostname: '127.0.0.2', addresses: [] }, 3, undefined],
    [{ cores: 4, hostname: 'localhost', addresses: [] }, 3, undefined],
    [{ cores: 8, hostname: '10.0.0.12', addresses: [] }, 7, undefined],
    [{ cores: 8, hostname: 'me.internal', addresses: ['10.0.0.12', 'fe80::1%eth0'] }, 7, undefined],
    [{ cores: 2, hostname: 'alb.test', addresses: ['127.0.0.1', '127.0.0.2'] }, 1, '1 worker: 2 cores, local target'],
    [{ cores: 1, hostname: '127.0.0.1', addresses: [] }, 1, '1 worker: 1 core, local target'],
    // Remote: every core.
    [{ cores: 4, hostname: '10.0.1.5', addresses: [] }, 4, '4 workers: 4 cores, remote target'],
    [{ cores: 4, hostname: 'my-alb-1.us-east-1.elb.amazonaws.com', addresses: ['10.0.1.5', '10.0.2.9'] }, 4, undefined],
    // One remote address among local ones: the target is not (only) this machine.
    [{ cores: 4, hostname: 'mixed.test', addresses: ['127.0.0.1', '10.0.1.5'] }, 4, undefined],
    // Not resolved yet: a name is treated as remote.
    [{ cores: 4, hostname: 'alb.test', addresses: [] }, 4, undefined],
  ])('%o → %i workers', (input, workers, reason) => {
    const decision = autoWorkers({ ...input, localAddresses: here });
    expect(decision.workers).toBe(workers);
    if (reason) expect(decision.reason).toBe(reason);
  });

  it("lists this machine's loopback among its own addresses", () => {
    expect(localAddresses().has('127.0.0.1')).toBe(true);
  });
});
