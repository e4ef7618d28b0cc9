import type { Database } from "bun:sqlite";
import { writeTransaction } from "../db/open";

export interface DueRelease {
  linkId: number;
  slug: string;
  title: string;
  artist: string;
  releaseAt: number;
}

export interface Recipient {
  fanId: number;
  email: string;
  name: string | null;
  unsubscribeToken: string;
  baseUrl: string;
}

export interface DueMail extends Recipient {
  id: number;
  attempts: number;
  unsubscribedAt: number | null;
  slug: string;
  title: string;
  artist: string;
  artworkUrl: string | null;
}

/** The release-day tables: who asked for the note, which moments are due, and the mail queue. */
export function releaseQueueRepo(db: Database) {
  // An unpublished link is left alone: its fans would be sent to a missing page. Publishing it later catches up.
  const ask = db.query<null, { linkId: number; fanId: number; baseUrl: string; now: number }>(
    // Only while the moment is not handled yet, so a signup is either in the release's batch or not asked at all.
    `INSERT OR IGNORE INTO release_subscribers (link_id, fan_id, base_url, created_at)
     SELECT $linkId, $fanId, $baseUrl, $now FROM link_releases WHERE link_id = $linkId AND released_at IS NULL`);
  const due = db.query<DueRelease, { now: number }>(
    `SELECT l.id AS linkId, l.slug, l.title, l.artist, r.release_at AS releaseAt FROM link_releases r JOIN links l ON l.id = r.link_id
     WHERE r.released_at IS NULL AND r.release_at <= $now AND l.type = 'release' AND l.published = 1 ORDER BY r.release_at`);
  const claim = db.query<null, { linkId: number; now: number }>(
    "UPDATE link_releases SET released_at = $now WHERE link_id = $linkId AND released_at IS NULL AND release_at <= $now");
  const recipients = db.query<Recipient, { linkId: number }>(
    `SELECT f.id AS fanId, f.email, f.name, f.unsubscribe_token AS unsubscribeToken, s.base_url AS baseUrl
     FROM release_subscribers s JOIN fans f ON f.id = s.fan_id
     WHERE s.link_id = $linkId AND f.unsubscribed_at IS NULL ORDER BY s.created_at, f.id`);
  const enqueueMail = db.query<null, { linkId: number; fanId: number; baseUrl: string; now: number }>(
    `INSERT OR IGNORE INTO release_mails (link_id, fan_id, base_url, next_attempt_at, created_at)
     VALUES ($linkId, $fanId, $baseUrl, $now, $now)`);
  const markWebhook = db.query<null, { linkId: number; fanId: number }>(
    "INSERT OR IGNORE INTO release_webhooks (link_id, fan_id) VALUES ($linkId, $fanId)");
  const enqueueWebhook = db.query<null, { fanId: number; payload: string; now: number }>(
    "INSERT INTO fan_webhooks (fan_id, payload, next_attempt_at, created_at) VALUES ($fanId, $payload, $now, $now)");
  const toRefill = db.query<{ linkId: number; slug: string }, []>(
    `SELECT l.id AS linkId, l.slug FROM link_releases r JOIN links l ON l.id = r.link_id
     WHERE r.released_at IS NOT NULL AND r.refilled_at IS NULL ORDER BY r.released_at`);
  const refilled = db.query<null, { linkId: number; now: number }>(
    "UPDATE link_releases SET refilled_at = $now WHERE link_id = $linkId AND released_at IS NOT NULL");

  const dueMails = db.query<DueMail, { now: number }>(
    `SELECT m.id, m.attempts, m.base_url AS baseUrl, f.id AS fanId, f.email, f.name, f.unsubscribe_token AS unsubscribeToken,
       f.unsubscribed_at AS unsubscribedAt, l.slug, l.title, l.artist, l.artwork_url AS artworkUrl
     FROM release_mails m JOIN fans f ON f.id = m.fan_id JOIN links l ON l.id = m.link_id
     WHERE m.status = 'pending' AND m.next_attempt_at <= $now ORDER BY m.id LIMIT 20`);
  const claimMail = db.query<null, { id: number }>(
    "UPDATE release_mails SET status = 'sending', attempts = attempts + 1 WHERE id = $id AND status = 'pending'");
  const mailDone = db.query<null, { id: number; status: string; now: number; error: string | null }>(
    "UPDATE release_mails SET status = $status, sent_at = CASE WHEN $status = 'sent' THEN $now ELSE sent_at END, last_error = $error WHERE id = $id");
  const mailRetry = db.query<null, { id: number; next: number; error: string }>(
    "UPDATE release_mails SET status = 'pending', next_attempt_at = $next, last_error = $error WHERE id = $id");
  const interrupted = db.query<null, []>(
    "UPDATE release_mails SET status = 'unknown', last_error = 'interrupted while sending; not sent again, so no fan gets it twice' WHERE status = 'sending'");

  const asked = db.query<{ n: number }, { linkId: number }>("SELECT COUNT(*) AS n FROM release_subscribers WHERE link_id = $linkId");
  const mailCounts = db.query<{ status: string; n: number }, { linkId: number }>(
    "SELECT status, COUNT(*) AS n FROM release_mails WHERE link_id = $linkId GROUP BY status");

  return {
    /** For the editor: how many fans asked, and where their mails stand. */
    statusOf: (linkId: number) => ({
      asked: asked.get({ linkId })!.n,
      mails: Object.fromEntries(mailCounts.all({ linkId }).map((r) => [r.status, r.n])) as Record<string, number>,
    }),
    askForNote: (linkId: number, fanId: number, baseUrl: string, now: number) => ask.run({ linkId, fanId, baseUrl, now }).changes > 0,
    due: (now: number) => due.all({ now }),
    /**
     * Handles one release moment in one transaction: marks it handled (only once, whoever gets
     * there first) and queues each asking fan's mail and webhook. False when it was handled already.
     */
    release: writeTransaction(db, (r: DueRelease, now: number, opts: { mail: boolean; webhook: ((to: Recipient) => string) | null }) => {
      if (claim.run({ linkId: r.linkId, now }).changes === 0) return false;
      for (const to of recipients.all({ linkId: r.linkId })) {
        if (opts.mail) enqueueMail.run({ linkId: r.linkId, fanId: to.fanId, baseUrl: to.baseUrl, now });
        if (opts.webhook && markWebhook.run({ linkId: r.linkId, fanId: to.fanId }).changes > 0) {
          enqueueWebhook.run({ fanId: to.fanId, payload: opts.webhook(to), now });
        }
      }
      return true;
    }),
    toRefill: () => toRefill.all(),
    refilled: (linkId: number, now: number) => refilled.run({ linkId, now }),
    dueMails: (now: number) => dueMails.all({ now }),
    claimMail: (id: number) => claimMail.run({ id }).changes > 0,
    mailDone: (id: number, status: "sent" | "failed" | "skipped", now: number, error: string | null = null) => mailDone.run({ id, status, now, error }),
    mailRetry: (id: number, next: number, error: string) => mailRetry.run({ id, next, error }),
    /** At start: a mail left mid-send by a crash may have gone out, so it is never retried. */
    markInterrupted: () => interrupted.run().changes,
  };
}
export type ReleaseQueueRepo = ReturnType<typeof releaseQueueRepo>;
