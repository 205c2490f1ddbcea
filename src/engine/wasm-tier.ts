/**
 * undici parses HTTP/1.1 with llhttp compiled to WebAssembly, compiled when
 * the first connection opens. V8's optimising tier (TurboFan) compiling that
 * module raised abx's peak RSS by about 35 MB (a 1-request run peaked at
 * 115 MB, 79 MB without it). The baseline tier (Liftoff) parses a little
 * slower: measured at about 1 µs of CPU per request, which is 5–10 % of a
 * keep-alive request but under 1 % of one that opens its own connection
 * (~110 µs). So runs without -k use the baseline tier only and -k runs keep
 * V8's default. The flag is process-wide and must be set before undici
 * compiles llhttp (the first connection); ABX_WASM_TIER_UP=1 keeps the
 * default for comparison.
 */
import { setFlagsFromString } from 'node:v8';

export function useBaselineWasmTier(): void {
  if (!process.env.ABX_WASM_TIER_UP) setFlagsFromString('--liftoff-only');
}
