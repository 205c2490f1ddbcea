/**
 * Colours for the scaling timeline. Kept apart from the layout so the text is
 * identical with colour off (golden tests, pipes, NO_COLOR); if a shared
 * src/report/style.ts appears, these can move there.
 */
import { Chalk } from 'chalk';

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  bad(text: string): string;
  good(text: string): string;
  warn(text: string): string;
  info(text: string): string;
}

export function paint(color: boolean): Paint {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
    bad: (t) => chalk.red(t),
    good: (t) => chalk.green(t),
    warn: (t) => chalk.yellow(t),
    info: (t) => chalk.cyan(t),
  };
}
