/** Operating system and in-app browser of a user agent: what analytics groups fans by. */
export interface AgentInfo {
  os: string | null;
  /** The app whose built-in browser opened the link (instagram, facebook, tiktok…), null for a plain browser. */
  app: string | null;
}

// Order matters: Instagram and Messenger run inside Facebook's browser and carry FBAN/FBAV too.
const APPS: [string, RegExp][] = [
  ["instagram", /Instagram/i],
  ["messenger", /FBAN\/Messenger|FBAN\/MessengerForiOS|Orca-Android|MessengerLite/i],
  ["facebook", /FBAN|FBAV|FB_IAB|FBIOS|FB4A/i],
  ["tiktok", /BytedanceWebview|musical_ly|TikTok|trill_/i],
  ["snapchat", /Snapchat/i],
  ["x", /Twitter for |TwitterAndroid|Twitter\//i],
  ["linkedin", /LinkedInApp/i],
  ["threads", /Barcelona/],
  ["pinterest", /Pinterest\//i],
  ["reddit", /Reddit\//i],
  ["telegram", /Telegram/i],
  ["whatsapp", /WhatsApp\//i],
  ["line", / Line\//],
  ["wechat", /MicroMessenger/i],
];

const OSES: [string, RegExp][] = [
  ["ios", /iPhone|iPad|iPod|CPU OS \d|iOS/],
  ["android", /Android/i],
  ["windows", /Windows/i],
  ["chromeos", /CrOS/],
  ["macos", /Macintosh|Mac OS X/],
  ["linux", /Linux|X11/i],
];

function parse(ua: string): AgentInfo {
  const app = APPS.find(([, re]) => re.test(ua))?.[0] ?? null;
  const os = OSES.find(([, re]) => re.test(ua))?.[0] ?? (ua ? "other" : null);
  return { os, app };
}

// The same few user agents come back again and again: parse each once (bounded, like isBotAgent).
const cache = new Map<string, AgentInfo>();

export function agentInfo(ua: string): AgentInfo {
  let info = cache.get(ua);
  if (!info) {
    info = parse(ua);
    if (cache.size >= 5000) cache.clear();
    cache.set(ua, info);
  }
  return info;
}
