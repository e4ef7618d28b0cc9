import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { loadConfig, type Config } from "../src/config";
import { openDatabase } from "../src/db/open";
import { createApp } from "../src/app";
import type { SettingsService } from "../src/settings/service";
import { tempDir } from "./temp";

export const ROOT = join(import.meta.dir, "..");
export const BUN = process.execPath;

export { tempDir };

export const TOKEN = "test-token-0123456789";

export interface TestApp {
  base: string;
  db: Database;
  config: Config;
  dataDir: string;
  settings: SettingsService;
  /** Everything createApp built (services, senders). */
  outro: ReturnType<typeof createApp>;
  /** fetch against the running server; redirects are not followed. */
  req(path: string, init?: RequestInit): Promise<Response>;
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<Response>;
  createLink(link: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1 with its own SQLite file in a temp dir. */
export async function startApp(env: Record<string, string> = {}, opts: { clock?: () => number } = {}): Promise<TestApp> {
  const dataDir = tempDir();
  // Meta is out of reach here; a test that wants deliveries points META_GRAPH_URL at the fake Graph API.
  // So are the auto-fill catalogues; autofill tests point them at test/fake-catalogues.ts. Scheduled
  // link checks are off too (they would knock on the real services' doors); monitor tests turn them on.
  const offline = { ITUNES_API_URL: "http://127.0.0.1:9", DEEZER_API_URL: "http://127.0.0.1:9", MUSICBRAINZ_API_URL: "http://127.0.0.1:9", ODESLI_API_URL: "http://127.0.0.1:9" };
  const config = loadConfig({ DATA_DIR: dataDir, API_TOKEN: TOKEN, PORT: "0", META_GRAPH_URL: "http://127.0.0.1:9", LINK_CHECK_INTERVAL_HOURS: "0", ...offline, ...env });
  const db = openDatabase(config.dataDir);
  const outro = createApp({ config, db, clock: opts.clock });
  const server = outro.app.listen({ port: 0, hostname: "127.0.0.1" });
  const base = `http://127.0.0.1:${server.server!.port}`;
  const req = (path: string, init: RequestInit = {}) => fetch(base + path, { redirect: "manual", ...init });
  const api = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
    req(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return {
    base, db, config, dataDir, req, api, settings: outro.settings, outro,
    async createLink(link) {
      const res = await api("POST", "/api/links", link);
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async close() {
      await server.stop(true);
      await outro.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const release = (slug = "night-drive", extra: Record<string, unknown> = {}) => ({
  slug,
  type: "release",
  title: "Night Drive",
  artist: "Babbage",
  artworkUrl: "https://example.com/cover.jpg",
  destinations: [
    { url: "https://open.spotify.com/track/abc" },
    { url: "https://music.apple.com/us/album/night-drive/123" },
    { url: "https://babbage.example/merch", label: "Merch" },
  ],
  ...extra,
});

export const HUMAN_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

/** Waits until `check` passes or the time is up. */
export async function eventually<T>(check: () => T | Promise<T>, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await Bun.sleep(20);
    }
  }
}
