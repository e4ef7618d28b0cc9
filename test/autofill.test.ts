import { afterEach, describe, expect, it } from "bun:test";
import { startApp, type TestApp } from "./helpers";
import { NIGHT_DRIVE_ALBUM, NIGHT_DRIVE_TRACK, appleUrl, deezerUrl, startFakeCatalogues, withCheckDigit, type FakeCatalogues, type FakeRelease } from "./fake-catalogues";
import type { AutofillResult, Candidate } from "../src/autofill/model";

let t: TestApp | undefined;
let fakes: FakeCatalogues | undefined;
afterEach(async () => {
  await t?.close();
  await fakes?.stop();
  t = fakes = undefined;
});

async function setUp(releases: FakeRelease[] = [NIGHT_DRIVE_ALBUM, NIGHT_DRIVE_TRACK], per: Parameters<typeof startFakeCatalogues>[1] = {}, env: Record<string, string> = {}) {
  fakes = await startFakeCatalogues(releases, per);
  t = await startApp({ ...fakes.env, ...env });
  return { t, fakes };
}

async function autofill(query: unknown): Promise<AutofillResult> {
  const res = await t!.api("POST", "/api/autofill", { query });
  expect(res.status).toBe(200);
  return res.json();
}

const only = (r: AutofillResult, service: string): Candidate[] => r.destinations.filter((d) => d.service === service);
const statusOf = (r: AutofillResult, catalogue: string) => r.catalogues.find((c) => c.catalogue === catalogue)!.status;
const wrongCheckDigit = (code: string) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
const requestCount = (f: FakeCatalogues) => f.itunes.requests.length + f.deezer.requests.length + f.musicbrainz.requests.length + f.odesli.requests.length;

describe("auto-fill look-ups", () => {
  it("finds an album on every service from its UPC, with sources and confidence", async () => {
    const { fakes } = await setUp();
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    expect(r.query).toEqual({ kind: "upc", value: NIGHT_DRIVE_ALBUM.upc! });
    // iTunes says "Night Drive - Single": the store suffix is not part of the title.
    expect(r.title).toMatchObject({ value: "Night Drive", level: "high", alternatives: [] });
    expect(r.title!.sources.sort()).toEqual(["deezer", "itunes", "musicbrainz", "odesli"]);
    expect(r.artist!.value).toBe("Babbage");
    expect(r.artworkUrl!.value).toContain("1000x1000");
    expect(r.catalogues.map((c) => c.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(r.partial).toBe(false);

    const apple = only(r, "apple-music");
    expect(apple).toHaveLength(1);
    // The store's affiliate parameter is dropped; iTunes (exact UPC look-up) and Odesli agree.
    expect(apple[0]!.url).toBe(appleUrl(NIGHT_DRIVE_ALBUM));
    expect(apple[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["itunes", "odesli"]);
    expect(apple[0]!.sources.find((s) => s.catalogue === "itunes")!.via).toBe("id");
    expect(apple[0]).toMatchObject({ level: "high", conflict: false });
    expect(apple[0]!.confidence).toBeGreaterThan(0.9);

    const deezer = only(r, "deezer");
    expect(deezer).toHaveLength(1);
    expect(deezer[0]!.url).toBe(deezerUrl(NIGHT_DRIVE_ALBUM));
    expect(deezer[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["deezer", "musicbrainz", "odesli"]);

    expect(only(r, "spotify")[0]!.url).toBe(NIGHT_DRIVE_ALBUM.spotifyUrl!);
    expect(only(r, "tidal")[0]!.url).toBe(NIGHT_DRIVE_ALBUM.tidalUrl!);
    // Only Odesli knows YouTube Music: one cross-link is less sure than three catalogues agreeing.
    const ytm = only(r, "youtube-music")[0]!;
    expect(ytm.sources).toEqual([{ catalogue: "odesli", via: "links" }]);
    expect(ytm.confidence).toBeLessThan(deezer[0]!.confidence);
    // Store purchases (Odesli's itunes, amazonStore) and MusicBrainz's shop link are not streaming destinations.
    expect(r.destinations.every((d) => !d.url.includes("geo.itunes") && !d.url.includes("amazon.com/dp") && !d.url.includes("babbage.example"))).toBe(true);

    // MusicBrainz was asked as its policy wants: JSON, and a User-Agent naming the application.
    expect(fakes.musicbrainz.requests.map((q) => q.path)).toEqual(["/release", `/release/${NIGHT_DRIVE_ALBUM.mbid}`]);
    expect(fakes.musicbrainz.requests.every((q) => q.params.get("fmt") === "json" && /^Outro\/\d/.test(q.userAgent ?? ""))).toBe(true);
    // Odesli reads links only: it was asked with a link the exact look-ups found.
    expect(fakes.odesli.requests).toHaveLength(1);
  });

  it("finds a track from its ISRC (dashes and lower case accepted)", async () => {
    const { fakes } = await setUp();
    const r = await autofill("gb-abc-26-00001");
    expect(r.query).toEqual({ kind: "isrc", value: "GBABC2600001" });
    expect(r.title!.value).toBe("Night Drive");
    expect(only(r, "deezer")[0]!.url).toBe(deezerUrl(NIGHT_DRIVE_TRACK));
    expect(only(r, "apple-music")[0]!.url).toBe(appleUrl(NIGHT_DRIVE_TRACK));
    expect(only(r, "spotify")[0]!.url).toBe(NIGHT_DRIVE_TRACK.spotifyUrl!);
    expect(fakes.deezer.requests[0]!.path).toBe("/track/isrc:GBABC2600001");
    expect(fakes.itunes.requests[0]!.params.get("isrc")).toBe("GBABC2600001");
    expect(fakes.musicbrainz.requests[0]!.path).toBe("/isrc/GBABC2600001");
  });

  it("finds the other services from a pasted Spotify link; the pasted link itself is certain", async () => {
    const { fakes } = await setUp();
    const r = await autofill(NIGHT_DRIVE_TRACK.spotifyUrl);
    expect(r.query).toMatchObject({ kind: "url", service: "spotify" });
    expect(only(r, "spotify")).toEqual([expect.objectContaining({ url: NIGHT_DRIVE_TRACK.spotifyUrl, confidence: 1, level: "high" })]);
    expect(only(r, "spotify")[0]!.sources[0]).toEqual({ catalogue: "pasted", via: "input" });
    // Odesli's Deezer and Apple links were then read by id, which named the ISRC for MusicBrainz.
    expect(only(r, "deezer")[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["deezer", "musicbrainz", "odesli"]);
    expect(only(r, "apple-music")[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["itunes", "odesli"]);
    expect(fakes.deezer.requests.map((q) => q.path)).toEqual([`/track/${NIGHT_DRIVE_TRACK.deezerId}`]);
    expect(fakes.musicbrainz.requests[0]!.path).toBe("/isrc/GBABC2600001");
    expect(statusOf(r, "musicbrainz")).toBe("ok");
  });

  it("reads a pasted Deezer link by its id, then the others by the ISRC it names", async () => {
    const { fakes } = await setUp();
    const r = await autofill(`https://www.deezer.com/fr/track/${NIGHT_DRIVE_TRACK.deezerId}`);
    expect(r.query).toMatchObject({ kind: "url", service: "deezer" });
    expect(fakes.deezer.requests[0]!.path).toBe(`/track/${NIGHT_DRIVE_TRACK.deezerId}`);
    expect(fakes.itunes.requests[0]!.params.get("isrc")).toBe("GBABC2600001");
    // The pasted locale URL and the catalogues' canonical one are the same destination, not a conflict.
    expect(only(r, "deezer")).toHaveLength(1);
    expect(only(r, "deezer")[0]!.url).toBe(`https://www.deezer.com/fr/track/${NIGHT_DRIVE_TRACK.deezerId}`);
    expect(only(r, "spotify")[0]!.url).toBe(NIGHT_DRIVE_TRACK.spotifyUrl!);
  });

  it("recognises TIDAL and YouTube Music links and asks Odesli, then reads its links by id", async () => {
    const { fakes } = await setUp();
    for (const url of [NIGHT_DRIVE_ALBUM.tidalUrl!, NIGHT_DRIVE_ALBUM.youtubeMusicUrl!]) {
      const r = await autofill(url);
      expect(r.query).toMatchObject({ kind: "url", service: url.includes("tidal") ? "tidal" : "youtube-music" });
      expect(only(r, "apple-music")[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["itunes", "odesli"]);
      expect(only(r, "deezer")[0]!.url).toBe(deezerUrl(NIGHT_DRIVE_ALBUM));
    }
    expect(fakes.odesli.requests.map((q) => q.params.get("url"))).toEqual([NIGHT_DRIVE_ALBUM.tidalUrl!, NIGHT_DRIVE_ALBUM.youtubeMusicUrl!]);
    expect(fakes.deezer.requests[0]!.path).toBe(`/album/${NIGHT_DRIVE_ALBUM.deezerId}`);
  });

  it("shows conflicting answers side by side instead of merging them", async () => {
    // Deezer files the same UPC under another album, with another title.
    const deluxe = { ...NIGHT_DRIVE_ALBUM, title: "Night Drive (Deluxe)", deezerId: 999999 };
    await setUp([NIGHT_DRIVE_ALBUM], { deezer: [deluxe] });
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    const deezer = only(r, "deezer");
    expect(deezer.map((d) => d.url).sort()).toEqual([deezerUrl(deluxe), deezerUrl(NIGHT_DRIVE_ALBUM)].sort());
    expect(deezer.every((d) => d.conflict)).toBe(true);
    // Odesli and MusicBrainz agree on one, so it ranks first; Deezer's own stays listed.
    expect(deezer[0]!.url).toBe(deezerUrl(NIGHT_DRIVE_ALBUM));
    expect(deezer[1]!.sources).toEqual([{ catalogue: "deezer", via: "id" }]);
    expect(r.title!.value).toBe("Night Drive");
    expect(r.title!.alternatives).toEqual([{ value: "Night Drive (Deluxe)", sources: ["deezer"] }]);
    expect(r.title!.level).not.toBe("high");
    expect(only(r, "spotify")[0]!.conflict).toBe(false);
  });

  it("gives a partial answer that names the catalogue that failed", async () => {
    const { fakes } = await setUp();
    fakes.deezer.behaviour = "down";
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    expect(r.partial).toBe(true);
    expect(r.catalogues.find((c) => c.catalogue === "deezer")).toMatchObject({ status: "unavailable", message: "answered HTTP 502" });
    expect(statusOf(r, "itunes")).toBe("ok");
    // Deezer's link still comes, from the catalogues that did answer; none names Deezer as a source.
    expect(only(r, "deezer")[0]!.sources.map((s) => s.catalogue).sort()).toEqual(["musicbrainz", "odesli"]);
    expect(only(r, "apple-music")).toHaveLength(1);
  });

  it("answers within the deadline when a catalogue hangs, with the others' matches", async () => {
    const { fakes } = await setUp();
    fakes.musicbrainz.behaviour = "hang";
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    expect(r.catalogues.find((c) => c.catalogue === "musicbrainz")).toMatchObject({ status: "timeout" });
    expect(r.partial).toBe(true);
    expect(only(r, "apple-music")).toHaveLength(1);
    expect(only(r, "spotify")[0]!.sources).toEqual([{ catalogue: "odesli", via: "links" }]);
    // A catalogue that timed out is not asked again in the same look-up.
    expect(fakes.musicbrainz.requests).toHaveLength(1);
  });

  it("never waits past the overall deadline, even when the per-request timeout is longer", async () => {
    const { fakes } = await setUp(undefined, undefined, { AUTOFILL_TIMEOUT_MS: "20000", AUTOFILL_DEADLINE_MS: "700" });
    fakes.itunes.behaviour = "hang";
    fakes.odesli.behaviour = "hang";
    // If the answer waited for the hanging fakes (30 s), this test would time out.
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    expect(statusOf(r, "itunes")).toBe("timeout");
    expect(statusOf(r, "odesli")).toBe("timeout");
    expect(only(r, "deezer")[0]!.url).toBe(deezerUrl(NIGHT_DRIVE_ALBUM));
  }, 5000);

  it("reports a catalogue's throttling as rate limited", async () => {
    const { fakes } = await setUp();
    fakes.deezer.behaviour = "throttle"; // Deezer's HTTP 200 with error code 4
    fakes.odesli.behaviour = "throttle"; // HTTP 429
    const r = await autofill(NIGHT_DRIVE_ALBUM.upc);
    expect(statusOf(r, "deezer")).toBe("rate_limited");
    expect(statusOf(r, "odesli")).toBe("rate_limited");
    expect(r.partial).toBe(true);
    expect(only(r, "apple-music")).toHaveLength(1);
  });

  it("says no match when no catalogue knows the code", async () => {
    await setUp();
    const r = await autofill(withCheckDigit("00000000001"));
    expect(r.destinations).toEqual([]);
    expect(r.title).toBeNull();
    expect(r.partial).toBe(false);
    expect(statusOf(r, "itunes")).toBe("no_match");
    expect(statusOf(r, "odesli")).toBe("not_asked");
  });

  it("caches a recent answer briefly", async () => {
    const { fakes } = await setUp();
    const first = await autofill(NIGHT_DRIVE_ALBUM.upc);
    const asked = requestCount(fakes);
    const second = await autofill(` ${NIGHT_DRIVE_ALBUM.upc} `);
    expect(second.cached).toBe(true);
    expect(first.cached).toBe(false);
    expect(second.destinations).toEqual(first.destinations);
    expect(requestCount(fakes)).toBe(asked);
  });
});

describe("auto-fill API input", () => {
  it("refuses bad input with a 422 naming the field, and asks no catalogue", async () => {
    const { fakes } = await setUp();
    const cases: [unknown, string][] = [
      [{}, "query"],
      [{ query: "" }, "required"],
      [{ query: "night drive babbage" }, "UPC"],
      [{ query: "60244579098" }, "11 digits"],
      [{ query: wrongCheckDigit(NIGHT_DRIVE_ALBUM.upc!) }, "last digit"],
      [{ query: "ftp://open.spotify.com/track/x" }, "http"],
      [{ query: "javascript:alert(1)" }, "http"],
      [{ query: "https://babbage.example/night-drive" }, "streaming service"],
      [{ query: "https://www.instagram.com/babbage" }, "streaming service"],
      [{ query: 602445790982 }, "query"],
    ];
    for (const [body, words] of cases) {
      const res = await t!.api("POST", "/api/autofill", body);
      expect(res.status).toBe(422);
      const err = (await res.json()).error;
      expect(err.code).toBe("invalid");
      expect(Object.keys(err.fields)).toEqual(["query"]);
      expect(JSON.stringify(err)).toContain(words);
    }
    const broken = await t!.api("POST", "/api/autofill", "{not json");
    expect(broken.status).toBe(400);
    expect((await t!.api("POST", "/api/autofill", { query: NIGHT_DRIVE_ALBUM.upc }, null)).status).toBe(401);
    expect(requestCount(fakes)).toBe(0);
  });

  it("is described in the OpenAPI document", async () => {
    await setUp();
    const doc = await (await t!.req("/api/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/autofill", "/api/links/{slug}/autofill", "/api/links/{slug}/refill"]));
    expect(doc.paths["/api/autofill"].post.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.paths["/api/autofill"].post.requestBody.content["application/json"].schema.properties)).toEqual(["query"]);
    expect(Object.keys(doc.paths["/api/links/{slug}/autofill"].post.requestBody.content["application/json"].schema.properties))
      .toEqual(expect.arrayContaining(["destinations", "title", "artist", "artworkUrl", "query"]));
  });
});
