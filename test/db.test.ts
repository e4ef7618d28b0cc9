import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { migrate, openDatabase } from "../src/db/open";
import { migrations } from "../src/db/migrations";
import { tempDir } from "./helpers";

describe("storage", () => {
  it("migrates an empty database to the latest version with WAL, foreign keys and a busy timeout", () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const pragma = (p: string) => Object.values(db.query<Record<string, unknown>, []>(`PRAGMA ${p}`).get()!)[0];
    expect(pragma("user_version")).toBe(migrations.length);
    expect(pragma("journal_mode")).toBe("wal");
    expect(pragma("foreign_keys")).toBe(1);
    expect(pragma("busy_timeout")).toBe(5000);
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(["links", "destinations", "clicks", "page_views", "rollup_hourly", "capi_events", "settings"]));
    db.close();
  });

  it("is a no-op on a second start and keeps the data", () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    db.run("INSERT INTO links (slug, type, title, created_at, updated_at) VALUES ('x', 'release', 'X', 1, 1)");
    db.close();
    const again = openDatabase(dir);
    expect(again.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM links").get()!.n).toBe(1);
    expect(again.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(migrations.length);
    again.close();
  });

  it("010 keeps the raw rows and every stored event id: a client's eid stored before the upgrade still adds nothing", () => {
    const db = new Database(join(tempDir(), "outro.db"), { strict: true });
    migrate(db, migrations.slice(0, 9));
    db.run("INSERT INTO clicks (ts, link_id, dest_key, event_id, kind, device, visitor, route) VALUES (1, 7, 'spotify', 'client-eid-0001', 'human', 'mobile', 42, 'auto')");
    db.run("INSERT INTO page_views (ts, link_id, event_id, kind, device, country) VALUES (2, 7, 'view-eid-0001', 'human', 'mobile', 'DE')");
    expect(migrate(db)).toBe(migrations.length);
    expect(db.query("SELECT id, ts, link_id, dest_key, event_id, visitor, route FROM clicks").all()).toEqual([
      { id: 1, ts: 1, link_id: 7, dest_key: "spotify", event_id: "client-eid-0001", visitor: 42, route: "auto" },
    ]);
    expect(db.query("SELECT event_id, country FROM page_views").all()).toEqual([{ event_id: "view-eid-0001", country: "DE" }]);
    expect(db.query("SELECT event_id FROM click_eids").all()).toEqual([{ event_id: "client-eid-0001" }]);
    expect(db.run("INSERT OR IGNORE INTO click_eids (event_id) VALUES ('client-eid-0001')").changes).toBe(0);
    // No unique index is left on the raw tables: the server's own ids need none.
    expect(db.query("SELECT name FROM sqlite_master WHERE tbl_name IN ('clicks', 'page_views') AND type = 'index'").all()).toEqual([]);
    db.close();
  });

  it("011 keeps the outbox, its counters and triggers, and finds an event by its id without a scan", () => {
    const db = new Database(join(tempDir(), "outro.db"), { strict: true });
    migrate(db, migrations.slice(0, 10));
    const insert = "INSERT OR IGNORE INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, next_attempt_at, fan_id) VALUES (1, 'px1', 7, 'Lead', ?1, 2, '{}', 3, NULL)";
    db.run(insert, ["event-0001"]);
    db.run("UPDATE capi_events SET status = 'sent', attempts = 1, last_status = 200, last_response = 'ok', sent_at = 4");
    const before = db.query("SELECT * FROM capi_events").all();
    const counts = () => db.query("SELECT status, n FROM capi_counts ORDER BY status").all();
    const countsBefore = counts();
    expect(migrate(db)).toBe(migrations.length);
    expect(db.query("SELECT * FROM capi_events").all()).toEqual(before);
    expect(counts()).toEqual(countsBefore);
    // The triggers are back: a new event counts as pending, a repeat adds nothing.
    expect(db.run(insert, ["event-0002"]).changes).toBe(1);
    expect(db.run(insert, ["event-0002"]).changes).toBe(0);
    expect(db.query<{ n: number }, []>("SELECT n FROM capi_counts WHERE status = 'pending'").get()!.n).toBe(1);
    const plan = db.query<{ detail: string }, []>("EXPLAIN QUERY PLAN SELECT id FROM capi_events e WHERE e.event_id = 'event-0001' ORDER BY e.id").all().map((r) => r.detail).join(" ");
    expect(plan).toMatch(/SEARCH e USING (COVERING )?INDEX sqlite_autoindex_capi_events_1 \(event_id=\?\)/);
    const indexes = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE tbl_name = 'capi_events' AND type = 'index' ORDER BY name").all().map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(["capi_events_due", "capi_events_fan", "capi_events_settled"]));
    db.close();
  });

  it("applies each migration in a transaction: a failing one leaves nothing behind", () => {
    const db = new Database(join(tempDir(), "m.db"));
    const list = [
      { name: "001-a", sql: "CREATE TABLE a (x)" },
      { name: "002-bad", sql: "CREATE TABLE b (x); CREATE TABLE a (y);" },
    ];
    expect(() => migrate(db, list)).toThrow(/already exists/);
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(1);
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeNull();
    // Fixed, it applies from where it stopped.
    expect(migrate(db, [list[0]!, { name: "002-good", sql: "CREATE TABLE b (x)" }])).toBe(2);
    expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version).toBe(2);
    db.close();
  });

  it("enforces foreign keys: destinations go with their link", () => {
    const db = openDatabase(tempDir());
    db.run("INSERT INTO links (id, slug, type, title, created_at, updated_at) VALUES (1, 'x', 'release', 'X', 1, 1)");
    db.run("INSERT INTO destinations (link_id, position, key, url) VALUES (1, 0, 'spotify', 'https://open.spotify.com/x')");
    expect(() => db.run("INSERT INTO destinations (link_id, position, key, url) VALUES (99, 0, 'k', 'https://x.example')")).toThrow(/FOREIGN KEY/);
    db.run("DELETE FROM links WHERE id = 1");
    expect(db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM destinations").get()!.n).toBe(0);
    db.close();
  });
});
