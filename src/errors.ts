/**
 * Program-level errors, each mapped to one exit code by the CLI.
 * Request-level failures are never thrown: they are counted (see stats/recorder).
 */

export const EXIT = {
  ok: 0,
  /** Assertions failed, a regression was found, or the run could not produce a result. */
  failed: 1,
  /** Bad usage or input: nothing was sent. */
  usage: 2,
  interrupted: 130,
} as const;

/** Bad flags, values, files or expressions. The message is one line that says what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The AWS observer could not start or went wrong; never fatal to a load run. */
export class ObserverError extends Error {
  override readonly name = 'ObserverError';
}
