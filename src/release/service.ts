import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { SettingsService } from "../settings/service";
import type { LinkService } from "../links/service";
import { log } from "../log";
import { isPermanentRejection, releaseMail, smtpTransport, type MailTransport } from "./mail";
import { releaseQueueRepo, type DueRelease, type Recipient } from "./queue-repo";

const MAX_MAIL_ATTEMPTS = 10;

/** 1 min, 2 min, 4 min … capped at 6 hours, with jitter so a recovering server is not hit at once. */
export function mailBackoff(attempt: number, random = Math.random): number {
  const base = Math.min(60_000 * 2 ** (attempt - 1), 6 * 3_600_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

export interface ReleaseDayDeps {
  db: Database;
  config: Config;
  settings: SettingsService;
  links: LinkService;
  clock: () => number;
  /** Auto-fill again at the moment, to pick up services that appeared (wired at merge). */
  refill?: (slug: string) => Promise<unknown>;
  /** The fan webhook sender: told when release webhooks were queued. */
  webhooks?: { notify(): void };
  /** For tests: a transport instead of SMTP_URL's. */
  transport?: MailTransport | null;
  everyMs?: number;
}

/**
 * The release moment, in process: every tick (and once at start, so a restart catches up) each
 * due release is handled once — its fans' mails and webhooks queued in one transaction — then
 * auto-fill runs again, and the mail queue is worked through with retries.
 */
export function startReleaseDay({ db, config, settings, links, clock, refill = async () => {}, webhooks, transport, everyMs = 1_000 }: ReleaseDayDeps) {
  const repo = releaseQueueRepo(db);
  const mailer = transport !== undefined ? transport : config.smtpUrl && config.smtpFrom ? smtpTransport(config.smtpUrl, config.smtpFrom) : null;
  repo.markInterrupted();
  let running: Promise<void> | null = null;
  let stopped = false;

  const webhookPayload = (r: DueRelease, now: number) => (to: Recipient) => {
    const base = config.publicUrl ?? to.baseUrl;
    return JSON.stringify({
      type: "release.out",
      link: { slug: r.slug, title: r.title, artist: r.artist, url: `${base}/${r.slug}`, releaseAt: new Date(r.releaseAt).toISOString() },
      fan: { id: to.fanId, email: to.email, name: to.name, unsubscribeUrl: `${base}/u/${to.unsubscribeToken}` },
      releasedAt: new Date(now).toISOString(),
    });
  };

  async function releaseDue() {
    const now = clock();
    let queuedWebhooks = false;
    let released = false;
    for (const r of repo.due(now)) {
      const webhook = settings.get().fanWebhookUrl ? webhookPayload(r, now) : null;
      if (repo.release(r, now, { mail: mailer !== null, webhook })) {
        released = true;
        queuedWebhooks ||= webhook !== null;
        log.info({ slug: r.slug }, "release moment handled");
      }
    }
    // The page itself switches by the clock; a handled release drops caches built before the moment
    // (only then: every tick would throw away every cached page once a second).
    if (released) links.touch();
    if (queuedWebhooks) webhooks?.notify();
    for (const r of repo.toRefill()) {
      if (stopped) return;
      try {
        await refill(r.slug);
      } catch (err) {
        // Auto-fill is a nicety: a catalogue that is down must not hold the release back.
        log.warn({ slug: r.slug, err: (err as Error).message }, "auto-fill at release failed");
      }
      repo.refilled(r.linkId, clock());
    }
  }

  async function sendDueMails() {
    if (!mailer) return;
    for (const m of repo.dueMails(clock())) {
      if (stopped) return;
      if (m.unsubscribedAt !== null) {
        repo.mailDone(m.id, "skipped", clock(), "unsubscribed before it was sent");
        continue;
      }
      // Committed before the SMTP conversation, so a crash mid-send can never lead to a second mail.
      if (!repo.claimMail(m.id)) continue;
      try {
        await mailer.send(releaseMail(m, config.publicUrl));
        repo.mailDone(m.id, "sent", clock());
      } catch (err) {
        const error = `${(err as { responseCode?: number }).responseCode ?? (err as { code?: string }).code ?? "error"}: ${(err as Error).message}`.slice(0, 300);
        const attempt = m.attempts + 1;
        if (isPermanentRejection(err) || attempt >= MAX_MAIL_ATTEMPTS) repo.mailDone(m.id, "failed", clock(), error);
        else repo.mailRetry(m.id, clock() + mailBackoff(attempt), error);
      }
    }
  }

  const tick = () => {
    if (stopped || running) return;
    running = (async () => {
      if (repo.due(clock()).length || repo.toRefill().length) await releaseDue();
      await sendDueMails();
    })().catch((err) => log.error({ err }, "release day tick failed")).finally(() => { running = null; });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref?.();
  tick();

  return {
    /** Called by the signup inside its transaction: this fan wants the release-day note. */
    askForNote: (linkId: number, fanId: number, baseUrl: string) => repo.askForNote(linkId, fanId, baseUrl, clock()),
    notify: tick,
    /** For tests: handle what is due now and wait for it. */
    async drain() {
      while (running) await running;
      tick();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
      mailer?.close();
    },
  };
}
export type ReleaseDay = ReturnType<typeof startReleaseDay>;
