import { afterEach, describe, expect, it } from "bun:test";
import { startApp, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";
import { NIGHT_DRIVE_ALBUM, appleUrl, deezerUrl, startFakeCatalogues, type FakeCatalogues } from "./fake-catalogues";
import { refillLink, refillLinkReport } from "../src/autofill/apply";

let t: TestApp | undefined;
let fakes: FakeCatalogues | undefined;
afterEach(async () => {
  await t?.close();
  await fakes?.stop();
  t = fakes = undefined;
});

const MANUAL_SPOTIFY = "https://open.spotify.com/album/ArtistTypedThisOne";

async function setUp(env: Record<string, string> = {}) {
  fakes = await startFakeCatalogues([NIGHT_DRIVE_ALBUM]);
  t = await startApp({ ...fakes.env, ADMIN_PASSWORD, ...env });
  return { t, fakes };
}

/** A release the artist started by hand: their own Spotify link (not the one the catalogues know) and a merch link. */
const handMade = (extra: Record<string, unknown> = {}) => ({
  slug: "night-drive", type: "release", title: "Night Drive (my title)", artist: "",
  // Every field of a manual entry must survive: its per-country URL and hidden countries too.
  destinations: [{ url: MANUAL_SPOTIFY, countryUrls: { DE: "https://open.spotify.com/album/ForGermany" }, hiddenIn: ["CN"] }, { url: "https://babbage.example/merch", label: "Merch" }],
  ...extra,
});

const byService = (link: { destinations: { service: string | null; url: string; key: string }[] }) =>
  Object.fromEntries(link.destinations.map((d) => [d.service ?? d.key, d.url]));

describe("auto-fill: applying matches through the API", () => {
  it("adds accepted destinations for missing services only, and fills only empty fields", async () => {
    await setUp();
    await t!.createLink(handMade());
    const res = await t!.api("POST", "/api/links/night-drive/autofill", {
      destinations: [{ url: "https://open.spotify.com/album/SomethingElse" }, { url: NIGHT_DRIVE_ALBUM.tidalUrl }, { url: deezerUrl(NIGHT_DRIVE_ALBUM), service: "deezer" }, { url: "https://www.deezer.com/album/2" }],
      title: "Night Drive", artist: "Babbage", artworkUrl: "https://e-cdns-images.dzcdn.net/images/cover/1/1000x1000.jpg",
      query: NIGHT_DRIVE_ALBUM.upc,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.added.map((d: { service: string }) => d.service)).toEqual(["tidal", "deezer"]);
    expect(body.skipped).toEqual([
      { url: "https://open.spotify.com/album/SomethingElse", service: "spotify", reason: "kept: the link already has Spotify" },
      { url: "https://www.deezer.com/album/2", service: "deezer", reason: "another Deezer link was accepted first" },
    ]);
    expect(body.filled).toEqual(["artist", "artworkUrl"]);
    expect(body.link.title).toBe("Night Drive (my title)");
    expect(body.link.artist).toBe("Babbage");
    // The manual entries are first, unchanged, with their keys.
    expect(body.link.destinations.slice(0, 2)).toEqual([
      expect.objectContaining({ key: "spotify", url: MANUAL_SPOTIFY, service: "spotify", label: null }),
      expect.objectContaining({ key: "merch", url: "https://babbage.example/merch", service: null, label: "Merch" }),
    ]);
  });

  it("refuses a bad destination with a 422 and changes nothing", async () => {
    await setUp();
    await t!.createLink(handMade());
    for (const url of ["javascript:alert(1)", "not a url"]) {
      const res = await t!.api("POST", "/api/links/night-drive/autofill", { destinations: [{ url: NIGHT_DRIVE_ALBUM.tidalUrl }, { url }] });
      expect(res.status).toBe(422);
      expect(Object.keys((await res.json()).error.fields)).toEqual(["destinations.1.url"]);
    }
    const bad = await t!.api("POST", "/api/links/night-drive/autofill", { destinations: [], query: "no such thing" });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.fields).toHaveProperty("query");
    expect((await t!.api("POST", "/api/links/nope/autofill", { destinations: [] })).status).toBe(404);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations).toHaveLength(2);
  });
});

describe("auto-fill: re-running for a stored link (release day)", () => {
  it("adds only the services the link lacks, never changes or removes one, and says what it added", async () => {
    const { fakes } = await setUp();
    const created = await t!.createLink(handMade());
    await t!.api("POST", "/api/links/night-drive/autofill", { destinations: [], query: NIGHT_DRIVE_ALBUM.upc });

    const { added, result } = await refillLinkReport(t!.outro.links, t!.outro.autofill, "night-drive");
    expect(result!.query).toEqual({ kind: "upc", value: NIGHT_DRIVE_ALBUM.upc! });
    expect(added.map((d) => d.service).sort()).toEqual(["apple-music", "deezer", "tidal", "youtube-music"]);
    const link = t!.outro.links.get("night-drive");
    expect(byService(link)).toMatchObject({ spotify: MANUAL_SPOTIFY, merch: "https://babbage.example/merch", "apple-music": appleUrl(NIGHT_DRIVE_ALBUM), deezer: deezerUrl(NIGHT_DRIVE_ALBUM) });
    expect(link.destinations.slice(0, 2)).toEqual(created.destinations);
    expect(link.destinations[0]).toMatchObject({ countryUrls: { DE: "https://open.spotify.com/album/ForGermany" }, hiddenIn: ["CN"] });

    // Fresh from the catalogues (no cache), and nothing new the second time.
    const asked = fakes.deezer.requests.length;
    expect(await refillLink(t!.outro.links, t!.outro.autofill, "night-drive")).toEqual([]);
    expect(fakes.deezer.requests.length).toBeGreaterThan(asked);
    expect(t!.outro.links.get("night-drive").destinations).toEqual(link.destinations);
  });

  it("falls back to the first streaming destination, and adds nothing the catalogues disagree on", async () => {
    fakes = await startFakeCatalogues([NIGHT_DRIVE_ALBUM], { deezer: [{ ...NIGHT_DRIVE_ALBUM, deezerId: 424242 }] });
    t = await startApp({ ...fakes.env });
    await t.createLink({ slug: "night-drive", title: "Night Drive", destinations: [{ url: "https://babbage.example/merch", label: "Merch" }, { url: appleUrl(NIGHT_DRIVE_ALBUM) }] });
    const res = await t.api("POST", "/api/links/night-drive/refill");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(fakes.itunes.requests[0]!.params.get("id")).toBe(String(NIGHT_DRIVE_ALBUM.itunesId));
    const services = body.added.map((d: { service: string }) => d.service);
    expect(services).toContain("spotify");
    // Odesli says one Deezer album, Deezer itself another: left for the artist to pick.
    expect(services).not.toContain("deezer");
    expect(byService(body.link)["apple-music"]).toBe(appleUrl(NIGHT_DRIVE_ALBUM));
  });

  it("does nothing for a link with nothing to look up, or when every catalogue is down", async () => {
    await setUp();
    await t!.createLink({ slug: "merch-only", title: "Merch", destinations: [{ url: "https://babbage.example/merch", label: "Merch" }] });
    expect(await refillLinkReport(t!.outro.links, t!.outro.autofill, "merch-only")).toEqual({ added: [], result: null });
    expect(fakes!.deezer.requests).toHaveLength(0);
    await expect(refillLink(t!.outro.links, t!.outro.autofill, "no-such-link")).rejects.toMatchObject({ status: 404 });
    // Every catalogue down: nothing added, nothing thrown, nothing changed.
    for (const f of [fakes!.itunes, fakes!.deezer, fakes!.musicbrainz, fakes!.odesli]) f.behaviour = "down";
    await t!.createLink({ slug: "down", title: "Night Drive", destinations: [{ url: deezerUrl(NIGHT_DRIVE_ALBUM) }] });
    const report = await refillLinkReport(t!.outro.links, t!.outro.autofill, "down");
    expect(report.added).toEqual([]);
    expect(report.result!.partial).toBe(true);
    expect(t!.outro.links.get("down").destinations.map((d) => d.url)).toEqual([deezerUrl(NIGHT_DRIVE_ALBUM)]);
  });
});

/** The form fields a browser would send: hidden inputs, text inputs, and ticked checkboxes. */
function formFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`<form method="post" action="${action}"`);
  const form = html.slice(start, html.indexOf("</form>", start));
  const decode = (s: string) => s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    const attr = (n: string) => new RegExp(`\\s${n}="([^"]*)"`).exec(tag)?.[1];
    const name = attr("name");
    if (!name) continue;
    if (attr("type") === "checkbox" && !/\schecked(\s|>|\/|=)/.test(tag)) continue;
    out[name] = decode(attr("value") ?? "");
  }
  return out;
}

describe("auto-fill in the admin (no JavaScript)", () => {
  it("finds matches from the editor's box, lists source and confidence, and adds the ticked ones keeping manual entries", async () => {
    await setUp();
    await t!.createLink(handMade());
    const admin = new AdminClient(t!);
    expect((await admin.signIn()).status).toBe(303);

    const editor = await admin.page("/admin/links/night-drive");
    expect(editor).toContain('action="/admin/links/night-drive/autofill"');
    expect(editor).toMatch(/<form method="get" action="\/admin\/links\/night-drive\/autofill"/);

    const res = await admin.get(`/admin/links/night-drive/autofill?q=${NIGHT_DRIVE_ALBUM.upc}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Deezer");
    expect(html).toContain("exact look-up");
    expect(html).toMatch(/conf-high/);
    expect(html).toContain("Kept: the link already has Spotify");
    expect(html).toContain("Kept: yours is “Night Drive (my title)”");
    const fields = formFields(html, "/admin/links/night-drive/autofill");
    // Spotify is on the link already: no box to tick for it.
    expect(Object.entries(fields).filter(([k, v]) => k.endsWith("-service") && v === "spotify")).toEqual([]);
    expect(fields["use-artist"]).toBe("on");
    expect(fields["use-title"]).toBeUndefined();

    const posted = await admin.post("/admin/links/night-drive/autofill", fields);
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe("/admin/links/night-drive?autofilled=4");
    expect(await admin.page(posted.headers.get("location")!)).toContain("Auto-fill added 4 destinations. Your own entries were kept.");
    const link = t!.outro.links.get("night-drive");
    expect(link.title).toBe("Night Drive (my title)");
    expect(link.artist).toBe("Babbage");
    expect(byService(link)).toMatchObject({ spotify: MANUAL_SPOTIFY, "apple-music": appleUrl(NIGHT_DRIVE_ALBUM), deezer: deezerUrl(NIGHT_DRIVE_ALBUM), tidal: NIGHT_DRIVE_ALBUM.tidalUrl! });
    // The query is remembered for the release-day re-run.
    expect(t!.outro.autofill.storedQuery(link.id)).toEqual({ kind: "upc", value: NIGHT_DRIVE_ALBUM.upc! });
  });

  it("starts a new release link from one paste: the ticked matches fill the new-link form, nothing is stored until it is created", async () => {
    await setUp();
    const admin = new AdminClient(t!);
    await admin.signIn();
    expect(await admin.page("/admin/links/new")).toMatch(/<form method="get" action="\/admin\/links\/new\/autofill"/);
    const html = await admin.page(`/admin/links/new/autofill?q=${encodeURIComponent(NIGHT_DRIVE_ALBUM.spotifyUrl!)}`);
    expect(html).toContain("Start the link with the ticked ones");
    expect(html).not.toContain("Kept:");
    const fields = formFields(html, "/admin/links/new/autofill");
    expect(fields["use-title"]).toBe("on");

    const filled = await admin.post("/admin/links/new/autofill", fields);
    expect(filled.status).toBe(200);
    const form = await filled.text();
    expect(form).toContain("Filled from auto-fill with 5 services");
    expect(t!.outro.links.list()).toEqual([]);
    const draft = formFields(form, "/admin/links");
    expect(draft).toMatchObject({ title: "Night Drive", artist: "Babbage", slug: "night-drive", "dest-0-url": NIGHT_DRIVE_ALBUM.spotifyUrl! });

    const created = await admin.post("/admin/links", { ...draft, action: "save" });
    expect(created.status).toBe(303);
    const link = t!.outro.links.get("night-drive");
    expect(byService(link)).toMatchObject({ spotify: NIGHT_DRIVE_ALBUM.spotifyUrl!, "apple-music": appleUrl(NIGHT_DRIVE_ALBUM), deezer: deezerUrl(NIGHT_DRIVE_ALBUM), tidal: NIGHT_DRIVE_ALBUM.tidalUrl! });
    expect(link.artworkUrl).toContain("1000x1000");
  });

  it("keeps the input and shows the error next to it for a bad query; refuses a post without CSRF", async () => {
    const { fakes } = await setUp();
    await t!.createLink(handMade());
    const admin = new AdminClient(t!);
    await admin.signIn();
    const res = await admin.get(`/admin/links/night-drive/autofill?q=${encodeURIComponent("<b>not a code</b>")}`);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="q-error"[^>]*>paste a link/);
    // Kept in the field, inside a quoted attribute (where only quotes and ampersands need escaping); never as markup.
    expect(html).toContain('name="q" value="<b>not a code</b>"');
    expect(html.split("<b>").length).toBe(2);
    expect(fakes.deezer.requests).toHaveLength(0);

    const forged = await admin.post("/admin/links/night-drive/autofill", { _csrf: "wrong", "accept-0": "on", "cand-0-url": NIGHT_DRIVE_ALBUM.tidalUrl!, "cand-0-service": "tidal" });
    expect(forged.status).toBe(403);
    const tampered = await admin.post("/admin/links/night-drive/autofill", { q: NIGHT_DRIVE_ALBUM.upc!, "accept-0": "on", "cand-0-url": "javascript:alert(1)" });
    expect(tampered.status).toBe(422);
    expect(await tampered.text()).toContain("Nothing was added");
    expect(t!.outro.links.get("night-drive").destinations).toHaveLength(2);
  });

  it("escapes what catalogues answer and shows which one failed", async () => {
    fakes = await startFakeCatalogues([{ ...NIGHT_DRIVE_ALBUM, title: "Night <img src=x onerror=alert(1)> Drive" }]);
    fakes.musicbrainz.behaviour = "down";
    t = await startApp({ ...fakes.env, ADMIN_PASSWORD });
    await t.createLink(handMade());
    const admin = new AdminClient(t);
    await admin.signIn();
    const html = await admin.page(`/admin/links/night-drive/autofill?q=${NIGHT_DRIVE_ALBUM.upc}`);
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x");
    expect(html).toMatch(/MusicBrainz<\/strong>: <span class="badge status-unavailable">failed<\/span>/);
    expect(html).toContain("Some catalogues did not answer");
  });

  it("offers auto-fill on release links only, and needs a session", async () => {
    await setUp();
    await t!.createLink({ slug: "babbage", type: "bio", title: "Babbage" });
    expect((await t!.req("/admin/links/babbage/autofill")).status).toBe(303);
    const admin = new AdminClient(t!);
    await admin.signIn();
    expect((await admin.get("/admin/links/babbage/autofill")).status).toBe(404);
    expect(await admin.page("/admin/links/babbage")).not.toContain("/autofill");
  });
});
