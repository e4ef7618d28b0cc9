import type { Database } from "bun:sqlite";
import { writeTransaction } from "../db/open";
import type { Fan } from "./model";

export interface SignupRow {
  fanId: number;
  linkId: number | null;
  ts: number;
  consentText: string;
  referrer: string | null;
  utm: (string | null)[];
}

const FAN_COLUMNS = `f.id, f.email, f.name, f.created_at AS createdAt, f.updated_at AS updatedAt,
  f.unsubscribed_at AS unsubscribedAt, f.unsubscribe_token AS unsubscribeToken,
  (SELECT group_concat(DISTINCT l.slug) FROM fan_signups s JOIN links l ON l.id = s.link_id WHERE s.fan_id = f.id) AS links`;

export function fanRepo(db: Database) {
  const byEmail = db.query<{ id: number; name: string | null }, { email: string }>("SELECT id, name FROM fans WHERE email = $email");
  const insertFan = db.query<{ id: number }, { email: string; name: string | null; now: number; token: string }>(
    "INSERT INTO fans (email, name, created_at, updated_at, unsubscribe_token) VALUES ($email, $name, $now, $now, $token) RETURNING id");
  const refreshFan = db.query<null, { id: number; name: string | null; now: number }>(
    "UPDATE fans SET name = COALESCE($name, name), updated_at = $now, unsubscribed_at = NULL WHERE id = $id");
  const insertSignup = db.query<null, Record<string, string | number | null>>(
    `INSERT INTO fan_signups (fan_id, link_id, ts, consent_text, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
     VALUES ($fanId, $linkId, $ts, $consentText, $referrer, $s, $m, $c, $co, $te)`);
  const insertWebhook = db.query<null, { fanId: number; payload: string; now: number }>(
    "INSERT INTO fan_webhooks (fan_id, payload, next_attempt_at, created_at) VALUES ($fanId, $payload, $now, $now)");
  const insertEvent = db.query<null, { now: number; pixelId: string; linkId: number | null; eventName: string; eventId: string; eventTime: number; payload: string; fanId: number }>(
    `INSERT INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, next_attempt_at, fan_id)
     VALUES ($now, $pixelId, $linkId, $eventName, $eventId, $eventTime, $payload, $now, $fanId)`);
  const search = db.query<Fan, { q: string; link: string; limit: number; offset: number }>(
    `SELECT ${FAN_COLUMNS} FROM fans f
     WHERE ($q = '' OR f.email LIKE '%' || $q || '%' ESCAPE '\\' OR f.name LIKE '%' || $q || '%' ESCAPE '\\')
       AND ($link = '' OR EXISTS (SELECT 1 FROM fan_signups s JOIN links l ON l.id = s.link_id WHERE s.fan_id = f.id AND l.slug = $link))
     ORDER BY f.id DESC LIMIT $limit OFFSET $offset`);
  const subscribed = db.query<Fan, []>(`SELECT ${FAN_COLUMNS} FROM fans f WHERE f.unsubscribed_at IS NULL ORDER BY f.id`);
  const byToken = db.query<{ id: number; email: string; unsubscribedAt: number | null }, { token: string }>(
    "SELECT id, email, unsubscribed_at AS unsubscribedAt FROM fans WHERE unsubscribe_token = $token");
  const unsubscribe = db.query<null, { id: number; now: number }>("UPDATE fans SET unsubscribed_at = $now WHERE id = $id AND unsubscribed_at IS NULL");
  const deleteFan = db.query<null, { id: number }>("DELETE FROM fans WHERE id = $id");
  // Unsent events go entirely; sent ones keep only that they were sent, without the hashed address.
  const dropPendingEvents = db.query<null, { id: number }>("DELETE FROM capi_events WHERE fan_id = $id AND status <> 'sent'");
  const scrubSentEvents = db.query<null, { id: number }>("UPDATE capi_events SET payload = '{}', fan_id = NULL WHERE fan_id = $id");
  const signupOn = db.query<{ on: number }, { linkId: number }>("SELECT email_signup AS \"on\" FROM link_options WHERE link_id = $linkId");
  const countFans = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM fans");

  return {
    signupEnabled: (linkId: number) => signupOn.get({ linkId })?.on === 1,
    /** Adds or merges a fan and records the signup, its webhook and its Meta events in one transaction. */
    saveSignup: writeTransaction(db, 
      (input: {
        email: string; name: string | null; now: number; token: string; signup: Omit<SignupRow, "fanId">;
        webhook: ((fanId: number) => string) | null;
        events: { pixelId: string; eventName: string; eventId: string; eventTime: number; payload: string }[];
        also?: (fanId: number) => void;
      }) => {
        const existing = byEmail.get({ email: input.email });
        let fanId: number;
        let created = false;
        if (existing) {
          fanId = existing.id;
          refreshFan.run({ id: fanId, name: input.name, now: input.now });
        } else {
          fanId = insertFan.get({ email: input.email, name: input.name, now: input.now, token: input.token })!.id;
          created = true;
        }
        const [s, m, c, co, te] = input.signup.utm;
        insertSignup.run({
          fanId, linkId: input.signup.linkId, ts: input.signup.ts, consentText: input.signup.consentText,
          referrer: input.signup.referrer, s: s ?? null, m: m ?? null, c: c ?? null, co: co ?? null, te: te ?? null,
        });
        if (created && input.webhook) insertWebhook.run({ fanId, payload: input.webhook(fanId), now: input.now });
        for (const e of input.events) insertEvent.run({ ...e, now: input.now, linkId: input.signup.linkId, fanId });
        input.also?.(fanId);
        return { fanId, created };
      },
    ),
    search: (q: string, link: string, limit = 100, offset = 0) =>
      search.all({ q: q.replace(/[\\%_]/g, (ch) => `\\${ch}`), link, limit, offset }),
    subscribed: () => subscribed.all(),
    byToken: (token: string) => byToken.get({ token }),
    unsubscribe: (id: number, now: number) => unsubscribe.run({ id, now }),
    /** Erases a fan everywhere Outro holds the address: fan, signups, webhook queue, Meta outbox. */
    erase: writeTransaction(db, (id: number) => {
      dropPendingEvents.run({ id });
      scrubSentEvents.run({ id });
      deleteFan.run({ id });
    }),
    count: () => countFans.get()!.n,
  };
}
export type FanRepo = ReturnType<typeof fanRepo>;

/** How many queued webhooks one delivery pass takes. */
const WEBHOOK_BATCH = 20;

/** The delivery side of the fan_webhooks queue (rows are added with the signup, or on release day). */
export function webhookQueueRepo(db: Database) {
  const due = db.query<{ id: number; payload: string; attempts: number }, { now: number }>(
    `SELECT id, payload, attempts FROM fan_webhooks WHERE status = 'pending' AND next_attempt_at <= $now ORDER BY id LIMIT ${WEBHOOK_BATCH}`);
  const sent = db.query<null, { id: number; now: number; code: number }>(
    "UPDATE fan_webhooks SET status = 'sent', sent_at = $now, attempts = attempts + 1, last_status = $code, last_error = NULL WHERE id = $id");
  const retry = db.query<null, { id: number; next: number; code: number | null; error: string; failed: number }>(
    `UPDATE fan_webhooks SET attempts = attempts + 1, next_attempt_at = $next, last_status = $code, last_error = $error,
       status = CASE WHEN $failed = 1 THEN 'failed' ELSE status END WHERE id = $id`);
  return {
    due: (now: number) => due.all({ now }),
    sent: (id: number, now: number, code: number) => sent.run({ id, now, code }),
    /** Counts the attempt and keeps its error; `failed` ends the retries for good. */
    retry: (id: number, next: number, code: number | null, error: string, failed: boolean) =>
      retry.run({ id, next, code, error, failed: failed ? 1 : 0 }),
  };
}
export type WebhookQueueRepo = ReturnType<typeof webhookQueueRepo>;
