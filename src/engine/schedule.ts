/**
 * The open-loop schedule as a pure function of the request index: a constant
 * rate, or stages whose rate moves linearly from fromRps to toRps (a hold when
 * they are equal, a ramp-down when toRps is lower, a step when a stage starts
 * at another rate than the previous one ended).
 *
 * Request i is due at the time where the integral of the rate from the one
 * origin reaches i. Scheduling from that fixed origin (never "so many per
 * wall-clock second") spreads requests evenly inside each second and lets a
 * late request be measured from when it should have gone, which is what
 * corrects coordinated omission. A request due at or after the schedule's end
 * is not sent, so a stage of 10 s at 100/s sends exactly 1,000.
 *
 * The split rule lives here too: part k of K (a worker thread, or later a
 * machine) sends requests k, k + K, k + 2K, ... of the one schedule, so the
 * parts add up to the whole exactly, whatever the shape.
 */

/** One stage of a load shape: the rate moves linearly from fromRps to toRps over durationMs. */
export interface LoadStage {
  durationMs: number;
  fromRps: number;
  toRps: number;
}

export interface Schedule {
  /** Milliseconds after the origin at which request `index` (0-based) is due; +Infinity when there is none. */
  dueMs(index: number): number;
  /** The target rate (requests per second) at `ms` after the origin; 0 after the end. */
  rateAtMs(ms: number): number;
  /** Requests scheduled before `ms` after the origin: the rate's integral, fractional. */
  scheduledBefore(ms: number): number;
  /** How long the schedule lasts; +Infinity for an unbounded constant rate. */
  readonly durationMs: number;
}

/** One part of a split: `part` of `parts` (0-based). */
export interface ScheduleSlice {
  part: number;
  parts: number;
}

/** The index, in the whole schedule, of the `n`-th request of one part of a split. */
export function sliceIndex(slice: ScheduleSlice, n: number): number {
  return slice.part + n * slice.parts;
}

/** Requests of the whole schedule that fall to `slice` among the first `total`. */
export function sliceCount(slice: ScheduleSlice, total: number): number {
  return Math.max(0, Math.ceil((total - slice.part) / slice.parts));
}

/** A constant rate from the origin, unbounded (-t or -n ends it). */
export function constantSchedule(ratePerSec: number): Schedule {
  return {
    dueMs: (index) => (index * 1000) / ratePerSec,
    rateAtMs: (ms) => (ms >= 0 ? ratePerSec : 0),
    scheduledBefore: (ms) => (Math.max(0, ms) * ratePerSec) / 1000,
    durationMs: Number.POSITIVE_INFINITY,
  };
}

/** Rounds away float noise in a count that should be whole (e.g. 149.99999999 → 150). */
const clean = (count: number): number => Math.round(count * 1e6) / 1e6;

/** Stages one after the other from the origin. */
export function stagesSchedule(stages: readonly LoadStage[]): Schedule {
  const count = stages.length;
  const startMs = new Float64Array(count);
  const startCount = new Float64Array(count);
  let atMs = 0;
  let requests = 0;
  for (let s = 0; s < count; s++) {
    const { durationMs, fromRps, toRps } = stages[s];
    startMs[s] = atMs;
    startCount[s] = requests;
    atMs += durationMs;
    requests = clean(requests + ((fromRps + toRps) / 2) * (durationMs / 1000));
  }
  const totalMs = atMs;
  const totalRequests = requests;

  /** Requests scheduled in the first `ms` of stage s (the integral of a linear rate). */
  const within = (s: number, ms: number): number => {
    const { durationMs, fromRps, toRps } = stages[s];
    const sec = ms / 1000;
    return fromRps * sec + ((toRps - fromRps) * sec * sec) / (2 * (durationMs / 1000));
  };

  return {
    durationMs: totalMs,
    dueMs(index) {
      if (index >= totalRequests) return Number.POSITIVE_INFINITY;
      // Few stages (steps make tens at most): a scan costs less than it reads.
      let s = count - 1;
      while (s > 0 && startCount[s] > index) s--;
      const { durationMs, fromRps, toRps } = stages[s];
      const n = index - startCount[s];
      // Solve fromRps·t + (toRps − fromRps)·t² / (2D) = n for t in seconds, in the
      // form that stays exact when the rate is constant and never divides by a
      // vanishing quadratic term: t = 2n / (from + √(from² + 2(to − from)n / D)).
      const slope = (toRps - fromRps) / (durationMs / 1000);
      const root = Math.sqrt(Math.max(0, fromRps * fromRps + 2 * slope * n));
      const denominator = fromRps + root;
      const sec = denominator > 0 ? (2 * n) / denominator : 0;
      return startMs[s] + Math.min(sec * 1000, durationMs);
    },
    rateAtMs(ms) {
      if (ms < 0 || ms >= totalMs) return 0;
      let s = count - 1;
      while (s > 0 && startMs[s] > ms) s--;
      const { durationMs, fromRps, toRps } = stages[s];
      return fromRps + ((toRps - fromRps) * (ms - startMs[s])) / durationMs;
    },
    scheduledBefore(ms) {
      if (ms <= 0) return 0;
      if (ms >= totalMs) return totalRequests;
      let s = count - 1;
      while (s > 0 && startMs[s] > ms) s--;
      return startCount[s] + within(s, ms - startMs[s]);
    },
  };
}

/** Total requests a stage list schedules (its rate's integral), for reports and tests. */
export function stagesRequests(stages: readonly LoadStage[]): number {
  return Math.ceil(stagesSchedule(stages).scheduledBefore(Number.POSITIVE_INFINITY) - 1e-9);
}

/**
 * The target rate of each whole second from the origin: the requests the
 * schedule puts in that second (so it reads beside the achieved count), with
 * a constant rate cut at `durationMs`.
 */
export function targetPerSecond(schedule: Schedule, seconds: number, durationMs: number): number[] {
  const endMs = Math.min(schedule.durationMs, durationMs);
  const out: number[] = [];
  for (let s = 0; s < seconds; s++) {
    const fromMs = Math.min(s * 1000, endMs);
    const toMs = Math.min((s + 1) * 1000, endMs);
    out.push(Math.round((schedule.scheduledBefore(toMs) - schedule.scheduledBefore(fromMs)) * 1000) / 1000);
  }
  return out;
}
