/**
 * The one rule for which header values are secret. Everything abx prints
 * (-v output) or writes (the JSON result, and through it HTML, JUnit and
 * merged results) shows a secret header as its name and "[redacted]".
 *
 * It lives at the top of src/ so every layer (cli, report, engine) can call
 * it without importing another layer: copy the call, never the rule.
 */

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/** Headers that carry credentials whatever their name says. */
const ALWAYS_SECRET = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * Words that mark a custom header as secret wherever they appear in its name
 * (X-Api-Key, X-Auth-Token, X-Session-Id, X-Client-Secret, ...). Over-redacting
 * a harmless header costs a reader one value; leaking a key costs the key.
 */
const SECRET_WORDS = ['key', 'token', 'secret', 'password', 'passwd', 'session', 'auth', 'credential', 'signature'];

/** True when `name`'s value must never be printed or stored. `extra` are --redact-header names (any case). */
export function isSecretHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.trim().toLowerCase();
  if (ALWAYS_SECRET.has(lower)) return true;
  if (SECRET_WORDS.some((word) => lower.includes(word))) return true;
  return extra.some((candidate) => candidate.trim().toLowerCase() === lower);
}

/** The value as abx may show it: itself, or "[redacted]". */
export function redactHeaderValue(name: string, value: string, extra: readonly string[] = []): string {
  return isSecretHeader(name, extra) ? REDACTED : value;
}

/** Header pairs as "Name: value" lines, secrets redacted: the form -v prints and the result records. */
export function redactHeaderLines(headers: ReadonlyArray<readonly [string, string]>, extra: readonly string[] = []): string[] {
  return headers.map(([name, value]) => `${name}: ${redactHeaderValue(name, value, extra)}`);
}

/**
 * A "Name: value" line already recorded (e.g. in a result file read back):
 * redacted again by the same rule, so a file written by an older abx, or by
 * hand, never shows a secret in a report.
 */
export function redactHeaderLine(line: string, extra: readonly string[] = []): string {
  const colon = line.indexOf(':');
  if (colon < 0) return line;
  const name = line.slice(0, colon);
  return isSecretHeader(name, extra) ? `${name}: ${REDACTED}` : line;
}
