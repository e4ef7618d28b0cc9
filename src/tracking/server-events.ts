import type { ServerEvents, Visit } from "../clickout/service";
import type { OutboxEvent } from "../clickout/records";
import type { Tracking } from "../clickout/service";
import type { Settings, SettingsService } from "../settings/service";
import type { Link } from "../links/model";
import { sha256 } from "../api/tokens";
import { pixelPlan, type PixelPlan } from "./pixel";

export function contentName(link: { title: string; artist: string }): string {
  return link.artist ? `${link.title} – ${link.artist}` : link.title;
}

/** Whether Meta may hear about this visit: a pixel is set and, in opt-in mode, the fan agreed. */
export function trackingAllowed(plan: PixelPlan | null, visit: Pick<Visit, "consented">): plan is PixelPlan {
  return plan !== null && (plan.consentMode === "none" || visit.consented);
}

/**
 * One Meta server event per pixel of the visit's plan, in the contract's shape; none when Meta
 * may not hear of the visit. `extraUserData` adds hashed identifiers (a signup's `em`).
 */
export function buildMetaEvents(
  visit: Pick<Visit, "plan" | "consented" | "ts" | "identity" | "client" | "eventId" | "pageUrl">,
  eventName: string,
  customData: Record<string, string>,
  extraUserData: Record<string, string> = {},
  clock: () => number = Date.now,
): OutboxEvent[] {
  const plan = visit.plan;
  if (!trackingAllowed(plan, visit)) return [];
  // Meta rejects event_time in the future; a fast clock on our side must not cost the event.
  const eventTime = Math.floor(Math.min(visit.ts, clock()) / 1000);
  const id = visit.identity;
  const userData: Record<string, string> = {
    client_ip_address: visit.client.ip,
    client_user_agent: visit.client.userAgent,
  };
  if (id?.fbp) userData.fbp = id.fbp;
  if (id?.fbc) userData.fbc = id.fbc;
  if (id?.visitorId) userData.external_id = sha256(id.visitorId);
  Object.assign(userData, extraUserData);
  const event: Record<string, unknown> = {
    event_name: eventName,
    event_time: eventTime,
    event_id: visit.eventId,
    action_source: "website",
    event_source_url: visit.pageUrl,
    user_data: userData,
    custom_data: customData,
  };
  if (plan.limitedDataUse) {
    event.data_processing_options = ["LDU"];
    // 0, 0: let Meta geolocate the event, as its documentation recommends.
    event.data_processing_options_country = 0;
    event.data_processing_options_state = 0;
  }
  const payload = JSON.stringify(event);
  return plan.pixelIds.map((pixelId) => ({ pixelId, eventName, eventId: visit.eventId, eventTime, payload }));
}

/**
 * Builds the Conversions API events for a fan's view or click-out, one per pixel, each with the
 * event id the browser's Pixel uses, so Meta deduplicates the pair.
 */
export function serverEvents(clock: () => number = Date.now): ServerEvents {
  const build = (visit: Visit, eventName: string, customData: Record<string, string>) => buildMetaEvents(visit, eventName, customData, {}, clock);

  return {
    forView: (visit) => build(visit, "PageView", { content_name: contentName(visit.link), content_type: "music", link: visit.link.slug }),
    forClick: (visit) => {
      const dest = visit.dest!;
      return build(visit, visit.plan?.clickEventName ?? "Lead", {
        content_name: contentName(visit.link),
        content_category: dest.service ?? dest.key,
        content_type: "music",
        platform: dest.key,
        link: visit.link.slug,
      });
    },
  };
}

/** Tracking for the app: the link's plan from the current settings, and its server events. */
export function metaTracking(settings: SettingsService, clock: () => number = Date.now): Tracking {
  // One plan per link and settings version: pages use the plan's identity as part of their cache key.
  const plans = new WeakMap<Link, { s: Settings; plan: PixelPlan | null }>();
  const plan = (link: Link) => {
    const s = settings.get();
    const hit = plans.get(link);
    if (hit && hit.s === s) return hit.plan;
    const fresh = pixelPlan(link, s);
    plans.set(link, { s, plan: fresh });
    return fresh;
  };
  return { plan, events: serverEvents(clock) };
}
