import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";

let t: TestApp;
beforeEach(async () => { t = await startApp({ PUBLIC_URL: "https://music.example" }); });
afterEach(async () => { await t.close(); });

const page = async (path: string) => {
  const res = await t.req(path, { headers: { "user-agent": HUMAN_UA } });
  return { res, html: await res.text() };
};
const hrefs = (html: string) => [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]!);

const EVIL = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe("release smart link page", () => {
  it("carries each view's own UTM parameters, however views alternate", async () => {
    await t.createLink(release("night-drive"));
    for (const q of ["?utm_source=ig", "?utm_source=ig", "?utm_source=tt", "", "?utm_source=ig&utm_campaign=x"]) {
      const { html } = await page(`/night-drive${q}`);
      const carried = hrefs(html).filter((h) => h.startsWith("/night-drive/go/")).map((h) => h.slice(h.indexOf("?") === -1 ? h.length : h.indexOf("?")));
      expect(carried.length).toBeGreaterThan(0);
      expect(carried.every((c) => c === q.replace(/&/g, "&amp;"))).toBe(true);
    }
  });

  it("shows artwork, title, artist and one button per destination in order", async () => {
    await t.createLink(release("night-drive", { destinations: [
      { url: "https://tidal.com/browse/track/1" },
      { url: "https://open.spotify.com/track/abc" },
      { url: "https://music.youtube.com/watch?v=1" },
      { url: "https://babbage.example/merch", label: "Merch" },
    ] }));
    const { res, html } = await page("/night-drive");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<img class="art" src="https://example.com/cover.jpg" alt="Cover art of Night Drive by Babbage"');
    expect(html).toContain("<h1>Night Drive</h1>");
    expect(html).toContain("Babbage");
    const buttons = [...html.matchAll(/class="dest" href="([^"]+)" data-key="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(buttons).toEqual([
      ["/night-drive/go/tidal", "tidal"],
      ["/night-drive/go/spotify", "spotify"],
      ["/night-drive/go/youtube-music", "youtube-music"],
      ["/night-drive/go/merch", "merch"],
    ]);
    expect(html).toContain('src="/assets/icons/spotify.svg"');
    expect(html).toContain(">Merch<");
  });

  it("has Open Graph and Twitter tags with absolute URLs", async () => {
    await t.createLink(release("night-drive", { artworkUrl: "/media/0123456789abcdef0123456789abcdef.jpg" }));
    const { html } = await page("/night-drive");
    // Pages are ASCII: "–" travels as a character reference, which every HTML parser reads back.
    expect(html).toContain('<meta property="og:title" content="Night Drive &#8211; Babbage"');
    expect(/[^\x00-\x7f]/.test(html)).toBe(false);
    expect(html).toContain('<meta property="og:url" content="https://music.example/night-drive"');
    expect(html).toContain('<meta property="og:image" content="https://music.example/media/0123456789abcdef0123456789abcdef.jpg"');
    expect(html).toContain('<meta name="twitter:card" content="summary_large_image"');
    expect(html).toContain('<meta name="twitter:image" content="https://music.example/media/');
    expect(html).toMatch(/og:description" content="Listen on Spotify, Apple Music/);
  });

  it("stays under 15 KB with 25 destinations", async () => {
    const destinations = Array.from({ length: 25 }, (_, i) => ({ url: `https://open.spotify.com/track/${i}`, label: `Version ${i}` }));
    await t.createLink(release("big", { destinations }));
    const { html } = await page("/big");
    expect(new TextEncoder().encode(html).length).toBeLessThan(15 * 1024);
  });

  it("escapes markup in every text field", async () => {
    await t.createLink(release("evil", {
      title: EVIL, artist: EVIL, bio: EVIL,
      artworkUrl: `https://example.com/a.jpg?"><script>alert(1)</script>`,
      destinations: [{ url: `https://example.com/?q="><script>alert(1)</script>`, label: EVIL }],
    }));
    const { html } = await page("/evil");
    // Inside a quoted attribute "<" is inert; what matters is that nothing breaks out of one.
    const outsideAttributes = html.replace(/="[^"]*"/g, '=""');
    expect(outsideAttributes).not.toContain("<script");
    expect(outsideAttributes).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;");
    // Attributes are escaped in full too: no raw markup anywhere in the page.
    expect(html).toContain('content="https://example.com/a.jpg?&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("evil.example");
  });

  it("is accessible: lang, labelled navigation, alt text, visible focus style", async () => {
    await t.createLink(release());
    const { html } = await page("/night-drive");
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<nav aria-label="Listen on">');
    expect(html).toContain('name="viewport"');
    const css = await (await t.req("/assets/page.css")).text();
    expect(css).toContain(":focus-visible");
    expect((await t.req("/assets/page.css")).headers.get("cache-control")).toContain("max-age=31536000");
  });

  it("answers 404 with a proper HTML page for unknown, malformed and reserved slugs", async () => {
    for (const path of ["/nope", "/UPPER", "/-x-", "/a%20b", "/admin-not", "/x".repeat(1) + "y".repeat(80)]) {
      const { res, html } = await page(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(html).toContain("Nothing here");
    }
  });

  it("serves icons as SVG with long caching", async () => {
    const res = await t.req("/assets/icons/spotify.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(await res.text()).toContain("<svg");
    expect((await t.req("/assets/icons/..%2Fetc.svg")).status).toBe(404);
    // A pale brand colour would vanish on the white icon tile: drawn dark instead.
    expect(await (await t.req("/assets/icons/snapchat.svg")).text()).toContain("#111318");
    expect(await (await t.req("/assets/icons/spotify.svg")).text()).not.toContain("#111318");
  });
});

describe("bio hub page", () => {
  it("shows avatar, name, bio, the newest published release, links and socials — all through the click-out", async () => {
    await t.createLink(release("old-single", { title: "Old Single" }));
    await Bun.sleep(5);
    await t.createLink(release("new-single", { title: "New Single" }));
    await Bun.sleep(5);
    await t.createLink(release("draft", { title: "Draft", published: false }));
    await t.createLink({
      slug: "babbage", type: "bio", title: "Babbage", bio: "Synths from Leeds.",
      artworkUrl: "https://example.com/me.jpg",
      destinations: [
        { url: "https://babbage.example/merch", label: "Merch" },
        { url: "https://tickets.example/babbage", label: "Tour dates" },
        { url: "https://www.instagram.com/babbage" },
        { url: "https://www.tiktok.com/@babbage" },
        { url: "https://open.spotify.com/artist/1" },
      ],
    });
    const { res, html } = await page("/babbage");
    expect(res.status).toBe(200);
    expect(html).toContain('class="avatar" src="https://example.com/me.jpg"');
    expect(html).toContain("<h1>Babbage</h1>");
    expect(html).toContain("Synths from Leeds.");
    expect(html).toContain("<strong>New Single</strong>");
    expect(html).not.toContain("Draft");
    expect(html).toContain('aria-label="Instagram"');
    expect(html).toContain('aria-label="TikTok"');
    const links = hrefs(html).filter((h) => !h.startsWith("/assets"));
    expect(links.length).toBe(6);
    expect(links.every((h) => h.startsWith("/babbage/go/"))).toBe(true);

    const featured = await t.req("/babbage/go/featured", { headers: { "user-agent": HUMAN_UA } });
    expect(featured.status).toBe(302);
    expect(featured.headers.get("location")).toBe("https://music.example/new-single");
  });

  it("sends ticket taps through the click-out too, each show by its own key", async () => {
    const hub = await t.createLink({ slug: "babbage", type: "bio", title: "Babbage" });
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const insert = t.db.query("INSERT INTO tour_dates (link_id, date, city, venue, ticket_url) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.run(hub.id, later, "Leeds", "Brudenell", "https://tix.example/leeds");
    insert.run(hub.id, later, "Leeds", "Late show", "https://tix.example/leeds-late");
    insert.run(hub.id, later, "York", "", null);
    t.outro.links.touch();
    const { html } = await page("/babbage?utm_source=ig");
    expect(html).toContain(`href="/babbage/go/tickets-${later}?utm_source=ig"`);
    expect(html).toContain(`href="/babbage/go/tickets-${later}-2?utm_source=ig"`);
    expect(html).not.toContain("tix.example");
    const go = await t.req(`/babbage/go/tickets-${later}-2`, { headers: { "user-agent": HUMAN_UA } });
    expect(go.status).toBe(302);
    expect(go.headers.get("location")).toBe("https://tix.example/leeds-late");
    // A show without a ticket URL, or a date that is not a show, has no click-out.
    expect((await t.req(`/babbage/go/tickets-${later}-3`)).status).toBe(404);
    expect((await t.req("/babbage/go/tickets-2001-01-01")).status).toBe(404);
    const clicks = t.db.query<{ dest_key: string }, []>("SELECT dest_key FROM clicks").all();
    expect(clicks).toEqual([{ dest_key: `tickets-${later}-2` }]);
  });

  it("features the chosen release when one is set", async () => {
    await t.createLink(release("old-single", { title: "Old Single" }));
    await t.createLink(release("new-single", { title: "New Single" }));
    await t.createLink({ slug: "hub", type: "bio", title: "B", featuredSlug: "old-single" });
    const { html } = await page("/hub");
    expect(html).toContain("<strong>Old Single</strong>");
    const bad = await t.api("POST", "/api/links", { slug: "hub2", type: "bio", title: "B", featuredSlug: "missing" });
    expect(bad.status).toBe(422);
  });
});

describe("health", () => {
  it("answers {status: ok}", async () => {
    const res = await t.req("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});

describe("ASCII pages", () => {
  it("writes other characters as references that read back the same in markup, scripts and styles", async () => {
    const { asciiHtml } = await import("../src/links/page-template");
    const html = asciiHtml(`<title>Night – Drive 🎵</title><p title="é">Ünï 🎵</p><script type="application/json">{"name":"Night – Drive 🎵"}</script><style>a::after{content:"–"}</style>`);
    expect(/[^\x00-\x7f]/.test(html)).toBe(false);
    expect(html).toContain("<title>Night &#8211; Drive &#127925;</title>");
    expect(html).toContain('<p title="&#233;">&#220;n&#239; &#127925;</p>');
    expect(html).toContain('a::after{content:"\\2013 "}');
    const json = html.slice(html.indexOf('json">') + 6, html.indexOf("</script>"));
    expect(JSON.parse(json)).toEqual({ name: "Night – Drive 🎵" });
    expect(asciiHtml("<p>plain</p>")).toBe("<p>plain</p>");
  });
});
