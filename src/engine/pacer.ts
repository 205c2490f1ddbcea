/**
 * The open-loop schedule, as a pure function: request i is due i/rate seconds
 * after the origin. Scheduling from a fixed origin (not "rate per wall-clock
 * second") spreads requests evenly and lets a late request be measured from
 * when it should have gone, which is what corrects coordinated omission.
 */

/** Milliseconds after the origin at which request `index` (0-based) is due. */
export function intendedSendMs(index: number, ratePerSec: number): number {
  return (index * 1000) / ratePerSec;
}
