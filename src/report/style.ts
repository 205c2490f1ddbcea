/**
 * The only place that knows about colour. Reporters take a Style and stay
 * pure; with colour off every function is the identity, so the text is the
 * same in a pipe, under NO_COLOR and in golden tests.
 */
import { Chalk } from 'chalk';

export interface Style {
  color: boolean;
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  /** Semantic names: a failure, a pass, a warning, something to notice. */
  bad(text: string): string;
  good(text: string): string;
  warn(text: string): string;
  info(text: string): string;
}

export function painter(style: Style): Paint {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  return {
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
    red: (t) => chalk.red(t),
    green: (t) => chalk.green(t),
    bad: (t) => chalk.red(t),
    good: (t) => chalk.green(t),
    warn: (t) => chalk.yellow(t),
    info: (t) => chalk.cyan(t),
  };
}

/**
 * Colour on a TTY unless --no-color, NO_COLOR or CI say otherwise; FORCE_COLOR
 * (non-empty, not "0") turns it on anywhere, FORCE_COLOR=0 off everywhere.
 */
export function colorEnabled(stream: { isTTY?: boolean }, flagColor: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (flagColor === false) return false;
  // FORCE_COLOR=0 is the common way to say "never" (chalk reads it so).
  if (env.FORCE_COLOR === '0') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.CI === 'true' || env.CI === '1') return false;
  return stream.isTTY === true;
}
