import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { databasePath } from "../db/open";
import { migrations } from "../db/migrations";

/** A backup or restore that cannot be done; its message is the one line the user sees. */
export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
}

// VACUUM INTO runs on its own thread so a server taking a scheduled (or admin) backup keeps
// answering. A blob worker needs no entry point of its own in `npm run build`'s command.
const VACUUM_WORKER = `
import { Database } from "bun:sqlite";
self.onmessage = (e) => {
  let db;
  try {
    db = new Database(e.data.source, { readwrite: true, create: false });
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA synchronous = FULL");
    db.run("VACUUM INTO ?", [e.data.target]);
    self.postMessage({ ok: true });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err && err.message || err) });
  } finally {
    try { db && db.close(); } catch {}
  }
};`;

function vacuumInto(source: string, target: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([VACUUM_WORKER], { type: "application/javascript" }));
  const worker = new Worker(url);
  return new Promise<void>((done, fail) => {
    worker.onmessage = (e: MessageEvent<{ ok: boolean; error?: string }>) => (e.data.ok ? done() : fail(new BackupError(`backup failed: ${e.data.error}`)));
    worker.onerror = (e) => fail(new BackupError(`backup failed: ${e.message}`));
    worker.postMessage({ source, target });
  }).finally(() => {
    worker.terminate();
    URL.revokeObjectURL(url);
  });
}

const tempName = (file: string, what: string) => `${file}.${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Writes a consistent snapshot of DATA_DIR/outro.db to `file` (SQLite's VACUUM INTO: one read
 * transaction, so it is safe while the server is serving and writing). Never overwrites a file.
 * Media uploads (DATA_DIR/media) are not in the snapshot.
 */
export async function backupTo(dataDir: string, file: string): Promise<BackupResult> {
  const source = databasePath(dataDir);
  const target = resolve(file);
  if (!existsSync(source)) throw new BackupError(`no database at ${source} (is DATA_DIR right?)`);
  if (existsSync(target)) throw new BackupError(`${target} already exists; choose a new file name`);
  if (!existsSync(dirname(target))) throw new BackupError(`the folder ${dirname(target)} does not exist`);
  // Written under a temporary name, then linked into place: a half-written backup never has the real name.
  const temp = tempName(target, "partial");
  try {
    await vacuumInto(source, temp);
    // A backup holds access tokens and fans' e-mail addresses: readable by its owner only.
    chmodSync(temp, 0o600);
    try {
      linkSync(temp, target); // fails if the file appeared meanwhile: still never overwrites
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new BackupError(`${target} already exists; choose a new file name`);
      if (existsSync(target)) throw err;
      renameSync(temp, target); // a filesystem without hard links
    }
  } finally {
    rmSync(temp, { force: true });
  }
  return { file: target, bytes: statSync(target).size };
}

const REQUIRED_TABLES = ["links", "destinations", "clicks", "page_views", "rollup_hourly", "capi_events", "settings"];

/** Checks that `file` is an intact Outro database this version can open; returns its schema version. */
export function checkBackup(file: string): { schemaVersion: number; links: number } {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new BackupError(`${path} is not a file`);
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true });
    const check = db.query<{ quick_check: string }, []>("PRAGMA quick_check").all();
    if (check.length !== 1 || check[0]!.quick_check !== "ok") throw new Error("it is damaged (quick_check failed)");
    const tables = new Set(db.query<{ name: string }, []>("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((t) => t.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (missing.length) throw new Error(`it has no ${missing.join(", ")} table`);
    const { user_version: schemaVersion } = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
    if (schemaVersion > migrations.length) throw new Error(`it was made by a newer Outro (schema ${schemaVersion}, this one knows ${migrations.length}); upgrade first`);
    const { n } = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM links").get()!;
    return { schemaVersion, links: n };
  } catch (err) {
    const reason = (err as Error).message.replace(/^file is not a database$/, "it is not an SQLite database");
    throw new BackupError(`${path} is not a valid Outro database: ${reason}`);
  } finally {
    db?.close();
  }
}

/** Throws unless no process has the database open: leaving WAL mode needs the only connection. */
function assertNotInUse(live: string): void {
  let db: Database | null = null;
  try {
    db = new Database(live, { readwrite: true, create: false });
    db.exec("PRAGMA busy_timeout = 0");
    // Also checkpoints a crashed server's WAL into the file, so the kept copy below is complete.
    const mode = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = DELETE").get()?.journal_mode;
    if (mode !== "delete") throw new Error("locked");
  } catch {
    throw new BackupError("the database is in use: stop Outro first (docker stop / systemctl stop), then restore");
  } finally {
    db?.close();
  }
}

export interface RestoreResult {
  file: string;
  /** Where the database that was replaced was kept, if there was one. */
  previous: string | null;
  links: number;
}

/**
 * Replaces DATA_DIR/outro.db with a backup, atomically (a rename), once the backup is checked
 * and no server has the database open. The old file is kept beside it; stale -wal/-shm go.
 * Migrations bring an older backup up to date when the server next starts.
 */
export function restoreFrom(dataDir: string, file: string, now = new Date()): RestoreResult {
  const { links } = checkBackup(file);
  const live = databasePath(dataDir);
  const temp = tempName(live, "restoring");
  let previous: string | null = null;
  try {
    copyFileSync(resolve(file), temp);
    if (existsSync(live)) {
      assertNotInUse(live);
      previous = join(dataDir, `outro.db.before-restore-${now.toISOString().replace(/[:.]/g, "-")}`);
      try {
        linkSync(live, previous);
      } catch {
        copyFileSync(live, previous);
      }
    }
    rmSync(`${live}-wal`, { force: true });
    rmSync(`${live}-shm`, { force: true });
    renameSync(temp, live);
  } finally {
    rmSync(temp, { force: true });
  }
  return { file: live, previous, links };
}
