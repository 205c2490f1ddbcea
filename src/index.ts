/**
 * abx as a library: `import { runLoad, observe, startLab, merge } from 'abx'`.
 * The same load engine, observer and lab the `abx` command runs (it calls the
 * same functions), behind a small typed API.
 */
export { check, merge, observe, runLoad, startLab } from './library.js';
export type { CheckOptions, LoadEvents, LoadOptions, LoadProgress, ObserveOptions, RunLoadOptions } from './library.js';
export { ConfigError } from './errors.js';
export type { Check, CheckStatus, Principle, Snapshot } from './check/types.js';
export type { Lab, LabActivity, LabOptions } from './lab/index.js';
export type { AwsCredentials } from './aws/clients.js';
export type { Observer } from './observe/observer.js';
export type { Observation, ObservationEvent, Result } from './stats/result.js';
