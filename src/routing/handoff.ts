import { agentInfo } from "../stats/agent";

/**
 * How a click-out leaves an in-app browser for the service's own app, where the stream counts.
 *
 * - `web`: a plain 302 to the stored https URL. In Safari and Chrome a tap on it opens the app by
 *   its universal link (iOS) or app link (Android); in-app browsers mostly keep it inside.
 * - `intent`: a 302 to an Android `intent:` URL naming the app's package, with the stored URL as
 *   `S.browser_fallback_url`, so a fan without the app still lands on the web page.
 * - `scheme`: a small hand-off page that opens the app's own URL scheme (iOS webviews pass those to
 *   the system, which universal links do not get) and falls back to the stored URL after 1.5 s.
 * - `browser`: no way out of the webview is known to work; the page asks the fan to open it in
 *   the system browser (⋯ → "Open in browser") and the click-out is a plain 302.
 *
 * Verification: the choice per webview and OS follows the platforms' documented behaviour (Chrome's
 * "Android Intents with Chrome": intent URLs with a fallback; WKWebView hands unknown schemes to
 * the host app, which Meta's apps open). It is unit-tested here against real user agents; it was
 * NOT tried on devices (none here) — see README "Fan routing" for the matrix.
 */
export type HandoffKind = "web" | "intent" | "scheme" | "browser";

export interface AppInfo {
  /** Android package of the service's app. */
  android?: string;
  /** The app's own URL for an https URL of the service, for iOS webviews. */
  ios?: (url: URL) => string | null;
}

/** Per service: its app. Services not listed are always reached by their web URL. */
export const APPS: Record<string, AppInfo> = {
  spotify: {
    android: "com.spotify.music",
    // open.spotify.com/intl-de/track/ID → spotify:track:ID
    ios: (u) => {
      const parts = u.pathname.split("/").filter((p) => p && !/^intl-/.test(p));
      return parts.length >= 2 ? `spotify:${parts.join(":")}` : null;
    },
  },
  "apple-music": { android: "com.apple.android.music", ios: (u) => `music://${u.host}${u.pathname}${u.search}` },
  "youtube-music": { android: "com.google.android.apps.youtube.music", ios: (u) => `youtubemusic://${u.host}${u.pathname}${u.search}` },
  youtube: { android: "com.google.android.youtube", ios: (u) => `youtube://${u.host}${u.pathname}${u.search}` },
  deezer: { android: "deezer.android.app", ios: (u) => `deezer://${u.host}${u.pathname}` },
  tidal: {
    android: "com.aspiro.tidal",
    // tidal.com/browse/track/ID → tidal://track/ID
    ios: (u) => {
      const path = u.pathname.replace(/^\/browse/, "");
      return path.length > 1 ? `tidal:/${path}` : null;
    },
  },
  "amazon-music": { android: "com.amazon.mp3" },
  soundcloud: { android: "com.soundcloud.android" },
  audiomack: { android: "com.audiomack" },
  pandora: { android: "com.pandora.android" },
};

/** Per in-app browser and OS: the hand-off. Absent: a plain browser, `web`. */
export const HANDOFF_MATRIX: Record<string, { ios: HandoffKind; android: HandoffKind }> = {
  instagram: { ios: "scheme", android: "intent" },
  facebook: { ios: "scheme", android: "intent" },
  messenger: { ios: "scheme", android: "intent" },
  threads: { ios: "scheme", android: "intent" },
  snapchat: { ios: "scheme", android: "intent" },
  x: { ios: "scheme", android: "intent" },
  linkedin: { ios: "scheme", android: "intent" },
  pinterest: { ios: "scheme", android: "intent" },
  reddit: { ios: "scheme", android: "intent" },
  line: { ios: "scheme", android: "intent" },
  wechat: { ios: "browser", android: "browser" },
  // TikTok's webview blocks app schemes and intents: only the system browser gets the fan out.
  tiktok: { ios: "browser", android: "browser" },
};

export type Handoff =
  | { kind: "web"; url: string }
  | { kind: "intent"; url: string }
  | { kind: "scheme"; appUrl: string; url: string }
  | { kind: "browser"; url: string; app: string };

/** Android's intent URL for an https URL, opening `pkg` and falling back to the URL itself. */
export function intentUrl(url: URL, pkg: string): string {
  const scheme = url.protocol.slice(0, -1);
  return `intent://${url.host}${url.pathname}${url.search}#Intent;scheme=${scheme};package=${pkg};S.browser_fallback_url=${encodeURIComponent(url.href)};end`;
}

/** The in-app browser a user agent comes from and the hand-off it calls for, if any. */
export function inAppBrowser(ua: string): { app: string; os: "ios" | "android"; kind: HandoffKind } | null {
  const { app, os } = agentInfo(ua);
  if (!app || (os !== "ios" && os !== "android")) return null;
  const row = HANDOFF_MATRIX[app];
  return row ? { app, os, kind: row[os] } : null;
}

/** How to send a fan with this user agent to `stored` (a URL stored for the link) for `service`. */
export function handoffFor(ua: string, service: string | null, stored: string): Handoff {
  const inApp = inAppBrowser(ua);
  if (!inApp) return { kind: "web", url: stored };
  if (inApp.kind === "browser") return { kind: "browser", url: stored, app: inApp.app };
  const app = service ? APPS[service] : undefined;
  let url: URL;
  try {
    url = new URL(stored);
  } catch {
    return { kind: "web", url: stored };
  }
  if (inApp.kind === "intent" && app?.android) return { kind: "intent", url: intentUrl(url, app.android) };
  if (inApp.kind === "scheme" && app?.ios) {
    const appUrl = app.ios(url);
    if (appUrl) return { kind: "scheme", appUrl, url: stored };
  }
  return { kind: "web", url: stored };
}
