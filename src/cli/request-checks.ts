/**
 * What abx refuses to send. A request undici cannot put on the wire fails
 * every time it is tried and used to be counted as a connect failure after
 * the run; each rule here turns one such case into a one-line ConfigError
 * (exit 2) before anything is sent.
 *
 * The rules are HTTP's (RFC 9110 §5.1, §5.5, §9.1): a header name and a
 * method are tokens; a field value is visible ASCII, spaces and tabs. abx
 * also refuses the obsolete bytes 0x80-0xFF: Node would send a UTF-8
 * character such as "é" as Latin-1 or not at all, never as the user typed it.
 *
 * Error messages never echo a header value: it may be a secret.
 */
import { ConfigError } from '../errors.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Headers abx (or undici) sets itself from the request: set by hand they
 * either contradict the body actually sent or make undici refuse every request.
 */
const SET_BY_ABX: Record<string, string> = {
  'transfer-encoding': 'abx sends the body with a Content-Length; remove the header',
  'content-length': 'abx sets it from the body (-p/-u); remove the header',
  upgrade: 'abx measures plain requests, not protocol upgrades (WebSocket, h2c); remove the header',
  'keep-alive': 'use -k for keep-alive; remove the header',
  expect: 'abx sends the body without waiting for 100-continue; remove the header',
};

/** Methods that turn the connection into something else: no response to time. */
const UPGRADE_METHODS = new Set(['CONNECT']);

/** A header name: an HTTP token. */
export function checkHeaderName(flag: string, name: string): string {
  if (!name) throw new ConfigError(`${flag} has an empty header name: write it as "Name: value"`);
  if (!TOKEN.test(name)) {
    throw new ConfigError(
      `${flag} ${JSON.stringify(name)} is not a valid header name: use letters, digits and - (no spaces or control characters)`,
    );
  }
  return name;
}

/** A field value: visible ASCII, space and tab. `what` names it in the message ("the -H X-Api-Key value"). */
export function checkFieldValue(what: string, value: string): string {
  if (FIELD_VALUE.test(value)) return value;
  const problem = /[\r\n]/.test(value)
    ? 'a line break'
    : CONTROL.test(value)
      ? 'a control character'
      : 'a non-ASCII character: percent-encode or base64 it';
  throw new ConfigError(`${what} has ${problem}`);
}

/** A header set with -H: a valid name and value, and not one abx sets itself. */
export function checkCustomHeader(name: string, value: string): void {
  checkHeaderName('-H', name);
  checkFieldValue(`-H "${name}" value`, value);
  const lower = name.toLowerCase();
  const reason = SET_BY_ABX[lower];
  if (reason !== undefined) throw new ConfigError(`-H "${name}" cannot be set by hand: ${reason}`);
  if (lower === 'connection' && !/^\s*(keep-alive|close)\s*$/i.test(value)) {
    throw new ConfigError(`-H "Connection" may only be keep-alive or close (use -k for keep-alive)`);
  }
}

/** Refuses a second Host: undici refuses every request that has two. */
export function checkNoDuplicateHost(headers: ReadonlyArray<readonly [string, string]>): void {
  if (headers.filter(([name]) => name.toLowerCase() === 'host').length > 1) {
    throw new ConfigError('-H "Host" is given twice: keep one');
  }
}

/** -m: a token, and not one that upgrades the connection. Returns it upper-cased, as ab sends it. */
export function checkMethod(raw: string): string {
  if (!TOKEN.test(raw) || !/^[A-Za-z]/.test(raw)) {
    throw new ConfigError(`-m ${JSON.stringify(raw)} is not an HTTP method name: use a token such as GET, POST or PATCH`);
  }
  const method = raw.toUpperCase();
  if (UPGRADE_METHODS.has(method)) {
    throw new ConfigError(`-m ${method} opens a tunnel, not a request abx can time: use -X host:port to load through a proxy`);
  }
  return method;
}

/** -A and -P user:password: encoded in base64, so any text goes, except control characters (a pasted line break). */
export function checkCredentials(flag: string, value: string): string {
  if (!value.includes(':')) throw new ConfigError(`${flag} must be user:password (got no colon)`);
  if (CONTROL.test(value)) throw new ConfigError(`${flag} has a control character (a line break?) in user:password`);
  return value;
}

/** The URL argument as typed: WHATWG URL parsing silently drops tabs and line breaks, so abx refuses them instead. */
export function checkUrlText(raw: string): void {
  const index = raw.search(CONTROL);
  if (index >= 0) {
    const code = raw.charCodeAt(index);
    const name = code === 10 ? 'a line break (LF)' : code === 13 ? 'a carriage return (CR)' : code === 9 ? 'a tab' : 'a control character';
    throw new ConfigError(`the URL has ${name} at position ${index + 1}: remove it (percent-encode it if it belongs there)`);
  }
}
