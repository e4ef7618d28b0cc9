/** Why a catalogue gave nothing: shown next to its name so the artist knows the answer is partial. */
export type FailureKind = "timeout" | "unavailable" | "rate_limited" | "bad_answer";

export class CatalogueFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
  }
}

export interface RateLimit {
  /** Least time between two request starts. */
  intervalMs: number;
  /** At most this many starts in any `windowMs` (Infinity: no window). */
  perWindow: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Waits for this catalogue's next free slot; throws `rate_limited` at once if that slot is after `deadline`. */
  acquire(deadline: number): Promise<void>;
}

/**
 * Spaces requests to one catalogue across every lookup of the process. Slots are reserved
 * synchronously, so concurrent lookups queue in order instead of all waking at once; a lookup
 * that would have to wait past its deadline gives up instead of holding the editor.
 */
export function rateLimiter(limit: RateLimit, now: () => number = () => performance.now(), sleep: (ms: number) => Promise<unknown> = (ms) => Bun.sleep(ms)): RateLimiter {
  let nextFree = 0;
  const starts: number[] = [];
  return {
    async acquire(deadline) {
      const t = now();
      while (starts.length && starts[0]! <= t - limit.windowMs) starts.shift();
      let slot = Math.max(t, nextFree);
      if (starts.length >= limit.perWindow) slot = Math.max(slot, starts[starts.length - limit.perWindow]! + limit.windowMs);
      if (slot > deadline) throw new CatalogueFailure("rate_limited", "skipped: its rate limit leaves no slot before the deadline");
      nextFree = slot + limit.intervalMs;
      starts.push(slot);
      if (slot > t) await sleep(slot - t);
    },
  };
}
