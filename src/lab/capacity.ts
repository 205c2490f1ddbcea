/**
 * One instance's capacity model: a single first-come-first-served queue that
 * serves `capacityPerSec` requests per second. Each request costs
 * 1000 / capacityPerSec ms of service; one that arrives while the instance is
 * busy waits for the work ahead of it. Under the capacity, latency stays at
 * the service time; past it, the queue and so the latency grow for as long as
 * the overload lasts, and shrink once scale-out spreads the load thinner.
 *
 * The model is evaluated in-process when the request arrives (its response
 * time is known then), instead of proxying to a real server per instance:
 * a socket hop per request would double the kernel work on a 2-core machine
 * that also runs abx, and it is the queue, not the socket, that makes the
 * latency climb.
 */
export class TargetModel {
  /** Monotonic ms at which the work already admitted is done. */
  private busyUntilMs = 0;
  readonly serviceMs: number;

  constructor(capacityPerSec: number) {
    this.serviceMs = 1000 / capacityPerSec;
  }

  /** Admits a request arriving at monotonic `nowMs`; returns its response time in ms (wait + service). */
  admit(nowMs: number): number {
    const start = this.busyUntilMs > nowMs ? this.busyUntilMs : nowMs;
    this.busyUntilMs = start + this.serviceMs;
    return this.busyUntilMs - nowMs;
  }

  /** Work queued ahead of a request arriving now, in ms. */
  backlogMs(nowMs: number): number {
    return Math.max(0, this.busyUntilMs - nowMs);
  }
}

/**
 * Baseline CPU of the burstable t3 sizes, in vCPUs (vCPUs × baseline
 * per vCPU): a t3.nano's 2 × 5% is half a t3.micro's 2 × 10%, so an
 * instance's capacity in the lab scales by this over the t3.micro's.
 */
const T3_BASELINE_VCPU: Record<string, number> = {
  't3.nano': 0.1,
  't3.micro': 0.2,
  't3.small': 0.4,
  't3.medium': 0.4,
  't3.large': 0.6,
  't3.xlarge': 1.6,
  't3.2xlarge': 3.2,
};

export function knownInstanceType(instanceType: string): boolean {
  return instanceType in T3_BASELINE_VCPU;
}

/** Capacity of `instanceType` relative to a t3.micro (the lab's --instance-capacity). */
export function capacityFactor(instanceType: string): number {
  return (T3_BASELINE_VCPU[instanceType] ?? T3_BASELINE_VCPU['t3.micro']) / T3_BASELINE_VCPU['t3.micro'];
}
