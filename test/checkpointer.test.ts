import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabase } from "../src/db/open";
import { workerUrl } from "../src/workers";
import { tempDir } from "./helpers";

/** Writes one ~800-byte row (about one WAL frame) at a time for `ms`; returns the longest stretch in which every attempt found the lock taken. */
async function writeFor(writer: Database, ms: number, commits?: Int32Array): Promise<number> {
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
    await Bun.sleep(1);
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
  const frames = () => writer.query<{ log: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get()!.log;
  const rows = () => writer.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM t").get()!.n;
  const close = async () => {
    await new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage({ type: "close" });
    });
    worker.terminate();
    writer.close();
  };
  return { writer, frames, rows, close };
}

describe("the WAL checkpointer", () => {
  it("restarts a WAL past its bound only once the writer pauses, and at the hard bound even while it never does", async () => {
    // Commits every ~1 ms never leave the 150 ms of quiet asked for: the WAL grows past its bound…
    const commits = new Int32Array(new SharedArrayBuffer(4));
    const db = checkpointed({ restartAfterFrames: 100, restartAlwaysAfterFrames: 1_000_000, quietMs: 150, commits: commits.buffer });
    try {
      await writeFor(db.writer, 800, commits);
      const written = db.rows();
      expect(written).toBeGreaterThan(200);
      expect(db.frames()).toBeGreaterThanOrEqual(written);
      // …and starts again from the top once the writer has paused.
      await Bun.sleep(800);
      db.writer.run("INSERT INTO t (x) VALUES (randomblob(800))");
      Atomics.add(commits, 0, 1);
      expect(db.frames()).toBeLessThan(10);
    } finally {
      await db.close();
    }
    // Never a pause, but a hard bound: the WAL is restarted anyway.
    const busy = new Int32Array(new SharedArrayBuffer(4));
    const flood = checkpointed({ restartAfterFrames: 100, restartAlwaysAfterFrames: 200, quietMs: 150, commits: busy.buffer });
    try {
      await writeFor(flood.writer, 1000, busy);
      expect(flood.rows()).toBeGreaterThan(300);
      expect(flood.frames()).toBeLessThan(flood.rows());
    } finally {
      await flood.close();
    }
  }, 20_000);


  it("restarts a WAL that outgrew its bound, and holds writers off briefly at most while a reader keeps an old snapshot", async () => {
    const dir = tempDir();
    const path = join(dir, "outro.db");
    const setup = openDatabase(dir);
    setup.exec("CREATE TABLE t (x BLOB)");
    setup.close();
    const writer = new Database(path, { strict: true });
    writer.exec("PRAGMA busy_timeout = 0");
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    const worker = new Worker(workerUrl("db/checkpointer-worker.ts"));
    worker.postMessage({ type: "init", path, everyMs: 10, restartAfterFrames: 200 });
    try {
      // No reader in the way: the WAL starts again from the top instead of growing with every row.
      await writeFor(writer, 1000);
      const written = writer.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM t").get()!.n;
      const frames = writer.query<{ log: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get()!.log;
      expect(written).toBeGreaterThan(300);
      expect(frames).toBeLessThan(written);

      // A reader holds a snapshot the whole time: a RESTART can never finish, and must not stall writers.
      const reader = new Database(path, { readonly: true });
      reader.exec("BEGIN");
      reader.query("SELECT COUNT(*) FROM t").get();
      const longest = await writeFor(writer, 1500);
      reader.exec("COMMIT");
      reader.close();
      expect(longest).toBeLessThan(300);
    } finally {
      await new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage({ type: "close" });
      });
      worker.terminate();
      writer.close();
    }
  }, 20_000);
});
