/**
 * Request errors in words a user can act on. The Result keeps each error's
 * raw code and message (data for scripts); what is printed leads with what
 * to try, and the raw text (OpenSSL's, say) only under -v.
 */

/** An error whose raw text does not say what to do, and what to say instead. */
const HINTS: Array<{ test: (code: string, message: string) => boolean; hint: string }> = [
  {
    // An https:// URL pointed at a plain-http port: OpenSSL reads "HTTP/1.1 400" as a bad TLS record.
    test: (code, message) =>
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(message),
    hint: 'the server did not answer TLS: is it http://?',
  },
];

/** The hint for an error, or null when its own message is the best there is. */
export function errorHint(code: string, message: string): string | null {
  return HINTS.find((h) => h.test(code, message))?.hint ?? null;
}

/** What to print for an error: the hint (with the raw text when verbose), else the raw message. */
export function explainError(error: { code: string; message: string }, verbose: boolean): string {
  const hint = errorHint(error.code, error.message);
  if (hint === null) return error.message;
  return verbose ? `${hint} (${error.message})` : hint;
}
