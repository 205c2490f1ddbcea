/**
 * The one line a run that completed no request ends with (exit 1): a run
 * that measured nothing must never read as a pass. It says why, from what
 * was counted: the connections were refused, every request timed out, or
 * the -t deadline came before any response did.
 */
import type { Result } from '../stats/result.js';

/**
 * Why nothing completed, or null when something did (or the run was interrupted: that has its own line and code).
 * `explain` turns the most common error into words (e.g. TLS to a plain-http port → "is it http://?").
 */
export function nothingCompletedReason(
  result: Result,
  explain: (error: { code: string; message: string }) => string = (error) => error.message,
): string | null {
  if (result.totals.completed > 0 || result.interrupted) return null;
  const top = [...result.errors].sort((a, b) => b.count - a.count)[0];
  const f = result.failures;
  const timeoutS = result.options.timeoutMs / 1000;
  if (top?.code === 'ECONNREFUSED')
    return `no request completed: the connection was refused (${top.count} × ECONNREFUSED); is the server running on that port?`;
  if (f.timeouts > 0 && f.timeouts >= result.totals.failed / 2) {
    return `no request completed: ${f.timeouts} timed out with no response within ${timeoutS} s (-s)`;
  }
  if (top) return `no request completed: ${top.count} × ${top.code}: ${explain(top)}`;
  const deadline = result.options.durationMs !== null ? `the -t ${result.options.durationMs / 1000} s deadline` : 'the end of the run';
  return `no request completed: nothing came back before ${deadline} (requests still in flight then are not counted); raise -t or check the server`;
}
