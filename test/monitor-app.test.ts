import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startApp, eventually, type TestApp } from "./helpers";
import { AdminClient } from "./admin-client";
import { MONITOR_ENV, startFakeDestinations, type FakeDestinations } from "./fake-destinations";

describe("dead-link monitor in the app", () => {
  let site: FakeDestinations;
  let t: TestApp;
  let admin: AdminClient;
  const dests = () => [
    { url: `${site.url}/ok`, label: "Works" },
    { url: `${site.url}/gone`, label: "Gone" },
    { url: `${site.url}/down`, label: "Down" },
    { url: `${site.url}/blocked`, label: "Walled" },
    { url: `${site.url}/hang`, label: "Silent" },
  ];
  const health = async (slug = "night-drive") => {
    const res = await t.api("GET", `/api/links/${slug}/health`);
    expect(res.status).toBe(200);
    return res.json() as Promise<{ hideBroken: boolean; lastRunAt: string | null; destinations: { key: string; verdict: string; statusCode: number | null; answer: string | null; consecutiveFailures: number; brokenSince: string | null; hidden: boolean; checkedAt: string | null }[] }>;
  };
  const byKey = async (slug?: string) => Object.fromEntries((await health(slug)).destinations.map((d) => [d.key, d]));

  beforeAll(async () => {
    site = startFakeDestinations();
    t = await startApp(MONITOR_ENV);
    admin = new AdminClient(t);
    await admin.signIn();
    await t.createLink({ slug: "night-drive", title: "Night Drive", destinations: dests() });
  });
  afterAll(async () => {
    await t.close();
    site.close();
  });

  it("answers 'unchecked' before the first run", async () => {
    const h = await health();
    expect(h.lastRunAt).toBeNull();
    expect(h.destinations.map((d) => d.verdict)).toEqual(["unchecked", "unchecked", "unchecked", "unchecked", "unchecked"]);
  });

  it("a run gives each destination its verdict, answer and time", async () => {
    await t.outro.monitor.checkAll("api");
    const d = await byKey();
    expect(d.works).toMatchObject({ verdict: "ok", statusCode: 200, consecutiveFailures: 0 });
    expect(d.gone).toMatchObject({ verdict: "broken", statusCode: 404, answer: "HTTP 404 Not Found (GET)", consecutiveFailures: 1 });
    expect(d.gone!.brokenSince).toBe(d.gone!.checkedAt);
    // One 503 or one timeout is not enough.
    expect(d.down).toMatchObject({ verdict: "unknown", statusCode: 503, consecutiveFailures: 1, brokenSince: null });
    expect(d.silent).toMatchObject({ verdict: "unknown", statusCode: null, answer: "no answer within 0.3 s (timed out)", consecutiveFailures: 1 });
    expect(d.walled).toMatchObject({ verdict: "unknown", statusCode: 403, consecutiveFailures: 0 });
    expect((await health()).lastRunAt).not.toBeNull();
  });

  it("the second failure in a row makes 5xx and timeouts broken; a bot wall stays unknown", async () => {
    await t.outro.monitor.checkAll("api");
    const d = await byKey();
    expect(d.down).toMatchObject({ verdict: "broken", consecutiveFailures: 2 });
    expect(d.silent).toMatchObject({ verdict: "broken", consecutiveFailures: 2 });
    expect(d.walled!.verdict).toBe("unknown");
    expect(Object.values(d).every((x) => x.hidden === false)).toBe(true);
  });

  it("flags broken destinations in the links list, the editor and a dashboard alert", async () => {
    const list = await admin.page("/admin");
    expect(list).toContain('data-broken="3"');
    expect(list).toContain(`Gone: HTTP 404 Not Found (GET) (checked `);
    expect(list).toContain("Silent: no answer within 0.3 s (timed out)");
    expect(list).toMatch(/class="alert error"[^>]*><span>3 destinations are broken/);
    const editor = await admin.page("/admin/links/night-drive");
    const rows = editor.split('<li class="dest-row"').slice(1);
    const note = (i: number) => /data-health="(\w+)"/.exec(rows[i]!)?.[1];
    expect([0, 1, 2, 3, 4].map(note)).toEqual(["ok", "broken", "broken", "unknown", "broken"]);
    expect(rows[1]).toContain("answer seen: HTTP 404 Not Found (GET)");
    expect(rows[1]).toContain("Fans tapping it land on an error.");
  });

  it("leaves broken destinations on the page while hiding is off", async () => {
    const page = await (await t.req("/night-drive")).text();
    for (const key of ["works", "gone", "down", "walled", "silent"]) expect(page).toContain(`/night-drive/go/${key}`);
  });

  it("hides broken destinations once the setting is on, and brings one back when it works again", async () => {
    const settings = await admin.page("/admin/settings");
    expect(settings).toContain('name="hideBroken"');
    const res = await admin.post("/admin/settings", { consentMode: "none", clickEvent: "Lead", hideBroken: "on" });
    expect(res.status).toBe(303);
    let page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/works");
    expect(page).toContain("/night-drive/go/walled");
    for (const key of ["gone", "down", "silent"]) expect(page).not.toContain(`/night-drive/go/${key}`);
    // Hidden, not deleted: the link keeps the destination, and its click-out still answers.
    const link = await (await t.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations.map((d: { key: string }) => d.key)).toContain("gone");
    expect((await t.req("/night-drive/go/gone")).status).toBe(302);
    expect((await byKey()).gone!.hidden).toBe(true);
    expect(await admin.page("/admin/links/night-drive")).toContain("Hidden from the page until a check sees it work again.");

    // The site comes back: the next check un-hides it without any edit of the link.
    site.set("/gone", 200);
    await t.outro.monitor.checkAll("api");
    page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/gone");
    expect(page).not.toContain("/night-drive/go/down");
    expect((await byKey()).gone).toMatchObject({ verdict: "ok", hidden: false, brokenSince: null });

    // A destination the artist drops stops counting at once, without waiting for the next run.
    expect(t.outro.monitor.brokenCount()).toBe(2);
    const { destinations } = await (await t.api("GET", "/api/links/night-drive")).json();
    const without = destinations.filter((d: { key: string }) => d.key !== "down").map((d: { url: string; label: string | null }) => ({ url: d.url, label: d.label }));
    expect((await t.api("PATCH", "/api/links/night-drive", { destinations: without })).status).toBe(200);
    expect(t.outro.monitor.brokenCount()).toBe(1);
    await t.api("PATCH", "/api/links/night-drive", { destinations: dests() });

    // Turning the setting off shows every button again.
    await admin.post("/admin/settings", { consentMode: "none", clickEvent: "Lead" });
    page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/down");
  });

  it("'check now' on a link checks it in the background", async () => {
    site.set("/down", 200);
    const res = await admin.post("/admin/links/night-drive/check", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/links/night-drive?checking=1");
    await eventually(async () => expect((await byKey()).down!.verdict).toBe("ok"));
  });

  it("'check all now' in the settings starts a run", async () => {
    site.set("/blocked", 200);
    const before = (await health()).lastRunAt;
    const res = await admin.post("/admin/settings/link-check", {});
    expect(res.status).toBe(303);
    await eventually(async () => {
      const h = await health();
      expect(h.lastRunAt).not.toBe(before);
      expect(h.destinations.find((d) => d.key === "walled")!.verdict).toBe("ok");
    });
    expect(await admin.page("/admin/settings")).toContain("Last run: ");
  });

  it("refuses 'check now' without the form's CSRF token, and for an unknown link", async () => {
    const seen = site.requests.length;
    const forged = await admin.post("/admin/links/night-drive/check", { _csrf: "forged" });
    expect(forged.status).toBe(403);
    expect((await admin.post("/admin/settings/link-check", { _csrf: "" })).status).toBe(403);
    const missing = await admin.post("/admin/links/no-such-link/check", {});
    expect(missing.status).toBe(404);
    await Bun.sleep(50);
    expect(site.requests.length).toBe(seen);
  });

  it("the health API needs a token and a known link, and is in the OpenAPI document", async () => {
    expect((await t.api("GET", "/api/links/night-drive/health", undefined, null)).status).toBe(401);
    const missing = await t.api("GET", "/api/links/nope/health");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const doc = await (await t.req("/api/openapi.json")).json();
    const op = doc.paths["/api/links/{slug}/health"]?.get;
    expect(op).toBeDefined();
    expect(JSON.stringify(op.responses["200"])).toContain("consecutiveFailures");
  });
});
