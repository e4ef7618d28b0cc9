import { describe, expect, it } from "bun:test";
import { databasePath, openDatabase } from "../src/db/open";
import { EventWriter } from "../src/clickout/writer";
import type { EventRecord } from "../src/clickout/records";
import { eventually, tempDir } from "./helpers";

const click = (i: number): EventRecord => ({
  t: "click", ts: Date.now(), linkId: 1, destKey: "spotify", eventId: `wt-${i}`, kind: "human", device: "mobile", referrer: null,
  utm: ["ig", null, null, null, null], country: "DE", os: "ios", app: null, visitor: i, events: [],
});

function setUp() {
  const dir = tempDir("outro-writer-threads-");
  const db = openDatabase(dir);
  db.run("INSERT INTO links (id, slug, type, title, created_at, updated_at) VALUES (1, 'x', 'release', 't', 0, 0)");
  const folded = () => db.query<{ last_id: number }, []>("SELECT last_id FROM rollup_progress WHERE source = 'clicks'").get()?.last_id ?? 0;
  return { dir, db, folded };
}

describe("the click writer's helper threads", () => {
  it("folds committed click-outs into the rollups on the housekeeping thread", async () => {
    const { dir, db, folded } = setUp();
    const writer = new EventWriter(databasePath(dir));
    for (let i = 1; i <= 5; i++) await writer.write(click(i));
    await eventually(() => expect(folded()).toBe(5));
    await writer.close();
    db.close();
  });

  it("folds on the request thread when its own thread cannot start, and still shuts down promptly", async () => {
    const { dir, db, folded } = setUp();
    const writer = new EventWriter(databasePath(dir), () => {}, { checkpointer: "db/no-such-worker.ts", housekeeping: "stats/no-such-worker.ts" });
    for (let i = 1; i <= 5; i++) await writer.write(click(i));
    await eventually(() => expect(folded()).toBe(5));
    // Without the checkpointer, commits checkpoint the WAL themselves: 3000 more commits (~3 pages
    // each, ~35 MB of WAL left alone) leave it a few MB long.
    for (let i = 6; i <= 3005; i++) await writer.write(click(i));
    expect(Bun.file(`${databasePath(dir)}-wal`).size).toBeLessThan(12 * 1024 * 1024);
    const t0 = performance.now();
    await writer.close();
    // A failed thread never answers "closed": the close must not wait for it.
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks").get()!.n).toBe(3005);
    db.close();
  });
});
