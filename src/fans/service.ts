import type { Database } from "bun:sqlite";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { SettingsService } from "../settings/service";
import type { ResolvedLink } from "../links/service";
import type { Utm } from "../links/landing";
import { newEventId } from "../clickout/event-id";
import { hasConsent, identify } from "../tracking/identity";
import { pixelPlan } from "../tracking/pixel";
import { buildMetaEvents, contentName } from "../tracking/server-events";
import { metaEmailHash, normalizeEmail, type SignupForm } from "./model";
import { fanRepo } from "./repo";

/** A fan must spend this long on the form: bots post at once. */
export const MIN_FILL_MS = 2_000;
const MAX_FORM_AGE_MS = 86_400_000;
/** Per client address: this many signups in the window, then a polite refusal. */
export const SIGNUP_LIMIT = 5;
export const SIGNUP_WINDOW_MS = 10 * 60_000;

export type SignupOutcome =
  | { ok: true; message: string; eventId: string | null; events: number }
  | { ok: false; message: string; field?: "email" | "consent" | "form" };

export interface SignupRequest {
  link: ResolvedLink;
  form: SignupForm;
  ip: string;
  userAgent: string;
  cookieHeader: string | null;
  pageUrl: string;
  utm: Utm;
  referrer: string | null;
  /** Bots, previews and prefetches are refused quietly. */
  human: boolean;
  /** Runs inside the signup's transaction with the fan's id (e.g. to ask for the release-day note). */
  alsoRecord?: (fanId: number) => void;
}

export function fanService(db: Database, settings: SettingsService, clock: () => number = Date.now) {
  const repo = fanRepo(db);
  let secret = settings.getRaw("formSecret");
  if (!secret) {
    secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    settings.setRaw("formSecret", secret);
  }
  const sign = (text: string) => createHmac("sha256", secret!).update(text).digest("base64url");
  const attempts = new Map<string, number[]>();

  const limited = (ip: string, now: number): boolean => {
    const recent = (attempts.get(ip) ?? []).filter((t) => now - t < SIGNUP_WINDOW_MS);
    if (attempts.size > 10_000) attempts.clear();
    attempts.set(ip, recent);
    if (recent.length >= SIGNUP_LIMIT) return true;
    recent.push(now);
    return false;
  };

  return {
    repo,
    signupEnabled: (linkId: number) => repo.signupEnabled(linkId),

    /** A token for the form's hidden `t` field: when it was rendered, signed. */
    formToken: (now = clock()) => `${now}.${sign(String(now))}`,

    /** Validates, filters spam and stores a signup; never throws for bad input. */
    subscribe(req: SignupRequest): SignupOutcome {
      const now = clock();
      const { form } = req;
      // The honeypot: answer as if all went well, store nothing.
      if (form.website.trim() !== "" || !req.human) return { ok: true, message: "Thanks — you're on the list.", eventId: null, events: 0 };
      const [stamp, mac] = form.t.split(".");
      const rendered = Number(stamp);
      const signed = !!mac && !!stamp && mac.length === sign(stamp).length && timingSafeEqual(Buffer.from(mac), Buffer.from(sign(stamp)));
      if (!signed || !(now - rendered <= MAX_FORM_AGE_MS)) return { ok: false, field: "form", message: "This form has expired. Please try again." };
      if (now - rendered < MIN_FILL_MS) return { ok: false, field: "form", message: "That was quick! Please check your details and send again." };
      const email = normalizeEmail(form.email);
      if (!email) return { ok: false, field: "email", message: "Please enter a valid email address." };
      if (form.consent !== "on" && form.consent !== "yes") return { ok: false, field: "consent", message: "Please tick the box to agree to emails." };
      if (limited(req.ip, now)) return { ok: false, field: "form", message: "Too many signups from your network. Please try again in a few minutes." };

      const s = settings.get();
      const name = form.name.trim().replace(/[\u0000-\u001f]/g, "").slice(0, 100) || null;
      const plan = pixelPlan(req.link, s);
      const consented = plan !== null && (plan.consentMode === "none" || hasConsent(req.cookieHeader));
      const eventId = newEventId(now);
      const events = plan
        ? buildMetaEvents(
            {
              plan, consented, ts: now, eventId, pageUrl: req.pageUrl,
              identity: consented ? identify(req.cookieHeader, undefined, now, { landing: false, secure: false }) : null,
              client: { ip: req.ip, userAgent: req.userAgent },
            },
            s.signupEventName,
            { content_name: contentName(req.link), content_type: "music", link: req.link.slug },
            { em: metaEmailHash(email) },
            clock,
          )
        : [];
      const webhookUrl = s.fanWebhookUrl;
      repo.saveSignup({
        email, name, now,
        token: Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url"),
        signup: { linkId: req.link.id, ts: now, consentText: s.signupConsentText, referrer: req.referrer, utm: req.utm },
        webhook: webhookUrl
          ? (fanId) => JSON.stringify({
              type: "fan.created",
              fan: { id: fanId, email, name, link: req.link.slug, consentText: s.signupConsentText, signedUpAt: new Date(now).toISOString(),
                utm: { source: req.utm[0], medium: req.utm[1], campaign: req.utm[2], content: req.utm[3], term: req.utm[4] } },
            })
          : null,
        events,
        also: req.alsoRecord,
      });
      return { ok: true, message: "Thanks — you're on the list.", eventId: events.length ? eventId : null, events: events.length };
    },

    unsubscribe(token: string): "done" | "already" | "unknown" {
      const fan = /^[A-Za-z0-9_-]{10,64}$/.test(token) ? repo.byToken(token) : null;
      if (!fan) return "unknown";
      if (fan.unsubscribedAt) return "already";
      repo.unsubscribe(fan.id, clock());
      return "done";
    },

    /** CSV that Mailchimp and Kit import as is: their column names, one subscribed fan a row. */
    csv(): string {
      // Text cells that a spreadsheet would run as a formula get a leading quote; addresses cannot hold one.
      const cell = (v: string | null, guard = true) => {
        const text = guard ? (v ?? "").replace(/^[=+\-@\t\r]/, "'$&") : (v ?? "");
        return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
      };
      const rows = repo.subscribed().map((f) =>
        [cell(f.email, false), cell(f.name), cell(new Date(f.createdAt).toISOString()), cell(f.links)].join(","));
      return ["Email Address,First Name,Signup Date,Source", ...rows].join("\r\n") + "\r\n";
    },
  };
}
export type FanService = ReturnType<typeof fanService>;
