/**
 * undici parses HTTP/1.1 with llhttp compiled to WebAssembly, compiled when
 * the first connection opens. V8's optimising tier (TurboFan) compiling that
 * module raised abx's peak RSS by about 35 MB (a 1-request run peaked at
 * 115 MB, 79 MB without it). The baseline tier (Liftoff) was measured at
 * about 1 µs more CPU per request on keep-alive runs, which is within the
 * run-to-run noise of a 200,000-request `-k` run (16–24 µs per request on the
 * same machine), while it takes that run's peak RSS from 131 MB to 104 MB
 * (90 MB with the load worker's small young generation, workers.ts). So
 * every run uses the baseline tier. The flag is process-wide and must be set
 * before undici compiles llhttp (the first connection); ABX_WASM_TIER_UP=1
 * keeps V8's default for comparison.
 */
import { setFlagsFromString } from 'node:v8';

export function useBaselineWasmTier(): void {
  if (!process.env.ABX_WASM_TIER_UP) setFlagsFromString('--liftoff-only');
}
