/// <reference lib="webworker" />
// Moves WAL pages into the database file in the background. PASSIVE never blocks the writer;
// the writer restarts the WAL from the top once a checkpoint has caught up.
import { Database } from "bun:sqlite";
import { applyPragmas } from "./open";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<{ type: "init"; path: string; everyMs: number } | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    timer = setInterval(() => {
      try {
        db?.exec("PRAGMA wal_checkpoint(PASSIVE)");
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
