import { describe, expect, it } from "bun:test";
import { HUMAN_UA, TOKEN, release, startApp } from "./helpers";
import { SECURITY_HEADERS, securityHeadersFor } from "../src/plugins/security";

const HSTS = "max-age=31536000";

describe("security headers", () => {
  it("adds HSTS to pages, their 404s, the API and /metrics when PUBLIC_URL is https", async () => {
    const app = await startApp({ PUBLIC_URL: "https://music.example", META_PIXEL_ID: "1234567890" });
    try {
      await app.createLink(release());
      const answers = {
        page: await app.req("/night-drive", { headers: { "user-agent": HUMAN_UA } }),
        missingPage: await app.req("/no-such-link"),
        api: await app.api("GET", "/api/links"),
        apiCreate: await app.api("POST", "/api/links", release("second")),
        metrics: await app.req("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }),
        events: await app.api("GET", "/api/events"),
      };
      expect(answers.page.status).toBe(200);
      expect(answers.missingPage.status).toBe(404);
      for (const [name, res] of Object.entries(answers)) {
        expect([name, res.headers.get("strict-transport-security")]).toEqual([name, HSTS]);
        for (const [header, value] of Object.entries(SECURITY_HEADERS)) expect([name, res.headers.get(header)]).toEqual([name, value]);
      }
      // A redirect carries none of them: the click-out stays a bare 302.
      const click = await app.req("/night-drive/go/spotify", { headers: { "user-agent": HUMAN_UA } });
      expect(click.status).toBe(302);
      expect(click.headers.get("strict-transport-security")).toBeNull();
    } finally {
      await app.close();
    }
  });

  it("sends no HSTS without an https PUBLIC_URL", async () => {
    for (const env of [{}, { PUBLIC_URL: "http://music.example" }] as Record<string, string>[]) {
      const app = await startApp(env);
      try {
        await app.createLink(release());
        for (const res of [await app.req("/night-drive"), await app.api("GET", "/api/links")]) {
          expect(res.headers.get("strict-transport-security")).toBeNull();
          expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        }
      } finally {
        await app.close();
      }
    }
    expect(securityHeadersFor({})).toBe(SECURITY_HEADERS);
    expect(securityHeadersFor({ publicUrl: "https://x.example" })["strict-transport-security"]).toBe(HSTS);
  });

  it("gives each tracked page view its own CSP nonce, with scripts only from self, the nonce and Meta's Pixel host", async () => {
    const app = await startApp({ META_PIXEL_ID: "1234567890" });
    try {
      await app.createLink(release());
      const nonces = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const res = await app.req("/night-drive", { headers: { "user-agent": HUMAN_UA } });
        const csp = res.headers.get("content-security-policy")!;
        const nonce = /script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})' https:\/\/connect\.facebook\.net(;|$)/.exec(csp)?.[1];
        expect(nonce).toBeTruthy();
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        const html = await res.text();
        // Every executable script tag carries this response's nonce (a JSON data block runs nothing).
        const scripts = (html.match(/<script\b[^>]*>/g) ?? []).filter((t) => !t.includes('type="application/json"'));
        expect(scripts.length).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
        nonces.add(nonce!);
      }
      expect(nonces.size).toBe(3);
    } finally {
      await app.close();
    }
  });
});
