/// <reference lib="webworker" />
// The write thread: owns one SQLite connection and commits each batch it is handed in one
// transaction, so the request thread never blocks on SQLite and many clicks share one commit.
import { Database } from "bun:sqlite";
import { applyPragmas } from "../db/open";
import type { EventRecord, WriterInit, WriterReply, WriterRequest } from "./records";
import { batchCommitter, type BatchCommit } from "./commit";
import { rollupJob } from "../stats/rollup";
import { outboxRetention } from "../tracking/outbox-retention";
import { storedSetting } from "../settings/service";

/** Rollup folding runs here, between batches: a second writing connection would make click commits wait on its lock. */
const ROLLUP_EVERY_MS = 250;
const ROLLUP_BUDGET_MS = 10;
const MAINTAIN_EVERY_MS = 60_000;
let rollupTimer: ReturnType<typeof setInterval> | null = null;

declare const self: Worker;

let commit: BatchCommit | null = null;
let db: Database | null = null;

function open(path: string) {
  db = new Database(path, { strict: true });
  applyPragmas(db);
  commit = batchCommitter(db);
  const job = rollupJob(db);
  const outbox = outboxRetention(db);
  let lastMaintained = 0;
  rollupTimer = setInterval(() => {
    if (!db) return;
    try {
      // A small time budget per tick keeps batches of clicks from waiting behind a backlog.
      const until = performance.now() + ROLLUP_BUDGET_MS;
      while (performance.now() < until && job.step() > 0);
      if (Date.now() - lastMaintained >= MAINTAIN_EVERY_MS) {
        lastMaintained = Date.now();
        job.maintain(Date.now(), { deleteBatch: 2000 });
        outbox.maintain(Date.now(), storedSetting(db, "rawRetentionDays"));
      }
    } catch (err) {
      // A full disk or the like: the next tick starts again from the stored progress.
      console.error(JSON.stringify({ level: "warn", msg: "rollup tick failed", error: (err as Error).message }));
    }
  }, ROLLUP_EVERY_MS);
}

self.onmessage = (msg: MessageEvent<WriterInit | WriterRequest>) => {
  const m = msg.data;
  if (m.type === "init") return open(m.path);
  let reply: WriterReply;
  try {
    if (m.type === "close") {
      if (rollupTimer) clearInterval(rollupTimer);
      db?.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      db?.close();
      db = null;
      commit = null;
      reply = { id: m.id, ok: true, inserted: 0, events: 0 };
    } else {
      if (!commit) throw new Error("writer is closed");
      reply = { id: m.id, ok: true, ...commit(JSON.parse(m.records) as EventRecord[]) };
    }
  } catch (err) {
    reply = { id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply);
};
