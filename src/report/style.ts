/**
 * The only place that knows about colour. Reporters take a Style and stay pure.
 */
import { Chalk } from 'chalk';

export interface Style {
  color: boolean;
}

/** Colour functions for a style; identity functions when colour is off. */
export function painter(style: Style): { dim: (s: string) => string; bold: (s: string) => string; red: (s: string) => string; green: (s: string) => string; yellow: (s: string) => string; cyan: (s: string) => string } {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  return { dim: chalk.dim, bold: chalk.bold, red: chalk.red, green: chalk.green, yellow: chalk.yellow, cyan: chalk.cyan };
}

/**
 * Colour on a TTY unless --no-color, NO_COLOR or CI say otherwise; FORCE_COLOR
 * (non-empty, not "0") turns it on anywhere.
 */
export function colorEnabled(stream: { isTTY?: boolean }, flagColor: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (flagColor === false) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.CI === 'true' || env.CI === '1') return false;
  return stream.isTTY === true;
}
