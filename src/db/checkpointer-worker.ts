/// <reference lib="webworker" />
// Moves WAL pages into the database file in the background, and keeps the WAL from growing
// without end under steady writes: a PASSIVE checkpoint never blocks the writer, but while
// commits keep coming it never quite catches up, and the WAL only starts again from the top
// once a checkpoint has caught up. So when the WAL has grown past a bound, a RESTART
// checkpoint holds the write lock for the short remainder (the writer retries meanwhile, it
// does not sleep) and the next commit writes from the top of the file again.
import { Database } from "bun:sqlite";
import { applyPragmas } from "./open";

declare const self: Worker;

/** WAL frames (pages) after which the checkpointer restarts the WAL: 32 MB of 1 KB pages, every few seconds under a flood (a restart holds the lock ~4 ms). */
const RESTART_AFTER_FRAMES = 32_000;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<{ type: "init"; path: string; everyMs: number } | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    // The file is cut back to this size after a restart that followed a large burst.
    db.exec("PRAGMA journal_size_limit = 67108864");
    const checkpoint = (mode: "PASSIVE" | "RESTART") =>
      db!.query<{ busy: number; log: number; checkpointed: number }, []>(`PRAGMA wal_checkpoint(${mode})`).get()!;
    timer = setInterval(() => {
      try {
        const passive = checkpoint("PASSIVE");
        if (passive.log >= RESTART_AFTER_FRAMES) checkpoint("RESTART");
      } catch {
        // Busy or full: the next tick tries again; the WAL keeps every commit meanwhile.
      }
    }, m.everyMs);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
