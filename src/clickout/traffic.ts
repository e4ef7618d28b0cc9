import { isbot } from "isbot";
import type { TrafficKind } from "./records";

// Link-preview fetchers that isbot may let through; they must never count as fans.
const PREVIEW_AGENTS =
  /facebookexternalhit|facebookcatalog|meta-externalagent|meta-externalfetcher|whatsapp|slackbot|slack-imgproxy|telegrambot|discordbot|twitterbot|linkedinbot|applebot|skypeuripreview|redditbot|embedly|pinterestbot|vkshare|iframely|bitlybot|google-pagerenderer|snapchat(?!\/\d)|bingpreview/i;

// In-app browsers of Facebook, Instagram, TikTok and the like are real fans on a phone.
const IN_APP = /FBAN|FBAV|FB_IAB|Instagram|BytedanceWebview|musical_ly|TikTok|Snapchat\/\d/i;

// isbot's pattern is large; the same few user agents come back again and again, so remember answers.
const verdicts = new Map<string, boolean>();

export function isBotAgent(ua: string): boolean {
  let v = verdicts.get(ua);
  if (v === undefined) {
    v = classifyAgent(ua);
    if (verdicts.size >= 5000) verdicts.clear();
    verdicts.set(ua, v);
  }
  return v;
}

function classifyAgent(ua: string): boolean {
  if (ua.trim() === "") return true;
  if (IN_APP.test(ua) && !PREVIEW_AGENTS.test(ua)) return false;
  return PREVIEW_AGENTS.test(ua) || isbot(ua);
}

const PREFETCH = /prefetch|prerender|preview/i;

/** Classifies a request: only "human" traffic is forwarded to Meta. */
export function trafficKind(method: string, headers: Headers, ua: string): TrafficKind {
  if (method === "HEAD") return "head";
  const secPurpose = headers.get("sec-purpose");
  const purpose = headers.get("purpose");
  const xPurpose = headers.get("x-purpose");
  const xMoz = headers.get("x-moz");
  // Most requests carry none of them: no string to build, no pattern to run.
  if ((secPurpose ?? purpose ?? xPurpose ?? xMoz) !== null && PREFETCH.test(`${secPurpose ?? ""} ${purpose ?? ""} ${xPurpose ?? ""} ${xMoz ?? ""}`)) return "prefetch";
  if (isBotAgent(ua)) return "bot";
  return "human";
}

export type Device = "mobile" | "tablet" | "desktop" | "other";

const devices = new Map<string, Device>();

/** The device class of a user agent, remembered like the bot verdicts. */
export function deviceClass(ua: string): Device {
  let d = devices.get(ua);
  if (d === undefined) {
    d = classifyDevice(ua);
    if (devices.size >= 5000) devices.clear();
    devices.set(ua, d);
  }
  return d;
}

function classifyDevice(ua: string): Device {
  if (/iPad|Tablet|PlayBook|Silk|(Android(?!.*Mobile))/i.test(ua)) return "tablet";
  if (/Mobi|iPhone|iPod|Android|IEMobile|Opera Mini|BlackBerry/i.test(ua)) return "mobile";
  if (/Windows|Macintosh|X11|Linux|CrOS/i.test(ua)) return "desktop";
  return "other";
}
