import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { release, startApp, TOKEN, type TestApp } from "./helpers";

let t: TestApp;
beforeEach(async () => { t = await startApp(); });
afterEach(async () => { await t.close(); });

describe("JSON API: links", () => {
  it("creates a link and returns it with id, keys and detected services, never the token", async () => {
    const res = await t.api("POST", "/api/links", release("night-drive", { accessToken: "EAAB-secret-token-123" }));
    expect(res.status).toBe(201);
    const link = await res.json();
    expect(link.id).toBeNumber();
    expect(link.slug).toBe("night-drive");
    expect(link.destinations.map((d: any) => [d.key, d.service])).toEqual([
      ["spotify", "spotify"], ["apple-music", "apple-music"], ["merch", null],
    ]);
    expect(link.hasAccessToken).toBe(true);
    expect(JSON.stringify(link)).not.toContain("EAAB-secret");
    expect(link.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("lists, reads, patches and deletes", async () => {
    await t.createLink(release("a-one"));
    await t.createLink(release("b-two", { type: "bio", title: "Babbage" }));
    const list = await (await t.api("GET", "/api/links")).json();
    expect(list.links.map((l: any) => l.slug).sort()).toEqual(["a-one", "b-two"]);

    const patched = await t.api("PATCH", "/api/links/a-one", { title: "New", destinations: [{ url: "https://www.deezer.com/track/1" }] });
    expect(patched.status).toBe(200);
    const body = await patched.json();
    expect(body.title).toBe("New");
    expect(body.artist).toBe("Babbage");
    expect(body.destinations.map((d: any) => d.key)).toEqual(["deezer"]);

    expect((await t.api("GET", "/api/links/a-one")).status).toBe(200);
    const del = await t.api("DELETE", "/api/links/a-one");
    expect(del.status).toBe(204);
    expect((await t.api("GET", "/api/links/a-one")).status).toBe(404);
    expect((await t.req("/a-one")).status).toBe(404);
  });

  it("renames a slug and refuses one that is taken", async () => {
    await t.createLink(release("first"));
    await t.createLink(release("second"));
    const res = await t.api("PATCH", "/api/links/first", { slug: "second" });
    expect(res.status).toBe(409);
    expect((await t.api("PATCH", "/api/links/first", { slug: "third" })).status).toBe(200);
    expect((await t.req("/third")).status).toBe(200);
  });

  it("answers 409 with JSON when the slug is taken, without leaking SQL", async () => {
    await t.createLink(release());
    const res = await t.api("POST", "/api/links", release());
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("conflict");
    expect(body.error.fields.slug).toBeString();
    expect(JSON.stringify(body)).not.toMatch(/UNIQUE|SQLITE|constraint/i);
  });

  it("names the failing fields of bad input and stores nothing", async () => {
    const res = await t.api("POST", "/api/links", {
      slug: "-bad-", title: "", type: "album",
      destinations: [{ url: "javascript:alert(1)" }, { url: "ftp://x.example/a" }, { url: "data:text/html,hi" }],
      artworkUrl: "javascript:alert(2)",
    });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("invalid");
    expect(Object.keys(error.fields)).toEqual(expect.arrayContaining(["slug", "title", "type", "destinations.0.url", "destinations.1.url", "destinations.2.url", "artworkUrl"]));
    const list = await (await t.api("GET", "/api/links")).json();
    expect(list.links).toEqual([]);
  });

  it.each(["admin", "api", "healthz", "assets", "media", "robots.txt", "favicon.ico", "UPPER", "a".repeat(65), "has space", "ünï", "a--b-", "-x"])(
    "rejects the slug %p",
    async (slug) => {
      const res = await t.api("POST", "/api/links", release(slug));
      expect(res.status).toBe(422);
      expect((await res.json()).error.fields.slug).toBeString();
    },
  );

  it("accepts edge slugs: one character, 64 characters, inner dashes", async () => {
    for (const slug of ["a", "x".repeat(64), "a-b-c", "0-9"]) {
      expect((await t.api("POST", "/api/links", release(slug))).status).toBe(201);
    }
  });

  it("rejects an unknown service id and a malformed pixel id", async () => {
    const res = await t.api("POST", "/api/links", release("x", { destinations: [{ url: "https://a.example", service: "nope" }], pixelId: "abc" }));
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.fields.pixelId).toBeString();
    const res2 = await t.api("POST", "/api/links", release("x", { destinations: [{ url: "https://a.example", service: "nope" }] }));
    expect((await res2.json()).error.fields["destinations.0.service"]).toContain("unknown");
  });

  it("answers 400 JSON on malformed JSON", async () => {
    const res = await t.api("POST", "/api/links", "{not json");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("bad_request");
  });

  it("answers 413 JSON on an oversized body", async () => {
    const res = await t.api("POST", "/api/links", release("big", { title: "x".repeat(200_000) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("too_large");
  });

  it("answers 413 on an oversized chunked body too (no Content-Length), and reads a small chunked one", async () => {
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      return new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192));
          c.close();
        },
      });
    };
    const post = (text: string) => fetch(`${t.base}/api/links`, {
      method: "POST", body: chunked(text), headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    });
    const big = await post(JSON.stringify(release("big", { title: "x".repeat(300_000) })));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("too_large");
    expect((await t.api("GET", "/api/links/big")).status).toBe(404);
    const small = await post(JSON.stringify(release("small")));
    expect(small.status).toBe(201);
    expect((await post("{not json")).status).toBe(400);
  });

  it("answers 401 without a token or with a wrong one", async () => {
    for (const token of [null, "wrong-token"]) {
      const res = await t.api("GET", "/api/links", undefined, token);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    const res = await t.api("POST", "/api/links", release(), "wrong");
    expect(res.status).toBe(401);
    expect((await t.api("GET", "/api/links")).status).toBe(200);
  });

  it("answers 404 JSON for an unknown link and an unknown API route", async () => {
    expect((await t.api("GET", "/api/links/nope")).status).toBe(404);
    expect((await t.api("PATCH", "/api/links/nope", { title: "x" })).status).toBe(404);
    expect((await t.api("DELETE", "/api/links/nope")).status).toBe(404);
    const res = await t.api("GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });

  it("serves an OpenAPI document that describes the link routes", async () => {
    const res = await t.req("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/links", "/api/links/{slug}", "/api/links/{slug}/stats"]));
    // The bodies are described field by field, from the same zod schemas that validate them.
    const create = doc.paths["/api/links"].post.requestBody.content["application/json"].schema;
    expect(create.required).toEqual(expect.arrayContaining(["slug", "title"]));
    expect(Object.keys(create.properties)).toEqual(expect.arrayContaining(["slug", "type", "title", "destinations", "pixelId", "clickEventName", "autoRoute"]));
    expect(Object.keys(create.properties.destinations.items.properties)).toEqual(expect.arrayContaining(["url", "service", "label", "countryUrls", "hiddenIn"]));
    expect(doc.paths["/api/links/{slug}"].patch.requestBody.content["application/json"].schema.properties.destinations).toBeDefined();
    expect((await t.req("/api/docs")).status).toBe(200);
  });
});

describe("JSON API: stats", () => {
  it("counts views, click-outs and CTR per destination and per day, bots apart", async () => {
    await t.createLink(release());
    const ua = { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1" };
    for (let i = 0; i < 4; i++) await t.req("/night-drive", { headers: ua });
    await t.req("/night-drive/go/spotify", { headers: ua });
    await t.req("/night-drive/go/spotify", { headers: ua });
    await t.req("/night-drive/go/merch", { headers: ua });
    await t.req("/night-drive/go/spotify", { headers: { "user-agent": "facebookexternalhit/1.1" } });
    await t.req("/night-drive", { headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" } });
    const stats = await (await t.api("GET", "/api/links/night-drive/stats?days=7")).json();
    expect(stats.views).toBe(4);
    expect(stats.clicks).toBe(3);
    expect(stats.ctr).toBe(0.75);
    expect(stats.excluded).toEqual({ views: 1, clicks: 1 });
    expect(stats.destinations).toEqual([
      { key: "spotify", service: "spotify", label: null, clicks: 2, ctr: 0.5 },
      { key: "apple-music", service: "apple-music", label: null, clicks: 0, ctr: 0 },
      { key: "merch", service: null, label: "Merch", clicks: 1, ctr: 0.25 },
    ]);
    expect(stats.days).toHaveLength(7);
    const today = stats.days[6];
    expect(today.date).toBe(new Date().toISOString().slice(0, 10));
    expect([today.views, today.clicks]).toEqual([4, 3]);
    expect(stats.days.slice(0, 6).every((d: any) => d.views === 0)).toBe(true);
  });

  it("rejects a bad range", async () => {
    await t.createLink(release());
    expect((await t.api("GET", "/api/links/night-drive/stats?days=0")).status).toBe(422);
    expect((await t.api("GET", "/api/links/night-drive/stats?days=abc")).status).toBe(422);
  });
});
