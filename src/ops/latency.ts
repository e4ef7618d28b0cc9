// Kept apart from the /metrics routes so the hot paths import nothing else.

/** Upper bounds in seconds: from a cached page (sub-millisecond) to a slow group commit. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** A fixed-bucket histogram: observing is a short loop and two additions, no allocation. */
export class Histogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** Request latency of the two public hot paths, for this process (served pages and redirects). */
export const latency = { page: new Histogram(), clickout: new Histogram() };

/** Records the time since `started` (performance.now()) and hands `value` through, for a `return`. */
export function timed<T>(histogram: Histogram, started: number, value: T): T {
  histogram.observe((performance.now() - started) / 1000);
  return value;
}
