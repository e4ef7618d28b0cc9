import { afterAll, afterEach, beforeEach, describe, expect, it } from "bun:test";
import { Elysia } from "elysia";
import { nativeRoute, type RouteCtx } from "../src/plugins/native-routes";
import { mapError } from "../src/plugins/errors";
import { notFound } from "../src/errors";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";

/** One handler served both ways: straight from Bun's router, and as an Elysia route. */
const handler = ({ params, query, request, set }: RouteCtx<{ name: string }>) => {
  if (params.name === "missing") throw notFound("No such thing");
  if (params.name === "broken") throw new Error("SQLITE_ERROR: no such column secret_token in SELECT secret_token FROM admin");
  if (params.name === "plain") {
    set.status = 201;
    set.headers["x-made"] = "by-hand";
    set.headers["content-type"] = "text/plain; charset=utf-8";
    return `made ${request.method}`;
  }
  return new Response(JSON.stringify({ params, query }), { headers: { "content-type": "application/json" } });
};

const native = Bun.serve({ port: 0, hostname: "127.0.0.1", routes: { "/t/:name": { GET: nativeRoute(handler) } }, fetch: () => new Response("no", { status: 404 }) });
const elysia = new Elysia().onError(mapError).get("/t/:name", ({ params, query, request, server, set }) => handler({ params, query, request, server, set }));
afterAll(() => native.stop(true));

const viaBun = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${native.port}${path}`, init);
const viaElysia = (path: string, init?: RequestInit) => elysia.handle(new Request(`http://127.0.0.1${path}`, init));

describe("routes answered straight from Bun's router", () => {
  it("hand the handler the params and query Elysia would", async () => {
    for (const path of ["/t/x", "/t/a%20b?q=1", "/t/x?a=1&a=2&b=%20x+y&c&=z&d=%E2%80%93&e=%zz", "/t/x?eid=0abc&utm_source=ig&utm_source=tt"]) {
      const [a, b] = await Promise.all([viaBun(path), viaElysia(path)]);
      expect(a.status).toBe(200);
      expect(await a.json()).toEqual(await b.json());
    }
  });

  it("send a string answer with the status and headers the handler set", async () => {
    const res = await viaBun("/t/plain");
    expect(res.status).toBe(201);
    expect(res.headers.get("x-made")).toBe("by-hand");
    expect(await res.text()).toBe("made GET");
    // HEAD goes through the GET handler, without a body.
    const head = await viaBun("/t/plain", { method: "HEAD" });
    expect(head.status).toBe(201);
    expect(await head.text()).toBe("");
  });

  it("answer a thrown error as the routes' onError does, never with its text", async () => {
    const missing = await viaBun("/t/missing");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(await (await viaElysia("/t/missing")).text());
    const broken = await viaBun("/t/broken");
    expect(broken.status).toBe(500);
    expect(broken.headers.get("content-type")).toContain("text/html");
    expect(broken.headers.get("x-request-id")).toBeTruthy();
    const html = await broken.text();
    expect(html).toContain("Something went wrong");
    expect(html).not.toMatch(/SQLITE|secret|SELECT|at .*\.ts/);
  });
});

describe("the app's hot paths on Bun's router", () => {
  let t: TestApp;
  beforeEach(async () => { t = await startApp({ PUBLIC_URL: "https://music.example" }); });
  afterEach(async () => { await t.close(); });

  const strip = (html: string) => html.replace(/[0-9A-Za-z_-]{24}/g, "ID");

  it("answer pages, click-outs and their errors as the Elysia routes do", async () => {
    await t.createLink(release("night-drive"));
    const headers = { "user-agent": HUMAN_UA };
    for (const path of ["/night-drive", "/night-drive?utm_source=ig&utm_campaign=x", "/no-such-link", "/night-drive/go/spotify?eid=0abc12345", "/night-drive/go/nope", "/nope/go/spotify"]) {
      const live = await t.req(path, { headers });
      const handled = await t.outro.app.handle(new Request(`http://127.0.0.1${path}`, { headers }));
      expect([path, live.status]).toEqual([path, handled.status]);
      expect(live.headers.get("location")).toBe(handled.headers.get("location"));
      expect(live.headers.get("content-type")).toBe(handled.headers.get("content-type"));
      expect(live.headers.get("content-security-policy")).toBe(handled.headers.get("content-security-policy"));
      expect(strip(await live.text())).toBe(strip(await handled.text()));
    }
    // Every view and click answered was recorded, through either door: 2 × 2 views, and one click (its eid came twice).
    expect(t.db.query("SELECT COUNT(*) AS n FROM page_views").get()).toEqual({ n: 4 });
    expect(t.db.query("SELECT COUNT(*) AS n FROM clicks").get()).toEqual({ n: 1 });
  });

  it("are the ones Bun's router serves", () => {
    const routes = (t.outro.app.config.serve as { routes: Record<string, Record<string, unknown>> }).routes;
    expect(typeof routes["/:slug/go/:key"]?.GET).toBe("function");
    expect(typeof routes["/:slug"]?.GET).toBe("function");
  });
});
