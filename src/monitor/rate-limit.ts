/**
 * Politeness for the link checker: at most one request at a time per host, a pause after each
 * request before the next one to the same host, and a global pace (a pause between any two
 * request starts, and a cap on requests in flight), so a daily run over a few hundred URLs —
 * most of them on the same few streaming hosts — never hammers anyone.
 */
export interface RateLimits {
  /** Pause after a request ends before the next one to the same host starts. */
  hostGapMs: number;
  /** Pause between any two request starts, whatever their hosts. */
  paceMs: number;
  /** Requests in flight at once, across all hosts. */
  maxParallel: number;
  /** Once aborted, pauses end at once, so a stopping app does not sit out a long queue. */
  signal?: AbortSignal;
}

/** The longest a host's Retry-After may hold its queue: a daily run should still end the same day. */
export const MAX_PAUSE_MS = 60_000;

export function rateLimiter({ hostGapMs, paceMs, maxParallel, signal }: RateLimits) {
  const sleep = (ms: number) =>
    ms <= 0 || signal?.aborted
      ? Promise.resolve()
      : new Promise<void>((done) => {
          const timer = setTimeout(done, ms);
          signal?.addEventListener("abort", () => { clearTimeout(timer); done(); }, { once: true });
        });
  /** Per host: the end of the queue of requests to it. */
  const tails = new Map<string, Promise<void>>();
  /** Per host: a longer pause it asked for (429 with Retry-After), taken before its next request. */
  const pauses = new Map<string, number>();
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  /** Starts go one after another: each waits for the previous one's actual start plus the pace. */
  let paceTail: Promise<void> = Promise.resolve();
  let lastStart = -Infinity;

  /** A global slot: waits for a free one, then for the pace since the last start. */
  const acquire = async () => {
    while (inFlight >= maxParallel) await new Promise<void>((wake) => waiting.push(wake));
    inFlight++;
    // Measured from when the previous request really started (not when it was due), so a busy
    // event loop that wakes one late cannot squeeze the next one closer to it.
    const mine = paceTail.then(async () => {
      await sleep(lastStart + paceMs - performance.now());
      lastStart = performance.now();
    });
    paceTail = mine;
    await mine;
  };
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };

  return {
    /** Runs `request` for `host` when the host and the global pace allow it. */
    run<T>(host: string, request: () => Promise<T>): Promise<T> {
      const before = tails.get(host) ?? Promise.resolve();
      const result = before.then(async () => {
        await acquire();
        try {
          return await request();
        } finally {
          release();
        }
      });
      // The host's next request waits for this one to end, then for the gap (longer if the host asked).
      const wait = () => {
        const asked = pauses.get(host) ?? 0;
        pauses.delete(host);
        return sleep(Math.max(hostGapMs, asked));
      };
      const tail = result.then(wait, wait);
      tails.set(host, tail);
      // Forget idle hosts, so the map holds only hosts with queued requests.
      void tail.then(() => {
        if (tails.get(host) === tail) tails.delete(host);
      });
      return result;
    },
    /** The host asked us to slow down: its next request waits `ms` (at most MAX_PAUSE_MS) instead of the usual gap. Call it from inside `request`. */
    pauseHost(host: string, ms: number) {
      pauses.set(host, Math.min(Math.max(ms, pauses.get(host) ?? 0), MAX_PAUSE_MS));
    },
  };
}
export type RateLimiter = ReturnType<typeof rateLimiter>;
