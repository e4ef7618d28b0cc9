import { afterEach, describe, expect, it } from "bun:test";
import { CAPI_TIMEOUT_MS, MAX_EVENT_AGE_S } from "../src/tracking/sender";
import { enqueue, OTHER_PIXEL, PIXEL, rows, senderRig, statusCounts, T0, type Rig } from "./sender-helpers";

let rig: Rig;
afterEach(async () => {
  await rig?.close();
});

describe("outbox sender: delivery", () => {
  it("sends pending events to /{version}/{pixel}/events and marks them sent with Meta's answer", async () => {
    rig = await senderRig();
    const ids = enqueue(rig.db, 3);
    await rig.sender.drain();

    expect(rig.graph.requests).toHaveLength(1);
    const req = rig.graph.requests[0]!;
    expect(req.path).toBe(`/v26.0/${PIXEL}/events`);
    expect(req.body.access_token).toBe("EAAB-token-one");
    expect(req.body.data.map((e) => e.event_id)).toEqual(ids);
    expect(req.body.data[0]).toMatchObject({ event_name: "Lead", action_source: "website", event_time: Math.floor(T0 / 1000) });
    expect("test_event_code" in req.body).toBe(false);

    for (const r of rows(rig.db)) {
      expect(r).toMatchObject({ status: "sent", attempts: 1, last_status: 200, sent_at: T0 });
      expect(JSON.parse(r.last_response!)).toMatchObject({ events_received: 3 });
    }
  });

  it("never resends an event after a 2xx", async () => {
    rig = await senderRig();
    enqueue(rig.db, 5);
    await rig.sender.drain();
    rig.clock.now += 3_600_000;
    rig.sender.notify();
    await rig.sender.drain();
    await rig.restart();
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(1);
    expect([...rig.graph.delivered().values()].every((n) => n === 1)).toBe(true);
  });

  it("sends the stored payload text unchanged", async () => {
    rig = await senderRig();
    enqueue(rig.db, 1);
    const stored = rig.db.query<{ payload: string }, []>("SELECT payload FROM capi_events").get()!.payload;
    await rig.sender.drain();
    expect(JSON.stringify(rig.graph.requests[0]!.body.data[0])).toBe(stored);
  });

  it("batches a backlog in requests of at most 1000 events, one pixel per request", async () => {
    rig = await senderRig();
    enqueue(rig.db, 2500);
    enqueue(rig.db, 40, { pixelId: OTHER_PIXEL });
    await rig.sender.drain();

    const mine = rig.graph.requests.filter((r) => r.pixelId === PIXEL);
    const other = rig.graph.requests.filter((r) => r.pixelId === OTHER_PIXEL);
    expect(mine.map((r) => r.body.data.length)).toEqual([1000, 1000, 500]);
    expect(other.map((r) => r.body.data.length)).toEqual([40]);
    expect(other[0]!.body.access_token).toBe("EAAB-token-two");
    for (const r of rig.graph.requests) expect(new Set(r.body.data.map((e) => e.event_id)).size).toBe(r.body.data.length);
    expect(statusCounts(rig.db)).toEqual({ sent: 2540 });
    expect(rig.graph.delivered().size).toBe(2540);
  });

  it("adds test_event_code only while one is set", async () => {
    rig = await senderRig();
    rig.testCode.value = "TEST12345";
    enqueue(rig.db, 1, { prefix: "with-code-" });
    await rig.sender.drain();
    rig.testCode.value = null;
    enqueue(rig.db, 1, { prefix: "without-code-" });
    await rig.sender.drain();
    expect(rig.graph.requests.map((r) => r.body.test_event_code)).toEqual(["TEST12345", undefined]);
    expect("test_event_code" in rig.graph.requests[1]!.body).toBe(false);
  });

  it("delivers at once when notified, without waiting for its timer", async () => {
    rig = await senderRig({ clock: Date.now });
    await Bun.sleep(20);
    enqueue(rig.db, 2, { at: Date.now() });
    const t = performance.now();
    rig.sender.notify();
    while (rig.graph.requests.length === 0 && performance.now() - t < 2000) await Bun.sleep(2);
    while (statusCounts(rig.db).sent !== 2 && performance.now() - t < 2000) await Bun.sleep(2);
    expect(statusCounts(rig.db)).toEqual({ sent: 2 });
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it("resumes a backlog on start without being notified", async () => {
    rig = await senderRig({ clock: Date.now, pollMs: 50 });
    await rig.sender.stop();
    enqueue(rig.db, 10, { at: Date.now() });
    await rig.restart();
    const t = performance.now();
    while (statusCounts(rig.db).sent !== 10 && performance.now() - t < 2000) await Bun.sleep(5);
    expect(statusCounts(rig.db)).toEqual({ sent: 10 });
  });
});

describe("outbox sender: transient failures", () => {
  it("keeps events pending after an HTTP 5xx and retries them after the backoff", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "http", status: 503 });
    enqueue(rig.db, 4);
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(1);
    for (const r of rows(rig.db)) {
      expect(r).toMatchObject({ status: "pending", attempts: 1, last_status: 503 });
      expect(r.next_attempt_at).toBeGreaterThan(T0);
    }
    // Not due yet: nothing is sent.
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(1);

    rig.graph.set({ kind: "success" });
    rig.clock.now += 5_000;
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(2);
    expect(rows(rig.db).every((r) => r.status === "sent" && r.attempts === 2)).toBe(true);
  });

  it("treats a timeout as transient (Meta's recommended 1500 ms by default)", async () => {
    expect(CAPI_TIMEOUT_MS).toBe(1500);
    rig = await senderRig({ timeoutMs: 150 });
    rig.graph.set({ kind: "timeout", ms: 2000 });
    enqueue(rig.db, 2);
    const t = performance.now();
    await rig.sender.drain();
    expect(performance.now() - t).toBeLessThan(1000);
    const [r] = rows(rig.db);
    expect(r).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(r!.last_response).toContain("timeout");
  });

  it("treats a network error as transient", async () => {
    rig = await senderRig({ graphUrl: "http://127.0.0.1:1" });
    enqueue(rig.db, 2);
    await rig.sender.drain();
    const [r] = rows(rig.db);
    expect(r).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(r!.last_response).toContain("network error");
  });

  for (const code of [1, 2, 4, 17, 32, 341, 368, 613, 80000, 80004, 80014]) {
    it(`retries Meta's code ${code} (throttling or temporary)`, async () => {
      rig = await senderRig();
      rig.graph.set({ kind: "error", status: 400, error: { message: `(#${code}) try later`, type: "OAuthException", code } });
      enqueue(rig.db, 3);
      await rig.sender.drain();
      expect(rows(rig.db).map((r) => [r.status, r.attempts])).toEqual([["pending", 1], ["pending", 1], ["pending", 1]]);
      expect(JSON.parse(rows(rig.db)[0]!.last_response!).error.code).toBe(code);
      expect(rig.db.query("SELECT * FROM pixel_state WHERE paused_at IS NOT NULL").all()).toEqual([]);
    });
  }

  it("retries any error Meta marks is_transient, even code 100", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "error", status: 400, error: { message: "Invalid parameter", code: 100, is_transient: true } });
    enqueue(rig.db, 3);
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ pending: 3 });
    expect(rig.graph.requests).toHaveLength(1);
  });

  it("holds a throttled pixel while another pixel keeps delivering", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "throttle", code: 80004, subcode: 2446079 }, PIXEL);
    enqueue(rig.db, 3);
    enqueue(rig.db, 3, { pixelId: OTHER_PIXEL });
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ pending: 3, sent: 3 });
    // New events for the held pixel wait for its backoff instead of hammering Meta.
    enqueue(rig.db, 2, { prefix: "later-" });
    rig.sender.notify();
    await rig.sender.drain();
    expect(rig.graph.requests.filter((r) => r.pixelId === PIXEL)).toHaveLength(1);
  });

  it("delivers everything exactly once through a flapping Graph API", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "sequence", steps: [{ kind: "http", status: 500 }, { kind: "timeout", ms: 1500 }, { kind: "throttle", code: 4 }, { kind: "http", status: 502 }, { kind: "success" }] });
    // A client timeout well above a loaded machine's answer time: a success the client gave up on would be sent twice.
    await rig.restart({ timeoutMs: 700 });
    const ids = enqueue(rig.db, 1200);
    for (let i = 0; i < 30 && statusCounts(rig.db).pending; i++) {
      await rig.sender.drain();
      rig.clock.now += 20 * 60_000;
    }
    expect(statusCounts(rig.db)).toEqual({ sent: 1200 });
    const delivered = rig.graph.delivered();
    expect(ids.every((id) => delivered.get(id) === 1)).toBe(true);
  });
});

describe("outbox sender: backoff", () => {
  it("grows exponentially with jitter and stays bounded", async () => {
    const { backoffMs, BACKOFF_BASE_MS, BACKOFF_CAP_MS } = await import("../src/tracking/classify");
    for (let n = 1; n <= 40; n++) {
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
      expect(backoffMs(n, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(n, () => 1)).toBe(ceiling);
      const r = backoffMs(n);
      expect(r).toBeGreaterThanOrEqual(ceiling / 2);
      expect(r).toBeLessThanOrEqual(ceiling);
    }
    const samples = new Set(Array.from({ length: 50 }, () => backoffMs(6)));
    expect(samples.size).toBeGreaterThan(10);
  });

  it("pushes an event's next attempt further out on each failure, up to the cap", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "http", status: 500 });
    enqueue(rig.db, 1);
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      await rig.sender.drain();
      const [r] = rows(rig.db);
      waits.push(r!.next_attempt_at - rig.clock.now);
      rig.clock.now = Math.max(r!.next_attempt_at, rig.clock.now) + 1;
    }
    expect(rows(rig.db)[0]!.attempts).toBe(14);
    // Each wait is within [ceiling/2, ceiling] of its attempt: grows ~2× per attempt, then flat at the cap.
    for (let i = 0; i < waits.length; i++) {
      const ceiling = Math.min(15 * 60_000, 1000 * 2 ** i);
      expect(waits[i]!).toBeGreaterThanOrEqual(ceiling / 2);
      expect(waits[i]!).toBeLessThanOrEqual(ceiling);
    }
    expect(waits[6]!).toBeGreaterThan(waits[0]! * 16);
  });
});

describe("outbox sender: token and permission errors", () => {
  for (const code of [190, 102, 10, 3, 200, 294, 299]) {
    it(`pauses the pixel on code ${code} and keeps its events pending`, async () => {
      rig = await senderRig();
      rig.graph.set({ kind: "auth", code }, PIXEL);
      enqueue(rig.db, 3);
      enqueue(rig.db, 2, { pixelId: OTHER_PIXEL });
      await rig.sender.drain();
      expect(rows(rig.db, PIXEL).map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
      expect(rows(rig.db, OTHER_PIXEL).map((r) => r.status)).toEqual(["sent", "sent"]);
      const state = rig.db.query<{ paused_at: number; pause_reason: string }, []>("SELECT paused_at, pause_reason FROM pixel_state WHERE pixel_id = '1234567890'").get()!;
      expect(state.paused_at).toBe(T0);
      expect(state.pause_reason).toContain(`#${code}`);
      expect(JSON.parse(rows(rig.db, PIXEL)[0]!.last_response!).error.code).toBe(code);
    });
  }

  it("sends nothing for a paused pixel, even after hours or a restart", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "auth" });
    enqueue(rig.db, 3);
    await rig.sender.drain();
    rig.graph.set({ kind: "success" });
    rig.clock.now += 6 * 3_600_000;
    enqueue(rig.db, 2, { prefix: "new-", at: rig.clock.now });
    rig.sender.notify();
    await rig.sender.drain();
    await rig.restart();
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(1);
    expect(statusCounts(rig.db)).toEqual({ pending: 5 });
  });

  it("resumes by itself once the pixel's token changes, and delivers what waited", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "auth" });
    const ids = enqueue(rig.db, 3);
    await rig.sender.drain();
    rig.graph.set({ kind: "success" });
    await rig.restart(); // the fingerprint of the failed token is stored, so this also works across restarts
    rig.tokens.set(PIXEL, "EAAB-token-fixed");
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ sent: 3 });
    expect(rig.graph.requests.at(-1)!.body.access_token).toBe("EAAB-token-fixed");
    expect(ids.every((id) => rig.graph.delivered().get(id) === 1)).toBe(true);
    expect(rig.db.query("SELECT paused_at FROM pixel_state WHERE paused_at IS NOT NULL").all()).toEqual([]);
  });

  it("resumes when unpaused by hand", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "auth", code: 200 });
    enqueue(rig.db, 2);
    await rig.sender.drain();
    rig.graph.set({ kind: "success" });
    rig.sender.unpause(PIXEL);
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ sent: 2 });
  });
});

describe("outbox sender: invalid payloads", () => {
  it("isolates the one bad event: the others are sent, it fails with Meta's message", async () => {
    rig = await senderRig();
    const ids = enqueue(rig.db, 100);
    const bad = ids[37]!;
    rig.graph.set({ kind: "invalid", eventIds: [bad] });
    await rig.sender.drain();

    expect(statusCounts(rig.db)).toEqual({ sent: 99, failed: 1 });
    const failed = rows(rig.db).find((r) => r.status === "failed")!;
    expect(failed.event_id).toBe(bad);
    expect(failed.last_status).toBe(400);
    const error = JSON.parse(failed.last_response!).error;
    expect(error).toMatchObject({ code: 100, error_subcode: 2804019 });
    expect(error.error_user_msg).toContain(bad);
    const delivered = rig.graph.delivered();
    expect(ids.filter((id) => id !== bad).every((id) => delivered.get(id) === 1)).toBe(true);
    expect(delivered.has(bad)).toBe(false);
    // Bisection: about 2·log2(100) requests, not one per event.
    expect(rig.graph.requests.length).toBeLessThanOrEqual(16);
  });

  it("isolates several bad events in a full batch", async () => {
    rig = await senderRig();
    const ids = enqueue(rig.db, 1000);
    const bad = [ids[0]!, ids[500]!, ids[999]!];
    rig.graph.set({ kind: "invalid", eventIds: bad });
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ sent: 997, failed: 3 });
    expect(rows(rig.db).filter((r) => r.status === "failed").map((r) => r.event_id)).toEqual(bad);
    expect(rig.graph.requests.length).toBeLessThan(70);
  });

  it("treats other non-transient Graph 4xx errors as invalid payloads and never retries a failed event", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "error", status: 400, error: { message: "Unsupported post request", type: "GraphMethodException", code: 2500 } });
    enqueue(rig.db, 1);
    await rig.sender.drain();
    rig.clock.now += 86_400_000;
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ failed: 1 });
    expect(rig.graph.requests).toHaveLength(1);
  });
});

describe("outbox sender: expiry and missing tokens", () => {
  it("marks events older than 7 days expired instead of sending them", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "http", status: 500 });
    enqueue(rig.db, 2, { prefix: "old-" });
    await rig.sender.drain();
    rig.graph.set({ kind: "success" });
    rig.clock.now = T0 + MAX_EVENT_AGE_S * 1000 + 1;
    enqueue(rig.db, 1, { prefix: "fresh-", at: rig.clock.now });
    await rig.sender.drain();
    expect(rows(rig.db).map((r) => [r.event_id, r.status])).toEqual([["old-000000", "expired"], ["old-000001", "expired"], ["fresh-000000", "sent"]]);
    expect(rows(rig.db)[0]!.last_response).toContain("7 days");
    expect(rig.graph.requests.at(-1)!.body.data.map((e) => e.event_id)).toEqual(["fresh-000000"]);
  });

  it("sends an event that is six days old", async () => {
    rig = await senderRig();
    rig.clock.now = T0 + 6 * 86_400_000;
    enqueue(rig.db, 1, { at: T0 });
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ sent: 1 });
  });

  it("expires the waiting events of a paused pixel too", async () => {
    rig = await senderRig();
    rig.graph.set({ kind: "auth" });
    enqueue(rig.db, 2);
    await rig.sender.drain();
    rig.clock.now = T0 + 8 * 86_400_000;
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ expired: 2 });
  });

  it("keeps events of a pixel without a token pending, says why, and does not spin", async () => {
    rig = await senderRig();
    rig.tokens.delete(PIXEL);
    enqueue(rig.db, 3);
    await rig.sender.drain();
    await rig.sender.drain();
    expect(rig.graph.requests).toHaveLength(0);
    for (const r of rows(rig.db)) {
      expect(r.status).toBe("pending");
      expect(r.attempts).toBe(0);
      expect(r.last_response).toContain(`no access token for pixel ${PIXEL}`);
    }
    rig.tokens.set(PIXEL, "EAAB-late-token");
    await rig.sender.drain();
    expect(statusCounts(rig.db)).toEqual({ sent: 3 });
  });

  it("does not spin on a pixel without a token in real time", async () => {
    rig = await senderRig({ clock: Date.now, pollMs: 20 });
    rig.tokens.delete(PIXEL);
    enqueue(rig.db, 3, { at: Date.now() });
    let looks = 0;
    await rig.restart({ tokenFor: (p) => { looks++; return rig.tokens.get(p) ?? null; } });
    await Bun.sleep(300);
    // One look per poll (every 20 ms), not a busy loop.
    expect(looks).toBeLessThan(40);
    expect(rig.graph.requests).toHaveLength(0);
  });
});

describe("outbox sender: stopping", () => {
  it("lets the in-flight request finish and records it, then sends nothing more", async () => {
    rig = await senderRig({ clock: Date.now });
    rig.graph.set({ kind: "timeout", ms: 150 });
    await rig.restart({ timeoutMs: 1000 });
    enqueue(rig.db, 3, { at: Date.now() });
    rig.sender.notify();
    while (rig.graph.requests.length === 0) await Bun.sleep(2);
    await rig.sender.stop();
    // The answer (a 504 after 150 ms) was recorded in full before stop() resolved.
    expect(rows(rig.db).map((r) => [r.status, r.attempts, r.last_status])).toEqual([["pending", 1, 504], ["pending", 1, 504], ["pending", 1, 504]]);
    rig.graph.set({ kind: "success" });
    enqueue(rig.db, 1, { at: Date.now(), prefix: "after-stop-" });
    rig.sender.notify();
    await rig.sender.drain();
    await Bun.sleep(50);
    expect(rig.graph.requests).toHaveLength(1);
  });
});
