/** abx's version, read from package.json once (no JSON import: keeps start-up lean and Node 20 compatible). */
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function abxVersion(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
