/// <reference lib="webworker" />
// The write thread: owns one SQLite connection and commits each batch it is handed in one
// transaction, so the request thread never blocks on SQLite and many clicks share one commit.
import { Database } from "bun:sqlite";
import { applyPragmas } from "../db/open";
import type { EventRecord, WriterInit, WriterReply, WriterRequest } from "./records";
import { batchCommitter, type BatchCommit } from "./commit";

declare const self: Worker;

let commit: BatchCommit | null = null;
let db: Database | null = null;

function open(path: string) {
  db = new Database(path, { strict: true });
  applyPragmas(db);
  commit = batchCommitter(db);
}

self.onmessage = (msg: MessageEvent<WriterInit | WriterRequest>) => {
  const m = msg.data;
  if (m.type === "init") return open(m.path);
  let reply: WriterReply;
  try {
    if (m.type === "close") {
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
