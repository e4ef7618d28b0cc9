import { afterEach, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../src/db/open";
import { batchCommitter } from "../src/clickout/commit";
import type { EventRecord } from "../src/clickout/records";
import { tempDir } from "./helpers";

let dir = "";
let db: Database;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function fixture() {
  dir = tempDir("outro-batch-");
  db = openDatabase(dir);
  db.exec(`INSERT INTO links (id, slug, type, title, created_at, updated_at) VALUES (1, 'night-drive', 'release', 'Night Drive', 0, 0)`);
  return batchCommitter(db);
}

/** Record i of a batch: every column made from i, so a row in the wrong place or with a shifted value shows. */
const record = (i: number, t: "click" | "view", clientEid = false): EventRecord => ({
  t, ts: 1_800_000_000_000 + i, linkId: 1, destKey: t === "click" ? `d${i % 3}` : "", eventId: `0evt${String(i).padStart(8, "0")}`,
  kind: i % 5 === 0 ? "bot" : "human", device: `dev${i}`, referrer: i % 2 ? `ref${i}` : null,
  utm: [`s${i}`, `m${i}`, i % 4 ? `c${i}` : null, `ct${i}`, `t${i}`], country: `C${i}`, os: `os${i}`, app: i % 3 ? `app${i}` : null,
  visitor: 1000 + i, route: t === "click" && i % 7 === 0 ? "auto" : undefined, clientEid, events: [],
});

const clickRow = (r: EventRecord) => ({ ts: r.ts, link_id: 1, dest_key: r.destKey, event_id: r.eventId, kind: r.kind, device: r.device, referrer: r.referrer,
  utm_source: r.utm[0], utm_medium: r.utm[1], utm_campaign: r.utm[2], utm_content: r.utm[3], utm_term: r.utm[4], country: r.country, os: r.os, app: r.app, visitor: r.visitor, route: r.route ?? null });
const viewRow = (r: EventRecord) => { const { dest_key: _, route: __, ...rest } = clickRow(r); return rest; };

describe("a batch's rows", () => {
  it("stores every click and view of batches of 1, 64, 65 and 300 mixed records, in order, each value in its column", () => {
    const commit = fixture();
    const all: EventRecord[] = [];
    let i = 0;
    for (const size of [1, 64, 65, 300]) {
      const batch = Array.from({ length: size }, () => record(++i, i % 3 === 0 ? "view" : "click"));
      const result = commit(batch);
      expect(result.inserted).toBe(size);
      all.push(...batch);
    }
    const cols = "ts, link_id, dest_key, event_id, kind, device, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, os, app, visitor, route";
    expect(db.query(`SELECT ${cols} FROM clicks ORDER BY id`).all()).toEqual(all.filter((r) => r.t === "click").map(clickRow));
    expect(db.query(`SELECT ${cols.replace("dest_key, ", "").replace(", route", "")} FROM page_views ORDER BY id`).all()).toEqual(all.filter((r) => r.t === "view").map(viewRow));
  });

  it("leaves out a client's eid seen before, in the same batch or an earlier one", () => {
    const commit = fixture();
    const first = Array.from({ length: 70 }, (_, k) => record(k, "click", true));
    expect(commit(first).inserted).toBe(70);
    // 70 new ones between repeats of the first batch and of each other.
    const second = Array.from({ length: 140 }, (_, k) => (k % 2 ? record(k >> 1, "click", true) : record(1000 + (k >> 1), "click", true)));
    second.push(record(1000, "click", true));
    expect(commit(second).inserted).toBe(70);
    const ids = db.query<{ event_id: string }, []>("SELECT event_id FROM clicks ORDER BY id").all().map((r) => r.event_id);
    expect(ids).toEqual([...first.map((r) => r.eventId), ...Array.from({ length: 70 }, (_, k) => record(1000 + k, "click").eventId)]);
  });
});
