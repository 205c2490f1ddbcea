/**
 * `-v 2`, as ab: the request line and every header abx sends, once, before
 * the load (secret values redacted by the one rule in src/redact.ts). Built
 * from the same request plan the engine sends, so it cannot drift from it.
 */
import { planRequest } from '../engine/request-plan.js';
import type { LoadConfig } from '../engine/config.js';
import { redactHeaderValue } from '../redact.js';

/** Capitalised as ab prints them: "user-agent" → "User-Agent". */
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** `extra`: the --redact-header names, secret besides the built-in rule. */
export function requestEcho(load: LoadConfig, extra: readonly string[] = []): string {
  const { dispatchOptions } = planRequest(load);
  const raw = (dispatchOptions.headers ?? []) as string[];
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  const names = new Set(pairs.map(([name]) => name.toLowerCase()));
  const lines = [`${dispatchOptions.method} ${dispatchOptions.path} HTTP/1.1`];
  // The HTTP client adds these itself when the plan has none.
  if (!names.has('host')) lines.push(`Host: ${load.url.host}`);
  for (const [name, value] of pairs) {
    const shown = name === name.toLowerCase() ? headerCase(name) : name;
    lines.push(`${shown}: ${redactHeaderValue(shown, value, extra)}`);
  }
  if (load.body !== null && !names.has('content-length')) lines.push(`Content-Length: ${load.body.length}`);
  if (!names.has('connection')) lines.push(`Connection: ${load.keepAlive ? 'keep-alive' : 'close'}`);
  return `INFO: ${load.method} header == \n---\n${lines.join('\n')}\n\n---\n`;
}

/** -v 3: the first response's status line and headers, each header through the same redaction. */
export function responseEcho(lines: readonly string[], extra: readonly string[] = []): string {
  const [status = '', ...headers] = lines;
  const redacted = headers.map((line) => {
    const colon = line.indexOf(':');
    if (colon < 0) return line;
    const name = line.slice(0, colon);
    return `${name}: ${redactHeaderValue(name, line.slice(colon + 1).trimStart(), extra)}`;
  });
  return `${[status, ...redacted].join('\n')}\n`;
}
