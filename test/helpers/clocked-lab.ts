/**
 * A lab on loopback whose clock the test owns: every API call and every
 * load-balancer request reads `clock.nowMs`, so a test moves time with
 * tick() instead of waiting for lab periods to pass.
 */
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';

export interface ClockedLab {
  lab: Lab;
  clock: { nowMs: number };
  /** Moves the lab's clock forward. */
  tick(ms: number): void;
  /** Client settings for an AWS SDK v3 client pointed at the lab (fake credentials, no retries). */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
}

/** 2026-11-26T16:05:00Z: a whole minute, so lab periods line up with readable stamps. */
export const CLOCK_START_MS = Date.UTC(2026, 10, 26, 16, 5, 0);

export async function startClockedLab(options: Partial<LabOptions> = {}): Promise<ClockedLab> {
  const clock = { nowMs: CLOCK_START_MS };
  const lab = await startLab({ port: 0, apiPort: 0, periodMs: 1000, ...options, now: () => clock.nowMs });
  return {
    lab,
    clock,
    tick(ms: number) {
      clock.nowMs += ms;
    },
    clientConfig: {
      endpoint: lab.apiUrl,
      region: lab.region,
      credentials: { accessKeyId: 'AKIDTESTFAKE', secretAccessKey: 'fake-secret-for-tests' },
      maxAttempts: 1,
    },
  };
}
