import type { DeliveryRow } from "../tracking/log";
import type { Alert } from "../../views/admin/dashboard";
import type { AdminKit } from "./context";

/** Meta's error codes that mean the access token itself is the problem. */
const TOKEN_CODES = new Set([190, 102, 463, 467]);

export interface MetaError {
  message: string;
  code: number | null;
}

/** Meta's answer in words: its message for people when it has one, else its technical message. */
export function metaError(lastResponse: string | null, lastStatus: number | null): MetaError | null {
  if (!lastResponse) return lastStatus && lastStatus >= 400 ? { message: `Meta answered HTTP ${lastStatus}.`, code: null } : null;
  try {
    const body = JSON.parse(lastResponse) as { error?: { message?: unknown; code?: unknown; error_user_msg?: unknown; error_user_title?: unknown } };
    const e = body?.error;
    if (!e) return null;
    const text = [e.error_user_title, e.error_user_msg].filter((x) => typeof x === "string" && x).join(": ") || (typeof e.message === "string" ? e.message : "");
    return { message: text || "Meta reported an error without a message.", code: typeof e.code === "number" ? e.code : null };
  } catch {
    // Not JSON (e.g. a network error we stored as text): show it as it is.
    return { message: lastResponse.slice(0, 300), code: null };
  }
}

/** A line for the artist that says what the error means and what to do. */
export function explain(row: DeliveryRow): string | null {
  const err = metaError(row.lastResponse, row.lastStatus);
  if (!err) return null;
  if (err.code !== null && TOKEN_CODES.has(err.code)) return `The access token is not valid (Meta says: ${err.message}). Paste a new one in Settings.`;
  if (err.code === 4 || err.code === 17 || err.code === 32 || err.code === 613) return `Meta is limiting requests for now (${err.message}); Outro retries later.`;
  return err.message;
}

const tokenInvalid = (reason: string | null) => !!reason && /token|oauth|\b190\b|session has expired/i.test(reason);

/** The dashboard's alerts: tracking problems first, then reminders. */
export function dashboardAlerts(kit: AdminKit): Alert[] {
  const alerts: Alert[] = [];
  const paused = kit.log.pausedPixels();
  const recentFailures = kit.log.list({ status: "failed", limit: 20 });
  const badToken = paused.some((p) => tokenInvalid(p.reason)) ||
    recentFailures.some((r) => { const e = metaError(r.lastResponse, r.lastStatus); return e?.code !== null && e?.code !== undefined && TOKEN_CODES.has(e.code); });
  if (badToken) alerts.push({ level: "error", text: "Meta rejects the Conversions API access token: events are not delivered.", href: "/admin/settings#access-token", action: "Paste a new token" });
  for (const p of paused) {
    alerts.push({ level: "error", text: `Delivery to pixel ${p.pixelId} is paused${p.reason ? `: ${p.reason}` : "."}`, href: "/admin/tracking", action: "See the delivery log" });
  }
  const expiring = kit.log.expiringSoon(Math.floor(kit.clock() / 1000));
  if (expiring > 0) {
    alerts.push({ level: "warn", text: `${expiring} event${expiring === 1 ? "" : "s"} waiting to be sent will be too old for Meta within a day.`, href: "/admin/tracking?status=pending", action: "See pending events" });
  }
  const broken = kit.monitor?.brokenCount() ?? 0;
  if (broken > 0) {
    const hidden = kit.settings.get().hideBrokenDestinations;
    alerts.push({
      level: "error",
      text: broken === 1
        ? `1 destination is broken (the dead-link monitor found it gone or failing)${hidden ? "; it is hidden from the pages until it works again." : ": fans tapping it land on an error."}`
        : `${broken} destinations are broken (the dead-link monitor found them gone or failing)${hidden ? "; they are hidden from the pages until they work again." : ": fans tapping them land on an error."}`,
      href: "/admin#links", action: "See which ones",
    });
  }
  const code = kit.settings.get().testEventCode;
  if (code) alerts.push({ level: "info", text: `Test mode is on (code ${code}): events show in Meta's Test Events, not in your reports.`, href: "/admin/settings#test-events", action: "Turn it off" });
  return alerts;
}
