import { describe, expect, it } from "bun:test";
import { HUMAN_UA, release, startApp } from "./helpers";

describe("when the database cannot take writes (full disk, lock)", () => {
  it("still serves pages, untracked; refuses click-outs with 503 rather than redirect unrecorded; recovers", async () => {
    const app = await startApp({ META_PIXEL_ID: "1234567890" });
    try {
      await app.createLink(release());
      // Hold the write lock past the click writer's 5 s lock deadline: its batches fail like a full disk's.
      app.db.exec("BEGIN IMMEDIATE");
      const [page, click] = await Promise.all([
        app.req("/night-drive", { headers: { "user-agent": HUMAN_UA } }),
        app.req("/night-drive/go/spotify?eid=write-failure-01", { headers: { "user-agent": HUMAN_UA } }),
      ]);
      app.db.exec("ROLLBACK");
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('href="/night-drive/go/spotify');
      // No Pixel without its server twin, and no tracking cookie.
      expect(html).not.toContain('id="outro-cfg"');
      expect(page.headers.get("set-cookie")).toBeNull();
      expect(click.status).toBe(503);
      expect(click.headers.get("retry-after")).toBe("1");
      expect(click.headers.get("x-request-id")).toBeTruthy();

      // Space (or the lock) is back: both are recorded again.
      expect((await app.req("/night-drive/go/spotify?eid=write-failure-02", { headers: { "user-agent": HUMAN_UA } })).status).toBe(302);
      const tracked = await app.req("/night-drive", { headers: { "user-agent": HUMAN_UA } });
      expect(await tracked.text()).toContain('id="outro-cfg"');
      const stored = app.db.query<{ event_id: string }, []>("SELECT event_id FROM clicks").all().map((r) => r.event_id);
      expect(stored).toEqual(["write-failure-02"]);
    } finally {
      await app.close();
    }
  }, 20_000);
});
