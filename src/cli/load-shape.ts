/**
 * --stage, --ramp and --steps → the stages of an open-loop schedule. Each bad
 * form is a one-line ConfigError that shows a good one, before anything runs.
 *
 *   --stage DURATION:RATE          repeatable; moves the rate linearly from the previous
 *                                  stage's end (the first from --rate, else 0) to RATE
 *   --ramp FROM..TO/DURATION       the same as --rate FROM --stage DURATION:TO
 *   --steps START..END/STEP/EVERY  holds START, START+STEP, ... END for EVERY each
 */
import { ConfigError } from '../errors.js';
import type { LoadStage } from '../engine/schedule.js';
import { parseDurationMs, parsePositiveNumber } from './parse.js';

/** More stages than this is a typo (--steps 1..100000/1), not a test plan. */
const MAX_STAGES = 1000;

export interface ShapeFlags {
  rate?: string | undefined;
  stage?: string[] | undefined;
  ramp?: string | undefined;
  steps?: string | undefined;
}

/** The stages the flags describe, or null when none of --stage, --ramp, --steps was given. */
export function parseLoadShape(flags: ShapeFlags): LoadStage[] | null {
  const stageFlags = flags.stage ?? [];
  if (flags.steps !== undefined) {
    if (stageFlags.length > 0 || flags.ramp !== undefined || flags.rate !== undefined) {
      throw new ConfigError('--steps is a whole load shape: give it without --rate, --ramp or --stage');
    }
    return checkStages(parseSteps(flags.steps));
  }
  if (stageFlags.length === 0 && flags.ramp === undefined) return null;
  if (flags.ramp !== undefined && flags.rate !== undefined) {
    throw new ConfigError('--ramp FROM..TO/DURATION already sets the starting rate: give it without --rate');
  }
  const stages: LoadStage[] = [];
  let fromRps = flags.rate !== undefined ? parsePositiveNumber('--rate', flags.rate) : 0;
  if (flags.ramp !== undefined) {
    const ramp = parseRamp(flags.ramp);
    stages.push(ramp);
    fromRps = ramp.toRps;
  }
  for (const text of stageFlags) {
    const { durationMs, rateRps } = parseStage(text);
    stages.push({ durationMs, fromRps, toRps: rateRps });
    fromRps = rateRps;
  }
  return checkStages(stages);
}

/** "2m:300": ramp to 300 requests per second over two minutes. */
export function parseStage(text: string): { durationMs: number; rateRps: number } {
  const flag = `--stage "${text}"`;
  const match = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(text);
  if (!match) throw new ConfigError(`${flag} must be DURATION:RATE, e.g. --stage 2m:300 (to 300 requests/s over 2 minutes)`);
  return {
    durationMs: parseDurationMs(`${flag}: the duration`, match[1], { bareUnit: 's' }),
    rateRps: parsePositiveNumber(`${flag}: the rate`, match[2], { allowZero: true }),
  };
}

/** "10..500/10m": from 10 to 500 requests per second over ten minutes. */
export function parseRamp(text: string): LoadStage {
  const flag = `--ramp "${text}"`;
  const match = /^\s*([^./\s][^/\s]*?)\.\.([^./\s][^/\s]*)\/(\S+)\s*$/.exec(text);
  if (!match) throw new ConfigError(`${flag} must be FROM..TO/DURATION, e.g. --ramp 10..500/10m`);
  return {
    fromRps: parsePositiveNumber(`${flag}: FROM`, match[1], { allowZero: true }),
    toRps: parsePositiveNumber(`${flag}: TO`, match[2], { allowZero: true }),
    durationMs: parseDurationMs(`${flag}: the duration`, match[3], { bareUnit: 's' }),
  };
}

/** "50..400/50/2m": hold 50, 100, ... 400 requests per second for two minutes each (downwards when END < START). */
export function parseSteps(text: string): LoadStage[] {
  const flag = `--steps "${text}"`;
  const match = /^\s*([^./\s][^/\s]*?)\.\.([^./\s][^/\s]*)\/([^/\s]+)\/(\S+)\s*$/.exec(text);
  if (!match) throw new ConfigError(`${flag} must be START..END/STEP/EVERY, e.g. --steps 50..400/50/2m`);
  const startRps = parsePositiveNumber(`${flag}: START`, match[1], { allowZero: true });
  const endRps = parsePositiveNumber(`${flag}: END`, match[2], { allowZero: true });
  const stepRps = parsePositiveNumber(`${flag}: STEP`, match[3]);
  const everyMs = parseDurationMs(`${flag}: EVERY`, match[4], { bareUnit: 's' });
  const count = Math.floor(Math.abs(endRps - startRps) / stepRps + 1e-9) + 1;
  if (count > MAX_STAGES) throw new ConfigError(`${flag} makes ${count} steps: use a STEP that makes at most ${MAX_STAGES}`);
  const direction = endRps >= startRps ? 1 : -1;
  return Array.from({ length: count }, (_, i) => {
    const rps = startRps + direction * i * stepRps;
    return { durationMs: everyMs, fromRps: rps, toRps: rps };
  });
}

function checkStages(stages: LoadStage[]): LoadStage[] {
  if (stages.length > MAX_STAGES) throw new ConfigError(`${stages.length} stages: give at most ${MAX_STAGES}`);
  if (stages.every((s) => s.fromRps === 0 && s.toRps === 0)) {
    throw new ConfigError('the load shape sends nothing: give a stage with a rate above 0, e.g. --stage 30s:100');
  }
  return stages;
}
