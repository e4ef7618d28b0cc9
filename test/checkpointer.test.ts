import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabase } from "../src/db/open";
import { workerUrl } from "../src/workers";
import type { RestartReport } from "../src/db/checkpointer-worker";
import { tempDir } from "./helpers";

/** Writes one ~800-byte row (about one WAL frame) at a time for `ms`, `pauseMs` apart (0: back to back, as in a flood); returns the longest stretch in which every attempt found the lock taken. */
async function writeFor(writer: Database, ms: number, commits?: Int32Array, pauseMs = 1): Promise<number> {
  const insert = writer.query("INSERT INTO t (x) VALUES (randomblob(800))");
  let longest = 0;
  let busySince = 0;
  for (const until = performance.now() + ms; performance.now() < until; ) {
    try {
      writer.exec("BEGIN IMMEDIATE");
      insert.run();
      writer.exec("COMMIT");
      if (commits) Atomics.add(commits, 0, 1);
      if (busySince) longest = Math.max(longest, performance.now() - busySince);
      busySince = 0;
    } catch (err) {
      if (!/locked|busy/i.test(String(err))) throw err;
      busySince ||= performance.now();
    }
    if (pauseMs > 0) await Bun.sleep(pauseMs);
    // Like the click writer in a flood: the lock free most of the time, never a pause long enough for a checkpoint to catch up.
    else for (const until = performance.now() + 0.5; performance.now() < until; );
  }
  return Math.max(longest, busySince ? performance.now() - busySince : 0);
}

/** A database with table t, a writer connection and a checkpointer thread started with `init`. */
function checkpointed(init: Record<string, unknown>) {
  const dir = tempDir();
  const path = join(dir, "outro.db");
  const setup = openDatabase(dir);
  setup.exec("CREATE TABLE t (x BLOB)");
  setup.close();
  const writer = new Database(path, { strict: true });
  writer.exec("PRAGMA busy_timeout = 0");
  writer.exec("PRAGMA wal_autocheckpoint = 0");
  const worker = new Worker(workerUrl("db/checkpointer-worker.ts"));
  worker.postMessage({ type: "init", path, everyMs: 10, ...init });
  const restarts: RestartReport[] = [];
  worker.onmessage = (e: MessageEvent) => {
    if (typeof e.data === "object" && e.data.type === "restarted") restarts.push(e.data);
  };
  const frames = () => writer.query<{ log: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get()!.log;
  const rows = () => writer.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM t").all()[0]!.n;
  const close = async () => {
    await new Promise<void>((resolve) => {
      worker.onmessage = (e: MessageEvent) => e.data === "closed" && resolve();
      worker.postMessage({ type: "close" });
    });
    worker.terminate();
    writer.close();
  };
  return { path, writer, frames, rows, close, restarts };
}

describe("the WAL checkpointer", () => {
  it("restarts a WAL past its bound only once the writer pauses, and at the hard bound even while it never does", async () => {
    // Commits back to back never leave the 150 ms of quiet asked for: the WAL grows past its bound…
    const commits = new Int32Array(new SharedArrayBuffer(4));
    const db = checkpointed({ restartAfterFrames: 100, restartAlwaysAfterFrames: 1_000_000, quietMs: 150, commits: commits.buffer });
    try {
      await writeFor(db.writer, 800, commits, 0);
      expect(db.rows()).toBeGreaterThan(200);
      expect(db.frames()).toBeGreaterThan(100);
      await Bun.sleep(20); // reports posted meanwhile arrive
      expect(db.restarts).toEqual([]);
      // …and is restarted once the writer has paused.
      for (let i = 0; i < 100 && db.restarts.length === 0; i++) await Bun.sleep(20);
      expect(db.restarts.length).toBe(1);
      expect(db.restarts[0]!.quiet).toBe(true);
      expect(db.restarts[0]!.frames).toBeGreaterThanOrEqual(100);
      db.writer.run("INSERT INTO t (x) VALUES (randomblob(800))");
      expect(db.frames()).toBeLessThan(10);
    } finally {
      await db.close();
    }
    // Never a pause, but a hard bound: the WAL is restarted anyway.
    const busy = new Int32Array(new SharedArrayBuffer(4));
    const flood = checkpointed({ restartAfterFrames: 100, restartAlwaysAfterFrames: 200, quietMs: 150, commits: busy.buffer });
    try {
      await writeFor(flood.writer, 1000, busy, 0);
      await Bun.sleep(20);
      expect(flood.rows()).toBeGreaterThan(300);
      expect(flood.frames()).toBeLessThan(flood.rows() - 200);
      expect(flood.restarts.length).toBeGreaterThan(0);
      expect(flood.restarts.every((r) => !r.quiet && r.frames >= 200)).toBe(true);
    } finally {
      await flood.close();
    }
  }, 20_000);

  it("restarts a WAL that outgrew its bound, and holds writers off briefly at most while a reader keeps an old snapshot", async () => {
    const db = checkpointed({ restartAfterFrames: 200 });
    try {
      // No reader in the way: the WAL starts again from the top instead of growing with every row.
      await writeFor(db.writer, 1000);
      const written = db.rows();
      expect(written).toBeGreaterThan(300);
      expect(db.frames()).toBeLessThan(written);

      // A reader holds a snapshot the whole time: a RESTART can never finish, and must not stall writers.
      const reader = new Database(db.path, { readonly: true });
      reader.exec("BEGIN");
      reader.query("SELECT COUNT(*) FROM t").get();
      const longest = await writeFor(db.writer, 1500);
      reader.exec("COMMIT");
      reader.close();
      expect(longest).toBeLessThan(300);
    } finally {
      await db.close();
    }
  }, 20_000);
});
