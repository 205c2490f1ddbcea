/**
 * uPlot's browser build and stylesheet, read once from node_modules so the
 * HTML report can inline them (the file must open offline, from file://).
 *
 * Why uPlot: about 50 kB minified with no dependencies, canvas-based and fast
 * with tens of thousands of points (a long run has one point per second per
 * series), with log scales, stepped paths and cursor sync built in: exactly
 * what these charts need, with nothing to fetch at view time.
 *
 * Reading these two files is the only I/O behind renderHtml; it is cached so
 * rendering stays a function of the Result.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface UplotAssets {
  js: string;
  css: string;
}

let cached: UplotAssets | undefined;

export function uplotAssets(): UplotAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  // Inlined verbatim inside <script>/<style>; a closing tag in them would end the element early.
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) {
    throw new Error('uPlot assets contain a closing tag and cannot be inlined');
  }
  cached = { js, css };
  return cached;
}
