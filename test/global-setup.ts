/**
 * Compiles src/ into dist/ once before the tests run. Load workers are real
 * worker threads, and a Worker cannot load TypeScript, so when the engine runs
 * from src/ (as here) it starts dist/engine/worker-entry.js, and refuses to if
 * dist/ is older than src/. Compiling here is what makes a plain `vitest run`
 * test the current sources rather than the last build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
}
