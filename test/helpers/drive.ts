/**
 * Sends a bounded number of requests to the lab's load balancer, so tests can
 * put a known load on it without abx. Counts what came back.
 */
import { Pool } from 'undici';

export interface DriveOptions {
  /** Requests to send in all. */
  requests: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Stop sending after this long even if requests remain (default 30 s). */
  timeLimitMs?: number;
}

export interface DriveResult {
  sent: number;
  /** Responses by status code. */
  statuses: Record<number, number>;
  /** Responses per serving instance (the `x-abx-lab-instance` header). */
  byInstance: Record<string, number>;
  errors: number;
}

export async function driveLoad(url: string, options: DriveOptions): Promise<DriveResult> {
  const target = new URL(url);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const deadline = Date.now() + (options.timeLimitMs ?? 30_000);
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const result: DriveResult = { sent: 0, statuses: {}, byInstance: {}, errors: 0 };
  const lane = async (): Promise<void> => {
    while (result.sent < options.requests && Date.now() < deadline) {
      result.sent++;
      try {
        const res = await pool.request({ method: 'GET', path: target.pathname + target.search });
        await res.body.text();
        result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1;
        const instance = res.headers['x-abx-lab-instance'];
        if (typeof instance === 'string') result.byInstance[instance] = (result.byInstance[instance] ?? 0) + 1;
      } catch {
        result.errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    await pool.close();
  }
  return result;
}
