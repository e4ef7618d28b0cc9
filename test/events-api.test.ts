import { afterEach, describe, expect, it } from "bun:test";
import { eventually, release, startApp, type TestApp } from "./helpers";
import { enqueue, T0 } from "./sender-helpers";

// A pixel without any token: its pending events stay pending, so the log's content is what the test wrote.
const IDLE_PIXEL = "5550001112";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

function seed(t: TestApp) {
  const now = Date.now();
  const ids = enqueue(t.db, 6, { pixelId: IDLE_PIXEL, at: now, prefix: "log-" });
  const set = t.db.query("UPDATE capi_events SET status = $status, attempts = $attempts, last_status = $code, last_response = $answer, sent_at = $sentAt WHERE event_id = $eventId");
  set.run({ eventId: ids[0]!, status: "sent", attempts: 1, code: 200, answer: '{"events_received":1,"messages":[],"fbtrace_id":"AbC"}', sentAt: now });
  set.run({ eventId: ids[1]!, status: "sent", attempts: 2, code: 200, answer: '{"events_received":1,"messages":[],"fbtrace_id":"AbD"}', sentAt: now });
  set.run({ eventId: ids[2]!, status: "failed", attempts: 1, code: 400, answer: '{"error":{"message":"Invalid parameter","code":100,"error_subcode":2804019}}', sentAt: null });
  set.run({ eventId: ids[3]!, status: "expired", attempts: 3, code: null, answer: "expired: event_time is more than 7 days old", sentAt: null });
  t.db.query("INSERT INTO browser_acks (event_id, ts) VALUES ($eventId, $ts)").run({ eventId: ids[0]!, ts: now });
  return ids;
}

describe("JSON API: CAPI delivery log", () => {
  it("lists events newest first with status, attempts, Meta's answer and counters", async () => {
    t = await startApp();
    const ids = seed(t);
    // The app's sender notes on the pixel's pending events that it has no token.
    await eventually(() => expect(t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM capi_events WHERE status = 'pending' AND last_response IS NULL").get()!.n).toBe(0));
    const res = await t.api("GET", "/api/events");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.counters).toEqual({ sent: 2, pending: 2, failed: 1, expired: 1 });
    expect(body.events.map((e: any) => e.eventId)).toEqual([...ids].reverse());
    const sent = body.events.find((e: any) => e.eventId === ids[0]);
    expect(sent).toMatchObject({ eventName: "Lead", pixelId: IDLE_PIXEL, status: "sent", attempts: 1, lastStatus: 200, browserFired: true, nextAttemptAt: null });
    expect(sent.lastResponse).toEqual({ events_received: 1, messages: [], fbtrace_id: "AbC" });
    expect(sent.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    const failed = body.events.find((e: any) => e.status === "failed");
    expect(failed.lastResponse.error.code).toBe(100);
    const pending = body.events.find((e: any) => e.status === "pending");
    expect(pending.nextAttemptAt).toMatch(/^\d{4}-/);
    expect(pending.lastResponse).toContain(`no access token for pixel ${IDLE_PIXEL}`);
  });

  it("filters by status and pages back with before", async () => {
    t = await startApp();
    seed(t);
    const sent = await (await t.api("GET", "/api/events?status=sent")).json();
    expect(sent.events.map((e: any) => e.status)).toEqual(["sent", "sent"]);
    expect(sent.counters.pending).toBe(2);
    // Each status has its own read path since migration 012 (pending rows from the partial index
    // of pending rows, settled ones from the index of settled rows): each returns its rows only,
    // newest first, and pages back with before.
    const ids = (status: string, q = "") => t.api("GET", `/api/events?status=${status}${q}`).then((r) => r.json()).then((b) => b.events.map((e: any) => [e.status, e.eventId]));
    const all = (await (await t.api("GET", "/api/events")).json()).events;
    const of = (status: string) => all.filter((e: any) => e.status === status).map((e: any) => [status, e.eventId]);
    for (const status of ["pending", "sent", "failed", "expired"]) expect(await ids(status)).toEqual(of(status));
    expect(of("pending")).toHaveLength(2);
    const newestPending = all.find((e: any) => e.status === "pending");
    expect(await ids("pending", `&before=${newestPending.id}`)).toEqual(of("pending").slice(1));
    expect(await ids("pending", "&limit=1")).toEqual(of("pending").slice(0, 1));

    const first = await (await t.api("GET", "/api/events?limit=4")).json();
    expect(first.events).toHaveLength(4);
    expect(first.nextBefore).toBe(first.events[3].id);
    const second = await (await t.api("GET", `/api/events?limit=4&before=${first.nextBefore}`)).json();
    expect(second.events).toHaveLength(2);
    expect(second.nextBefore).toBeNull();
    expect(new Set([...first.events, ...second.events].map((e: any) => e.id)).size).toBe(6);
  });

  it("names the link an event belongs to", async () => {
    t = await startApp();
    const link = await t.createLink(release("night-drive"));
    enqueue(t.db, 1, { pixelId: IDLE_PIXEL, at: Date.now(), linkId: link.id, prefix: "linked-" });
    const body = await (await t.api("GET", "/api/events")).json();
    expect(body.events[0]).toMatchObject({ link: "night-drive", linkId: link.id });
  });

  it("refuses a bad status or limit with 422 and the failing field", async () => {
    t = await startApp();
    const res = await t.api("GET", "/api/events?status=lost");
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("invalid");
    expect(Object.keys(body.error.fields)).toContain("status");
    expect((await t.api("GET", "/api/events?limit=5000")).status).toBe(422);
  });

  it("needs the bearer token", async () => {
    t = await startApp();
    expect((await t.api("GET", "/api/events", undefined, null)).status).toBe(401);
    expect((await t.api("GET", "/api/events", undefined, "wrong-token-123")).status).toBe(401);
    expect((await t.api("GET", "/api/events/log-000000", undefined, null)).status).toBe(401);
  });

  it("shows pixels paused by a token error", async () => {
    t = await startApp();
    t.db.query("INSERT INTO pixel_state (pixel_id, paused_at, pause_reason) VALUES ('1234567890', $at, '#190 Error validating access token')").run({ at: T0 });
    const body = await (await t.api("GET", "/api/events")).json();
    expect(body.pausedPixels).toEqual([{ pixelId: "1234567890", pausedAt: new Date(T0).toISOString(), reason: "#190 Error validating access token" }]);
  });

  it("keeps its counters right as events are written and change status", async () => {
    t = await startApp();
    enqueue(t.db, 5, { pixelId: IDLE_PIXEL, at: Date.now(), prefix: "count-" });
    t.db.run("UPDATE capi_events SET status = 'sent' WHERE event_id IN ('count-000000', 'count-000001')");
    t.db.run("UPDATE capi_events SET attempts = attempts + 1 WHERE event_id = 'count-000002'");
    t.db.run("DELETE FROM capi_events WHERE event_id = 'count-000004'");
    const body = await (await t.api("GET", "/api/events")).json();
    const raw = Object.fromEntries(t.db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM capi_events GROUP BY status").all().map((r) => [r.status, r.n]));
    expect(body.counters).toEqual({ pending: 2, sent: 2, failed: 0, expired: 0 });
    expect(raw).toEqual({ pending: 2, sent: 2 });
  });
});

describe("JSON API: dedup proof for one event id", () => {
  it("shows browser fired, server delivered and every server event with that id", async () => {
    t = await startApp();
    const ids = seed(t);
    // The same click sent to a second (label's) pixel.
    enqueue(t.db, 1, { pixelId: "7770001112", at: Date.now(), prefix: "log-" });
    const res = await t.api("GET", `/api/events/${ids[0]}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ eventId: ids[0], browserFired: true, serverDelivered: true, deduplicated: true });
    expect(body.events.map((e: any) => [e.pixelId, e.status])).toEqual([[IDLE_PIXEL, "sent"], ["7770001112", "pending"]]);
  });

  it("answers for an event only the browser reported, and 404 for an unknown id", async () => {
    t = await startApp();
    t.db.query("INSERT INTO browser_acks (event_id, ts) VALUES ('only-browser-1', 1)").run();
    const body = await (await t.api("GET", "/api/events/only-browser-1")).json();
    expect(body).toMatchObject({ browserFired: true, serverDelivered: false, deduplicated: false, events: [] });
    const missing = await t.api("GET", "/api/events/nothing-here-1");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
  });

  it("is described in the OpenAPI document", async () => {
    t = await startApp();
    const doc = await (await t.req("/api/openapi.json")).json();
    expect(doc.paths["/api/events"].get.summary).toContain("delivery log");
    expect(doc.paths["/api/events/{eventId}"].get).toBeDefined();
    const params = doc.paths["/api/events"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(expect.arrayContaining(["status", "limit", "before"]));
  });
});
