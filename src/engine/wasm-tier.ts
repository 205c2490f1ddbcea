/**
 * undici parses HTTP/1.1 with llhttp compiled to WebAssembly, compiled when
 * the first connection opens. V8's optimising tier (TurboFan) compiling that
 * module raised abx's peak RSS by about 35 MB (a 1-request run peaked at
 * 115 MB, 80 MB without it) and spent CPU on background compile threads; the
 * baseline tier (Liftoff) parses a keep-alive run at the same or lower CPU
 * per request, since llhttp's hot paths are short calls into the module.
 * The flag is process-wide and only changes how WebAssembly is compiled; it
 * must be set before undici compiles llhttp, so load.ts imports this first.
 * ABX_WASM_TIER_UP=1 keeps V8's default for comparison.
 */
import { setFlagsFromString } from 'node:v8';

if (!process.env.ABX_WASM_TIER_UP) setFlagsFromString('--liftoff-only');
