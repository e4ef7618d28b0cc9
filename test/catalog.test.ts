import { describe, expect, it } from "bun:test";
import { catalogEntry, detectService, iconSvg, inlineIcon, socials, streamingServices } from "../src/catalog";

const all = [...streamingServices, ...socials];

// One or more real-looking links per entry; the coverage test below keeps this table complete.
const URLS: [string, string][] = [
  ["https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT?si=abc", "spotify"],
  ["https://open.spotify.com/intl-de/album/2noRn2Aes5aoNVsU6iWThc", "spotify"],
  ["https://spotify.link/AbCdEf123", "spotify"],
  ["https://spoti.fi/3xYz", "spotify"],
  ["https://music.apple.com/us/album/folklore/1528112358", "apple-music"],
  ["https://music.apple.com/gb/album/folklore/1528112358?i=1528112361", "apple-music"],
  ["https://geo.music.apple.com/de/album/_/1528112358", "apple-music"],
  ["https://itunes.apple.com/us/album/id1528112358", "apple-music"],
  ["https://music.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "youtube-music"],
  ["https://music.youtube.com/playlist?list=OLAK5uy_abc", "youtube-music"],
  ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"],
  ["https://m.youtube.com/@artist", "youtube"],
  ["https://youtu.be/dQw4w9WgXcQ?t=42", "youtube"],
  ["https://music.amazon.com/albums/B08DG4Q5W7", "amazon-music"],
  ["https://music.amazon.de/albums/B08DG4Q5W7", "amazon-music"],
  ["https://music.amazon.co.uk/artists/B000QJQ2CY", "amazon-music"],
  ["https://music.amazon.co.jp/albums/B08DG4Q5W7", "amazon-music"],
  ["https://music.amazon.com.br/albums/B08DG4Q5W7", "amazon-music"],
  ["https://www.amazon.com/music/player/albums/B08DG4Q5W7", "amazon-music"],
  ["https://www.amazon.fr/music/unlimited", "amazon-music"],
  ["https://www.deezer.com/en/album/302127", "deezer"],
  ["https://deezer.page.link/abcdEFGH", "deezer"],
  ["https://link.deezer.com/s/30abc", "deezer"],
  ["https://tidal.com/browse/album/77646168", "tidal"],
  ["https://listen.tidal.com/album/77646168", "tidal"],
  ["https://soundcloud.com/artist/track-name", "soundcloud"],
  ["https://on.soundcloud.com/AbCdE", "soundcloud"],
  ["https://m.soundcloud.com/artist", "soundcloud"],
  ["https://artist.bandcamp.com/album/first-light", "bandcamp"],
  ["https://bandcamp.com/artist", "bandcamp"],
  ["https://audiomack.com/artist/song/title", "audiomack"],
  ["https://www.pandora.com/artist/tim-white/AR7k2xlgmVzbZ9q", "pandora"],
  ["https://pandora.app.link/xyz", "pandora"],
  ["https://open.qobuz.com/album/0060254728331", "qobuz"],
  ["https://www.qobuz.com/us-en/album/title/0060254728331", "qobuz"],
  ["https://www.beatport.com/release/title/1234567", "beatport"],
  ["https://play.anghami.com/album/1234", "anghami"],
  ["https://www.boomplay.com/songs/123456", "boomplay"],
  ["https://www.iheart.com/artist/tim-white-30236958/", "iheartradio"],
  ["https://www.shazam.com/track/12345/title", "shazam"],
  ["https://audius.co/artist/track-title", "audius"],
  ["https://www.jiosaavn.com/album/title/AbCdEf__", "jiosaavn"],
  ["https://us.napster.com/artist/artist-name", "napster"],
  ["https://play.kkbox.com/album/abc123", "kkbox"],
  ["https://www.kkbox.com/tw/tc/album/abc123", "kkbox"],
  ["https://music.yandex.ru/album/123/track/456", "yandex-music"],
  ["https://music.yandex.com/album/123", "yandex-music"],
  ["https://music.163.com/#/song?id=123456", "netease-cloud-music"],
  ["https://y.music.163.com/m/song?id=123456", "netease-cloud-music"],
  ["https://y.qq.com/n/ryqq/songDetail/000abc", "qq-music"],
  ["https://i.y.qq.com/v8/playsong.html?songmid=000abc", "qq-music"],
  ["https://www.melon.com/album/detail.htm?albumId=123", "melon"],
  ["https://www.mixcloud.com/artist/mix-name/", "mixcloud"],
  ["https://www.beatsource.com/release/title/123", "beatsource"],
  ["https://www.traxsource.com/title/123/name", "traxsource"],
  ["https://www.junodownload.com/products/title/123-02/", "juno-download"],
  ["https://us.7digital.com/artist/name/release/title-123", "7digital"],
  ["https://www.claromusica.com/album/123", "claro-musica"],
  ["https://vk.com/music/album/-2000123_456", "vk-music"],
  ["https://www.instagram.com/artist/", "instagram"],
  ["https://instagr.am/p/Cabc", "instagram"],
  ["https://www.tiktok.com/@artist", "tiktok"],
  ["https://vm.tiktok.com/ZMabc/", "tiktok"],
  ["https://x.com/artist", "x"],
  ["https://twitter.com/artist/status/123", "x"],
  ["https://mobile.twitter.com/artist", "x"],
  ["https://www.facebook.com/artist", "facebook"],
  ["https://m.facebook.com/artist", "facebook"],
  ["https://fb.com/artist", "facebook"],
  ["https://fb.me/artist", "facebook"],
  ["https://www.threads.net/@artist", "threads"],
  ["https://www.twitch.tv/artist", "twitch"],
  ["https://kick.com/artist", "kick"],
  ["https://discord.gg/AbCd123", "discord"],
  ["https://discord.com/invite/AbCd123", "discord"],
  ["https://www.snapchat.com/add/artist", "snapchat"],
  ["https://bsky.app/profile/artist.bsky.social", "bluesky"],
  ["https://www.patreon.com/artist", "patreon"],
  ["https://ko-fi.com/artist", "ko-fi"],
  ["https://www.reddit.com/r/artist/", "reddit"],
  ["https://t.me/artistchannel", "telegram"],
  ["https://whatsapp.com/channel/0029Vabc", "whatsapp"],
  ["https://wa.me/15551234567", "whatsapp"],
  ["https://www.pinterest.com/artist/", "pinterest"],
  ["https://pin.it/abc123", "pinterest"],
  ["https://artist.tumblr.com/", "tumblr"],
  ["https://vk.com/artist", "vk"],
];

describe("catalog contents", () => {
  it("lists at least 22 streaming services and 8 socials, each of its own kind", () => {
    expect(streamingServices.length).toBeGreaterThanOrEqual(22);
    expect(socials.length).toBeGreaterThanOrEqual(8);
    expect(streamingServices.every((e) => e.kind === "streaming")).toBe(true);
    expect(socials.every((e) => e.kind === "social")).toBe(true);
  });

  it("carries every service the pages and editors rely on", () => {
    const required = [
      "spotify", "apple-music", "youtube-music", "youtube", "amazon-music", "deezer", "tidal", "soundcloud", "bandcamp",
      "audiomack", "pandora", "qobuz", "beatport", "anghami", "boomplay", "iheartradio", "shazam", "audius", "jiosaavn",
      "napster", "kkbox", "yandex-music", "instagram", "tiktok", "x", "facebook", "threads", "twitch", "discord",
    ];
    for (const id of required) expect(catalogEntry(id)?.id).toBe(id);
  });

  it("gives every entry a unique kebab-case id, a name, a #rrggbb colour and host patterns", () => {
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    for (const e of all) {
      expect(e.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(e.name.length).toBeGreaterThan(0);
      expect(e.color).toMatch(/^#[0-9a-f]{6}$/);
      expect(e.hosts.length).toBeGreaterThan(0);
    }
  });

  it("lets no two entries claim the same host pattern", () => {
    const patterns = all.flatMap((e) => e.hosts.map((h) => h.toLowerCase()));
    expect(new Set(patterns).size).toBe(patterns.length);
  });

  it("keeps YouTube as one entry that catalogEntry finds for both uses", () => {
    expect(catalogEntry("youtube")).toMatchObject({ name: "YouTube", kind: "streaming" });
    expect(all.filter((e) => e.id === "youtube")).toHaveLength(1);
  });

  it("does not know generic destinations or unknown ids as services", () => {
    for (const id of ["link", "merch", "tickets", "website", "myspace", ""]) expect(catalogEntry(id)).toBeUndefined();
  });

  it("cannot be changed by a caller", () => {
    const spotify = catalogEntry("spotify")!;
    expect(() => { (spotify as { name: string }).name = "Evil"; }).toThrow();
    expect(() => { spotify.hosts.push("evil.example"); }).toThrow();
    expect(catalogEntry("spotify")?.name).toBe("Spotify");
  });
});

describe("detecting a service from a pasted URL", () => {
  it.each(URLS)("%s is %s", (url, id) => {
    expect(detectService(url)?.id).toBe(id);
  });

  it("has a test URL for every entry", () => {
    const covered = new Set(URLS.map(([, id]) => id));
    expect(all.filter((e) => !covered.has(e.id)).map((e) => e.id)).toEqual([]);
  });

  it("ignores case, www., a trailing dot, ports and surrounding space", () => {
    expect(detectService("HTTPS://WWW.Open.Spotify.COM/track/1")?.id).toBe("spotify");
    expect(detectService("https://open.spotify.com./track/1")?.id).toBe("spotify");
    expect(detectService("http://music.apple.com:443/us/album/1")?.id).toBe("apple-music");
    expect(detectService("  https://youtu.be/abc \n")?.id).toBe("youtube");
    expect(detectService("https://www.amazon.de/Music/player")?.id).toBe("amazon-music");
  });

  it("tells Apple Music from Apple's other products", () => {
    expect(detectService("https://podcasts.apple.com/us/podcast/show/id123")).toBeUndefined();
    expect(detectService("https://apps.apple.com/us/app/id123")).toBeUndefined();
    expect(detectService("https://www.apple.com/apple-music/")).toBeUndefined();
  });

  it("recognises Amazon only on its music app, not the shop", () => {
    expect(detectService("https://www.amazon.com/dp/B08DG4Q5W7")).toBeUndefined();
    expect(detectService("https://www.amazon.com/musical-instruments/b?node=11091801")).toBeUndefined();
    expect(detectService("https://music.amazon.example/albums/B08")).toBeUndefined();
    expect(detectService("https://music.amazon.com.evil.example/albums/B08")).toBeUndefined();
  });

  it("tells VK Music from a VK profile", () => {
    expect(detectService("https://vk.com/music/playlist/1_2")?.id).toBe("vk-music");
    expect(detectService("https://vk.com/musicbyartist")?.id).toBe("vk");
  });

  it("does not match lookalike hosts", () => {
    for (const url of [
      "https://spotify.com.evil.example/track/1",
      "https://open.spotify.com.evil.example/track/1",
      "https://evilspotify.com/track/1",
      "https://notyoutube.com/watch?v=1",
      "https://youtube.com.evil.example/watch?v=1",
      "https://music.youtube.com.evil.example/",
      "https://evil.example/open.spotify.com/track/1",
      "https://evil.example/?u=https://open.spotify.com",
      "https://open.spotify.com@evil.example/track/1",
      "https://x.company.example/",
      "https://xcom.example/",
      "https://page.link/abc",
      "https://other.page.link/abc",
    ]) expect(detectService(url)).toBeUndefined();
  });

  it("answers undefined for other schemes and for garbage", () => {
    for (const url of [
      "javascript:alert(1)//open.spotify.com",
      "data:text/html,https://open.spotify.com",
      "ftp://open.spotify.com/track/1",
      "spotify:track:4cOdK2wGLETKBW3PvgPWqT",
      "mailto:artist@spotify.com",
      "open.spotify.com/track/1",
      "//open.spotify.com/track/1",
      "not a url",
      "",
      "https://",
      "http://[::1]/",
      "https://127.0.0.1/",
    ]) expect(detectService(url)).toBeUndefined();
  });
});

// Strict enough to catch a broken template: one svg, an optional title, one path with a sane d.
const STANDALONE = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 24 24" width="24" height="24" role="img"><title>[^<>]+<\/title><path fill="([^"]+)" d="([MmLlHhVvCcSsQqTtAaZz0-9.,\s-]+)"\/><\/svg>$/;

describe("icons", () => {
  it("draws every entry and generic destination as a standalone 24x24 svg in its brand colour", () => {
    for (const e of all) {
      const match = STANDALONE.exec(iconSvg(e.id));
      expect(match?.[1]).toBe(e.color);
    }
    for (const id of ["link", "merch", "tickets", "website"]) expect(iconSvg(id)).toMatch(STANDALONE);
  });

  it("uses the given fill", () => {
    expect(STANDALONE.exec(iconSvg("spotify", "#ffffff"))?.[1]).toBe("#ffffff");
    expect(STANDALONE.exec(iconSvg("qobuz", "currentColor"))?.[1]).toBe("currentColor");
  });

  it("never lets a fill break out of its attribute", () => {
    const svg = iconSvg("spotify", `red" onload="alert(1)`);
    expect(svg).not.toContain("onload");
    expect(STANDALONE.exec(svg)?.[1]).toBe(catalogEntry("spotify")!.color);
  });

  it("uses Simple Icons' mark for a brand it has and a generic glyph otherwise", () => {
    const note = STANDALONE.exec(iconSvg("qobuz"))?.[2];
    const link = STANDALONE.exec(iconSvg("link"))?.[2];
    expect(STANDALONE.exec(iconSvg("spotify"))?.[2]).not.toBe(note);
    expect(STANDALONE.exec(iconSvg("amazon-music"))?.[2]).toBe(note);
    expect(STANDALONE.exec(iconSvg("no-such-service"))?.[2]).toBe(link);
    expect(iconSvg("no-such-service")).toMatch(STANDALONE);
  });

  it("titles an icon with the service name and never echoes an unknown id", () => {
    expect(iconSvg("claro-musica")).toContain("<title>Claro Música</title>");
    expect(iconSvg(`<script>"`)).toContain("<title>Link</title>");
    expect(iconSvg(`<script>"`)).not.toContain("<script>");
  });

  it("offers inline markup hidden from assistive technology", () => {
    const svg = inlineIcon("spotify", { size: 20, className: "svc", fill: "#000000" });
    expect(svg).toStartWith("<svg ");
    expect(svg).toContain('aria-hidden="true"');
    expect(svg).toContain('focusable="false"');
    expect(svg).toContain('class="svc"');
    expect(svg).toContain('width="20" height="20"');
    expect(svg).toContain('fill="#000000"');
    expect(svg).not.toContain("<title>");
    expect(svg).toEndWith("</svg>");
  });

  it("gives inline icons a default size, class and the brand colour", () => {
    const svg = inlineIcon("deezer");
    expect(svg).toContain('width="24" height="24"');
    expect(svg).toContain('class="icon"');
    expect(svg).toContain(`fill="${catalogEntry("deezer")!.color}"`);
    expect(inlineIcon("x", { size: Number.NaN })).toContain('width="24"');
  });

  it("escapes the class name", () => {
    const svg = inlineIcon("x", { className: `a" onclick="alert(1)` });
    expect(svg).toContain('class="a&quot; onclick=&quot;alert(1)"');
  });
});
