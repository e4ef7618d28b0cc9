import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { HUMAN_UA, release, tempDir, TOKEN } from "./helpers";
import { spawnServer } from "./process";

const createLink = (base: string) =>
  fetch(`${base}/api/links`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(release()),
  });

describe("durability", () => {
  it("keeps every click that got a 302 when the server is killed with SIGKILL mid-stream", async () => {
    const dataDir = tempDir();
    const env = { DATA_DIR: dataDir, API_TOKEN: TOKEN };
    const first = await spawnServer(env);
    expect((await createLink(first.base)).status).toBe(201);

    const acknowledged: string[] = [];
    let n = 0;
    let stop = false;
    // 32 clients click as fast as they can; the server is killed while they do.
    const clients = Array.from({ length: 32 }, async () => {
      while (!stop) {
        const eid = `crash-${String(n++).padStart(8, "0")}`;
        try {
          const res = await fetch(`${first.base}/night-drive/go/spotify?eid=${eid}`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } });
          if (res.status === 302) acknowledged.push(eid);
        } catch {
          // Connection refused or reset once the server is gone: not acknowledged.
        }
      }
    });
    while (acknowledged.length < 2000) await Bun.sleep(5);
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2000);

    // A restart must open the database cleanly; every acknowledged click is in it.
    const second = await spawnServer(env);
    expect((await fetch(`${second.base}/healthz`)).status).toBe(200);
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);

    const db = new Database(join(dataDir, "outro.db"), { readonly: true });
    const stored = new Set(db.query<{ event_id: string }, []>("SELECT event_id FROM clicks").all().map((r) => r.event_id));
    db.close();
    const lost = acknowledged.filter((e) => !stored.has(e));
    expect(lost).toEqual([]);
  }, 60_000);

  it("shuts down gracefully on SIGTERM and SIGINT: exit 0, queued clicks committed", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const dataDir = tempDir();
      const child = await spawnServer({ DATA_DIR: dataDir, API_TOKEN: TOKEN });
      await createLink(child.base);
      const inFlight = Array.from({ length: 50 }, (_, i) =>
        fetch(`${child.base}/night-drive/go/spotify?eid=graceful-${String(i).padStart(4, "0")}`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } })
          .then((r) => r.status)
          .catch(() => 0));
      await Bun.sleep(2);
      child.proc.kill(signal);
      const statuses = await Promise.all(inFlight);
      expect(await child.proc.exited).toBe(0);
      expect(child.output()).toContain("stopped cleanly");
      const db = new Database(join(dataDir, "outro.db"), { readonly: true });
      const stored = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks").get()!.n;
      const wal = db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()!.journal_mode;
      db.close();
      expect(stored).toBe(statuses.filter((s) => s === 302).length);
      expect(wal).toBe("wal");
    }
  }, 60_000);
});
