import { afterEach, describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { rmSync } from "node:fs";
import { openDatabase } from "../src/db/open";
import { startFakeGraph, type FakeGraph } from "./fake-graph";
import { eventually, HUMAN_UA, release, startApp, tempDir, TOKEN, type TestApp } from "./helpers";
import { spawnServer, type Child } from "./process";
import { enqueue, PIXEL } from "./sender-helpers";

let graph: FakeGraph | undefined;
let t: TestApp | undefined;
const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.proc.kill("SIGKILL");
    await c.proc.exited;
  }
  await t?.close();
  t = undefined;
  await graph?.stop();
  graph = undefined;
});

const statuses = (dataDir: string) => {
  const db = new Database(join(dataDir, "outro.db"), { readonly: true });
  try {
    return Object.fromEntries(db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM capi_events GROUP BY status").all().map((r) => [r.status, r.n]));
  } finally {
    db.close();
  }
};

describe("outbox sender in the running server", () => {
  it("resumes after a SIGKILL during an outage and delivers every event exactly once", async () => {
    graph = await startFakeGraph();
    graph.set({ kind: "http", status: 503 });
    const dataDir = tempDir();
    const db = openDatabase(dataDir);
    const ids = enqueue(db, 1500, { pixelId: PIXEL, at: Date.now() - 60_000, prefix: "restart-" });
    db.close();

    const env = { DATA_DIR: dataDir, API_TOKEN: TOKEN, META_GRAPH_URL: graph.url, META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-restart-token" };
    const first = await spawnServer(env);
    children.push(first);
    // The outbox is tried at once on start; Meta is down, so everything stays pending.
    await eventually(() => expect(graph!.requests.length).toBeGreaterThanOrEqual(1), 5000);
    await eventually(() => expect(statuses(dataDir)).toEqual({ pending: 1500 }));
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    children.pop();
    expect(graph.delivered().size).toBe(0);

    graph.set({ kind: "success" });
    const second = await spawnServer(env);
    children.push(second);
    await eventually(() => expect(statuses(dataDir)).toEqual({ sent: 1500 }), 10_000);

    const delivered = graph.delivered();
    expect(delivered.size).toBe(1500);
    expect(ids.every((id) => delivered.get(id) === 1)).toBe(true);
    for (const r of graph.requests) {
      expect(r.path).toBe(`/v26.0/${PIXEL}/events`);
      expect(r.body.data.length).toBeLessThanOrEqual(1000);
      expect(r.body.access_token).toBe("EAAB-restart-token");
    }

    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
    children.pop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 40_000);

  it("delivers a click-out's server event within a second of the 302", async () => {
    graph = await startFakeGraph();
    t = await startApp({ META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-live-token", META_GRAPH_URL: graph.url, META_TEST_EVENT_CODE: "TEST4242" });
    await t.createLink(release("night-drive"));
    const eid = "live-click-0001";
    const t0 = performance.now();
    const res = await t.req(`/night-drive/go/spotify?eid=${eid}`, { headers: { "user-agent": HUMAN_UA } });
    expect(res.status).toBe(302);
    const sent = await eventually(() => {
      const found = graph!.requests.filter((r) => typeof r.answer === "number").flatMap((r) => r.body.data.map((e) => ({ e, r }))).find(({ e }) => e.event_id === eid);
      expect(found).toBeDefined();
      return found!;
    }, 2000);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(sent.r.body.access_token).toBe("EAAB-live-token");
    expect(sent.r.body.test_event_code).toBe("TEST4242");
    await eventually(() => {
      const row = t!.db.query<{ status: string }, { eid: string }>("SELECT status FROM capi_events WHERE event_id = $eid").get({ eid });
      expect(row?.status).toBe("sent");
    });
  });

  it("uses a link's own token for the link's own pixel", async () => {
    graph = await startFakeGraph();
    t = await startApp({ META_GRAPH_URL: graph.url });
    await t.createLink(release("label-drive", { pixelId: "4444555566", accessToken: "EAAB-link-token" }));
    const res = await t.req("/label-drive/go/spotify?eid=link-token-0001", { headers: { "user-agent": HUMAN_UA } });
    expect(res.status).toBe(302);
    const req = await eventually(() => {
      const found = graph!.requests.find((r) => r.body.data.some((e) => e.event_id === "link-token-0001"));
      expect(found).toBeDefined();
      return found!;
    }, 2000);
    expect(req.pixelId).toBe("4444555566");
    expect(req.body.access_token).toBe("EAAB-link-token");
  });
});
