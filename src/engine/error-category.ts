/**
 * Maps an undici / socket error to ab's failure categories.
 * ab's names: Connect (could not connect), Receive (reset or closed while
 * reading), Length (checked elsewhere, not an error), Exceptions (anything
 * else); abx adds Timeouts, which ab cannot report because it aborts instead.
 */
import type { ErrorCategory } from '../stats/result.js';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const RECEIVE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_CLOSED']);

/** What EMFILE means for a load run, and what to do about it. */
export const TOO_MANY_OPEN_FILES = 'too many open files: the open-file limit (ulimit -n) was reached; raise it or lower -c';

export interface ClassifiedError {
  category: ErrorCategory;
  code: string;
  message: string;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

export function classifyError(error: unknown, connected: boolean): ClassifiedError {
  const err = (error ?? {}) as ErrorLike;
  const cause = (err.cause ?? {}) as ErrorLike;
  // undici wraps socket errors; the underlying code is the one worth counting.
  const code = String(typeof cause.code === 'string' ? cause.code : typeof err.code === 'string' ? err.code : 'ERROR');
  const message = firstLine(String(err.message ?? error)) + (typeof cause.message === 'string' ? `: ${firstLine(cause.message)}` : '');
  // The open-file limit is one cause for many requests: one plain message, so the errors table shows one line with its count.
  if (code === 'EMFILE' || code === 'ENFILE') return { category: 'connect', code, message: TOO_MANY_OPEN_FILES };
  let category: ErrorCategory;
  if (TIMEOUT_CODES.has(code)) category = 'timeouts';
  else if (CONNECT_CODES.has(code) || (code.startsWith('ERR_TLS') && !connected)) category = 'connect';
  else if (RECEIVE_CODES.has(code)) category = connected ? 'receive' : 'connect';
  else if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') category = 'exceptions';
  else category = connected ? 'exceptions' : 'connect';
  return { category, code, message };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
