/// <reference lib="webworker" />
// Moves WAL pages into the database file in the background, and keeps the WAL from growing
// without end under steady writes: a PASSIVE checkpoint never blocks the writer, but while
// commits keep coming it never quite catches up, and the WAL only starts again from the top
// once a checkpoint has caught up. So when the WAL has grown past a bound, a RESTART
// checkpoint holds the write lock for the short remainder (the writer retries meanwhile, it
// does not sleep) and the next commit writes from the top of the file again.
//
// That remainder is short, but the RESTART also syncs the WAL and the database file with the
// lock held: measured 16–28 ms on a 2-core VPS under a click-out flood, every ~2 s, and every
// click of those milliseconds waited for it (the flood's p99 latency 5.8–11.6 ms with it,
// 3.0–5.0 ms without). So past the bound it waits for a quiet moment, no commit for QUIET_MS
// (the writer counts its commits in shared memory), and restarts anyway only at a hard bound.
// At an ad campaign's rates quiet moments come many times a second; in a flood, between bursts.
// An unbroken flood pays at the hard bound instead, in fewer, longer holds (they grow with the
// WAL: 83 ms at 40,000 frames, measured; so the hard bound is 16,000). bench/quick.ts, 5 rounds
// twice against the code before: click-out p99 6.10 and 6.73 ms against 9.25 and 6.74 (5.05 and
// 5.34 against 7.23 and 6.02 with the hard bound at 40,000), but a tracked click-out flood's p99
// 61 and 58 ms against 47 and 45 (97–105 ms at 40,000): a tracked flood writes ~8,700 frames a
// second and meets the hard bound in every round.
import { Database } from "bun:sqlite";
import { applyPragmas } from "./open";

declare const self: Worker;

/** WAL frames (pages) after which the checkpointer restarts the WAL at the next quiet moment: 32 MB of 4 KB pages. */
const RESTART_AFTER_FRAMES = 8_000;
/** …and after which it restarts it even in a flood with no quiet moment: 64 MB, ~2 s of a tracked flood, ~4 s of a click-out flood. */
const RESTART_ALWAYS_AFTER_FRAMES = 16_000;
/** A moment is quiet when the writer has not committed for this long. */
const QUIET_MS = 5;
/**
 * A RESTART holds writers off while it waits for readers of older snapshots (a CSV export, a
 * backup): it waits this long at most, and after giving up is not tried again for a while, so
 * click-outs are never held up for long; the WAL just grows a little meanwhile.
 */
const RESTART_WAIT_MS = 50;
const RESTART_BACKOFF_MS = 5_000;

export type CheckpointerInit = {
  type: "init";
  path: string;
  everyMs: number;
  restartAfterFrames?: number;
  restartAlwaysAfterFrames?: number;
  quietMs?: number;
  /** An Int32Array's buffer whose element 0 the writer bumps on every commit; without it every moment counts as quiet. */
  commits?: SharedArrayBuffer;
};

/** Posted after each WAL restart: the frames the WAL had, how long the restart held the write lock, and whether a quiet moment was found for it. */
export type RestartReport = { type: "restarted"; frames: number; heldMs: number; quiet: boolean };

/** Whether the writer commits nothing for `ms` (this thread sleeps meanwhile). */
function quiet(commits: Int32Array, ms: number): boolean {
  const before = Atomics.load(commits, 0);
  Bun.sleepSync(ms);
  return Atomics.load(commits, 0) === before;
}

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<CheckpointerInit | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    db.exec(`PRAGMA busy_timeout = ${RESTART_WAIT_MS}`);
    // The file is cut back to this size after a restart that followed a large burst.
    db.exec("PRAGMA journal_size_limit = 67108864");
    const restartAfter = m.restartAfterFrames ?? RESTART_AFTER_FRAMES;
    const restartAlways = m.restartAlwaysAfterFrames ?? RESTART_ALWAYS_AFTER_FRAMES;
    const quietMs = m.quietMs ?? QUIET_MS;
    const commits = m.commits ? new Int32Array(m.commits) : null;
    let nextRestart = 0;
    const checkpoint = (mode: "PASSIVE" | "RESTART") =>
      db!.query<{ busy: number; log: number; checkpointed: number }, []>(`PRAGMA wal_checkpoint(${mode})`).get()!;
    timer = setInterval(() => {
      try {
        const passive = checkpoint("PASSIVE");
        if (passive.log < restartAfter || Date.now() < nextRestart) return;
        if (commits && passive.log < restartAlways && !quiet(commits, quietMs)) return;
        const started = performance.now();
        const restart = checkpoint("RESTART");
        if (restart.busy) nextRestart = Date.now() + RESTART_BACKOFF_MS;
        else self.postMessage({ type: "restarted", frames: passive.log, heldMs: performance.now() - started, quiet: passive.log < restartAlways } satisfies RestartReport);
      } catch {
        // Busy or full: the next tick tries again; the WAL keeps every commit meanwhile.
        nextRestart = Date.now() + RESTART_BACKOFF_MS;
      }
    }, m.everyMs);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
