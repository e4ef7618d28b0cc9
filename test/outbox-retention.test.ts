import { afterEach, describe, expect, it } from "bun:test";
import { release, startApp, type TestApp } from "./helpers";
import { outboxRetention, PAYLOAD_KEEP_DAYS } from "../src/tracking/outbox-retention";

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const DAY = 86_400_000;
const PAYLOAD = JSON.stringify({ event_name: "Lead", user_data: { client_ip_address: "203.0.113.7", client_user_agent: "Mozilla/5.0" } });

describe("CAPI outbox retention", () => {
  it("clears fans' data from events nobody will send again and deletes rows past the retention, with their acks", async () => {
    t = await startApp();
    const link = await t.createLink(release());
    const now = Date.now();
    const add = t.db.query(`INSERT INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, status, next_attempt_at)
      VALUES (?1, '1234567890', ?2, 'Lead', ?3, ?4, ?5, ?6, ?1)`);
    const ack = t.db.query("INSERT INTO browser_acks (event_id, ts) VALUES (?1, ?2)");
    // Oldest first, as ids grow with time.
    const rows: [string, number, string][] = [
      ["ancient-sent", 40, "sent"], ["old-sent", 10, "sent"], ["old-failed", 9, "failed"], ["old-pending", 9, "pending"],
      ["week-sent", 6, "sent"], ["new-pending", 0, "pending"],
    ];
    for (const [id, age, status] of rows) {
      add.run(now - age * DAY, link.id, id, Math.floor((now - age * DAY) / 1000), PAYLOAD, status);
      ack.run(id, now - age * DAY);
    }
    const result = outboxRetention(t.db).maintain(now, 30);
    expect(result).toEqual({ scrubbed: 4, deleted: 1 });
    const state = Object.fromEntries(t.db.query<{ event_id: string; status: string; payload: string }, []>(
      "SELECT event_id, status, payload FROM capi_events").all().map((r) => [r.event_id, [r.status, r.payload === "" ? "cleared" : "kept"]]));
    expect(state).toEqual({
      "old-sent": ["sent", "cleared"],
      "old-failed": ["failed", "cleared"],
      // Older than Meta accepts: it can never be sent, so it is expired rather than kept with the fan's data.
      "old-pending": ["expired", "cleared"],
      "week-sent": ["sent", "kept"],
      "new-pending": ["pending", "kept"],
    });
    expect(t.db.query<{ event_id: string }, []>("SELECT event_id FROM browser_acks ORDER BY ts").all().map((r) => r.event_id))
      .toEqual(["old-sent", "old-failed", "old-pending", "week-sent", "new-pending"]);
    // Nothing left to do: a second pass reads only past the watermark.
    expect(outboxRetention(t.db).maintain(now, 30)).toEqual({ scrubbed: 0, deleted: 0 });
    // The week-old event's payload goes once it passes the limit.
    expect(outboxRetention(t.db).maintain(now + (PAYLOAD_KEEP_DAYS - 5) * DAY, 30).scrubbed).toBe(1);
  });

  it("keeps rows forever when retention is off, still clearing old payloads", async () => {
    t = await startApp();
    const now = Date.now();
    t.db.query(`INSERT INTO capi_events (created_at, pixel_id, event_name, event_id, event_time, payload, status, next_attempt_at)
      VALUES (?1, '1234567890', 'Lead', 'e-1', ?2, ?3, 'sent', ?1)`).run(now - 500 * DAY, Math.floor(now / 1000), PAYLOAD);
    expect(outboxRetention(t.db).maintain(now, 0)).toEqual({ scrubbed: 1, deleted: 0 });
    expect(t.db.query("SELECT COUNT(*) AS n FROM capi_events").get()).toEqual({ n: 1 });
  });
});
