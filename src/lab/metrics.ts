/**
 * Per-period counters: what the lab publishes to its CloudWatch.
 *
 * One lab period stands for one CloudWatch minute. Period k covers the epoch
 * interval [k × periodMs, (k+1) × periodMs), so datapoint timestamps are
 * aligned to multiples of periodMs, as CloudWatch aligns minutes. A request is
 * counted in the period it arrived in. Gauges (healthy hosts, desired,
 * in-service...) are time-weighted averages over the period, so an instance
 * that joined half-way counts as half a target in RequestCountPerTarget.
 *
 * Recording is a few adds on the current period; rolling to the next period
 * happens lazily on the first event (or tick) that falls in it.
 */

export interface Gauges {
  /** InService targets that receive traffic. */
  healthy: number;
  /** Targets that failed health checks (the lab's never do, so 0: initial and draining are not unhealthy). */
  unhealthy: number;
  /** Every target registered with the target group (initial, healthy, draining). */
  registered: number;
  desired: number;
  inService: number;
  pending: number;
  terminating: number;
  min: number;
  max: number;
}

export interface PeriodMetrics {
  /** Epoch ms of the period's start (a multiple of periodMs). */
  startMs: number;
  /** Requests routed to a target (ALB RequestCount: only those where a target was chosen). */
  requestCount: number;
  /** Requests answered 503 by the load balancer itself for want of a healthy target. */
  elb5xxCount: number;
  target2xxCount: number;
  target5xxCount: number;
  /** Sum of target response times in seconds (TargetResponseTime's Average = sum / requestCount). */
  targetResponseTimeSumSec: number;
  /** Time-weighted averages over the part of the period that has elapsed. */
  gauges: Gauges;
  /** Sum of request service time in ms: the busy time behind the CPU-like utilisation. */
  busyMs: number;
  /** Bytes the targets received and sent (EC2 NetworkIn / NetworkOut), summed over the group. */
  bytesIn: number;
  bytesOut: number;
  /** The same counters per instance, for the InstanceId dimension. */
  perInstance: Map<string, InstanceCounters>;
}

export interface InstanceCounters {
  requests: number;
  busyMs: number;
  bytesIn: number;
  bytesOut: number;
}

const GAUGE_KEYS = ['healthy', 'unhealthy', 'registered', 'desired', 'inService', 'pending', 'terminating', 'min', 'max'] as const;

function zeroGauges(): Gauges {
  return { healthy: 0, unhealthy: 0, registered: 0, desired: 0, inService: 0, pending: 0, terminating: 0, min: 0, max: 0 };
}

/** RequestCountPerTarget: requests / healthy targets, or / registered targets when none is healthy (ALB's rule). */
export function requestCountPerTarget(p: PeriodMetrics): number {
  const divisor = p.gauges.healthy > 0 ? p.gauges.healthy : p.gauges.registered;
  return divisor > 0 ? p.requestCount / divisor : p.requestCount;
}

/** The targets RequestCountPerTarget was divided by. */
export function perTargetDivisor(p: PeriodMetrics): number {
  return p.gauges.healthy > 0 ? p.gauges.healthy : Math.max(1, p.gauges.registered);
}

/** A CPU-like utilisation in percent: busy time over the serving instances' time, plus a small idle floor. */
export function cpuUtilisation(p: PeriodMetrics, periodMs: number): number {
  const instances = p.gauges.inService;
  if (instances <= 0) return 0;
  return Math.min(100, IDLE_CPU_PERCENT + (100 * p.busyMs) / (periodMs * instances));
}

/** What an idle instance shows as CPUUtilization (the OS's own work). */
export const IDLE_CPU_PERCENT = 1;

/** One instance's CPU-like utilisation in a period: its busy time over the period. */
export function instanceCpuUtilisation(c: InstanceCounters | undefined, periodMs: number): number {
  return Math.min(100, IDLE_CPU_PERCENT + (100 * (c?.busyMs ?? 0)) / periodMs);
}

export class MetricStore {
  private readonly history: PeriodMetrics[] = [];
  private current: PeriodMetrics;
  private currentIndex: number;
  /** Integrals of the gauges (value × ms) over the current period so far. */
  private readonly area = zeroGauges();
  private gauges: Gauges;
  private lastGaugeMs: number;
  /** When the current period began for the lab: its start, or the lab's start for the first one. */
  private openedMs: number;
  private readonly completed: PeriodMetrics[] = [];

  constructor(
    readonly periodMs: number,
    startMs: number,
    initial: Gauges,
    /** How many closed periods are kept (a ring of history for GetMetricData). */
    private readonly retainPeriods = 8640,
  ) {
    this.currentIndex = Math.floor(startMs / periodMs);
    this.current = this.blank(this.currentIndex);
    this.gauges = { ...initial };
    this.lastGaugeMs = startMs;
    this.openedMs = startMs;
  }

  /**
   * A request routed to a target: its response time, the service time it
   * cost the target and, when known, which instance served it and the bytes
   * it moved.
   */
  recordTargetRequest(nowMs: number, responseTimeMs: number, serviceMs: number, instanceId?: string, bytesIn = 0, bytesOut = 0): void {
    if (nowMs >= (this.currentIndex + 1) * this.periodMs) this.roll(nowMs);
    const p = this.current;
    p.requestCount++;
    p.target2xxCount++;
    p.targetResponseTimeSumSec += responseTimeMs / 1000;
    p.busyMs += serviceMs;
    p.bytesIn += bytesIn;
    p.bytesOut += bytesOut;
    if (instanceId !== undefined) {
      let c = p.perInstance.get(instanceId);
      if (!c) {
        c = { requests: 0, busyMs: 0, bytesIn: 0, bytesOut: 0 };
        p.perInstance.set(instanceId, c);
      }
      c.requests++;
      c.busyMs += serviceMs;
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
    }
  }

  recordElb5xx(nowMs: number): void {
    if (nowMs >= (this.currentIndex + 1) * this.periodMs) this.roll(nowMs);
    this.current.elb5xxCount++;
  }

  /** The gauges changed at `nowMs` (an instance moved, desired changed). */
  setGauges(nowMs: number, gauges: Gauges): void {
    this.roll(nowMs);
    this.accumulate(nowMs);
    this.gauges = { ...gauges };
  }

  /** Closes every period that ended by `nowMs` and returns those not returned before, oldest first. */
  closeThrough(nowMs: number): PeriodMetrics[] {
    this.roll(nowMs);
    return this.completed.splice(0, this.completed.length);
  }

  /**
   * Periods whose start lies in [startMs, endMs), oldest first; the current,
   * incomplete period is included (CloudWatch's provisional newest datapoint),
   * its gauges averaged over the part that has elapsed.
   */
  periods(startMs: number, endMs: number, nowMs: number): PeriodMetrics[] {
    this.roll(nowMs);
    const out = this.history.filter((p) => p.startMs >= startMs && p.startMs < endMs);
    if (this.current.startMs >= startMs && this.current.startMs < endMs) out.push(this.provisional(nowMs));
    return out;
  }

  private provisional(nowMs: number): PeriodMetrics {
    const elapsed = nowMs - this.lastGaugeMs;
    const span = nowMs - this.openedMs;
    const gauges = zeroGauges();
    for (const key of GAUGE_KEYS) {
      gauges[key] = span > 0 ? (this.area[key] + this.gauges[key] * elapsed) / span : this.gauges[key];
    }
    return { ...this.current, gauges };
  }

  private accumulate(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.lastGaugeMs);
    for (const key of GAUGE_KEYS) this.area[key] += this.gauges[key] * elapsed;
    this.lastGaugeMs = Math.max(this.lastGaugeMs, nowMs);
  }

  private roll(nowMs: number): void {
    const index = Math.floor(nowMs / this.periodMs);
    while (this.currentIndex < index) {
      const endMs = (this.currentIndex + 1) * this.periodMs;
      this.accumulate(endMs);
      const span = Math.max(1, endMs - this.openedMs);
      for (const key of GAUGE_KEYS) {
        this.current.gauges[key] = this.area[key] / span;
        this.area[key] = 0;
      }
      this.history.push(this.current);
      this.completed.push(this.current);
      if (this.history.length > this.retainPeriods) this.history.shift();
      if (this.completed.length > this.retainPeriods) this.completed.shift();
      this.currentIndex++;
      this.current = this.blank(this.currentIndex);
      this.openedMs = this.current.startMs;
    }
  }

  private blank(index: number): PeriodMetrics {
    return {
      startMs: index * this.periodMs,
      requestCount: 0,
      elb5xxCount: 0,
      target2xxCount: 0,
      target5xxCount: 0,
      targetResponseTimeSumSec: 0,
      gauges: zeroGauges(),
      busyMs: 0,
      bytesIn: 0,
      bytesOut: 0,
      perInstance: new Map(),
    };
  }
}
