import { afterEach, describe, expect, it } from "bun:test";
import { startApp, type TestApp } from "./helpers";
import { NIGHT_DRIVE_TRACK, startFakeCatalogues, type FakeCatalogues, type FakeRelease } from "./fake-catalogues";
import { rateLimiter, CatalogueFailure } from "../src/autofill/limiter";
import type { AutofillResult } from "../src/autofill/model";

let t: TestApp | undefined;
let fakes: FakeCatalogues | undefined;
afterEach(async () => {
  await t?.close();
  await fakes?.stop();
  t = fakes = undefined;
});

/** The most requests that arrived at the fake within any one second. */
function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && sorted[j]! < sorted[i]! + 1000; j++) n++;
    most = Math.max(most, n);
  }
  return most;
}

describe("auto-fill rate limits", () => {
  it("never sends MusicBrainz more than one request a second, across concurrent look-ups", async () => {
    const tracks: FakeRelease[] = [1, 2, 3, 4].map((n) => ({
      ...NIGHT_DRIVE_TRACK, title: `Track ${n}`, isrc: `GBABC260000${n}`, itunesId: 1700000200 + n * 10, deezerId: 700100 + n,
      mbid: `0f6b7b7e-3333-4c1a-9e0b-00000000000${n}`, spotifyUrl: `https://open.spotify.com/track/track${n}`,
    }));
    fakes = await startFakeCatalogues(tracks);
    t = await startApp({ ...fakes.env, AUTOFILL_DEADLINE_MS: "2600" });
    const answers: AutofillResult[] = await Promise.all(
      tracks.map(async (r) => (await t!.api("POST", "/api/autofill", { query: r.isrc })).json()),
    );
    const arrivals = fakes.musicbrainz.requests.map((q) => q.at);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(busiestSecond(arrivals)).toBe(1);
    // Every look-up still answered; those the limit left no slot for say so instead of waiting past the deadline.
    expect(answers).toHaveLength(4);
    for (const a of answers) expect(a.destinations.some((d) => d.service === "deezer")).toBe(true);
    const mb = answers.map((a) => a.catalogues.find((c) => c.catalogue === "musicbrainz")!.status);
    expect(mb).toContain("rate_limited");
    expect(mb).toContain("ok");
    // The other catalogues are not held back by MusicBrainz's limit.
    expect(fakes.deezer.requests.length).toBeGreaterThanOrEqual(4);
  }, 10_000);

  it("spaces reservations and keeps to a window's quota (fake clock)", async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = rateLimiter({ intervalMs: 100, perWindow: 3, windowMs: 1000 }, () => now, async (ms) => { slept.push(ms); });
    // Five callers at t=0: spaced 100 ms, and the fourth waits for the first to leave the 1 s window.
    for (let i = 0; i < 3; i++) await limiter.acquire(10_000);
    expect(slept).toEqual([100, 200]);
    await limiter.acquire(10_000);
    expect(slept.at(-1)).toBe(1000);
    // A slot beyond the caller's deadline is refused at once, and reserves nothing.
    const refused = await limiter.acquire(500).catch((e) => e);
    expect(refused).toBeInstanceOf(CatalogueFailure);
    expect((refused as CatalogueFailure).kind).toBe("rate_limited");
    now = 5000;
    slept.length = 0;
    await limiter.acquire(6000);
    expect(slept).toEqual([]);
  });
});

describe("auto-fill configuration", () => {
  it("defaults to the real catalogues and refuses bad values naming the variable", async () => {
    const { loadConfig, ConfigError } = await import("../src/config");
    const { tempDir } = await import("./helpers");
    const c = loadConfig({ DATA_DIR: tempDir() });
    expect(c.autofill).toEqual({
      itunesUrl: "https://itunes.apple.com", deezerUrl: "https://api.deezer.com", musicbrainzUrl: "https://musicbrainz.org/ws/2",
      odesliUrl: "https://api.song.link/v1-alpha.1", country: "US", timeoutMs: 4000, deadlineMs: 8000,
    });
    expect(loadConfig({ DATA_DIR: tempDir(), DEEZER_API_URL: "http://127.0.0.1:8080/", AUTOFILL_COUNTRY: "fr" }).autofill).toMatchObject({ deezerUrl: "http://127.0.0.1:8080", country: "FR" });
    for (const [name, value] of [["ITUNES_API_URL", "ftp://itunes"], ["ODESLI_API_URL", "song.link"], ["AUTOFILL_TIMEOUT_MS", "soon"], ["AUTOFILL_DEADLINE_MS", "50"], ["AUTOFILL_COUNTRY", "USA"]] as const) {
      expect(() => loadConfig({ DATA_DIR: tempDir(), [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: tempDir(), [name]: value })).toThrow(new RegExp(`^${name}: `));
    }
  });
});
