import { afterEach, describe, expect, it } from "bun:test";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";
import { metaEmailHash, normalizeEmail } from "../src/fans/model";

const PIXEL = "1234567890";
let t: TestApp;
let now = Date.now();
const clock = () => now;
afterEach(async () => { await t?.close(); });

async function setup(env: Record<string, string> = {}) {
  now = Date.now();
  t = await startApp(env, { clock });
  await t.createLink(release());
  const { id } = t.db.query<{ id: number }, []>("SELECT id FROM links WHERE slug = 'night-drive'").get()!;
  t.db.run("INSERT INTO link_options (link_id, email_signup) VALUES (?, 1)", [id]);
}

/** Opens the page like a fan and returns the form's hidden token. */
async function formToken(path = "/night-drive?utm_source=ig&utm_campaign=launch") {
  const html = await (await t.req(path, { headers: { "user-agent": HUMAN_UA } })).text();
  return /name="t" value="([^"]+)"/.exec(html)![1]!;
}

function post(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return t.req("/night-drive/subscribe", {
    method: "POST",
    headers: {
      "user-agent": HUMAN_UA, "content-type": "application/x-www-form-urlencoded",
      referer: `${t.base}/night-drive?utm_source=ig&utm_campaign=launch`, ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

const fans = () => t.db.query<any, []>("SELECT * FROM fans ORDER BY id").all();
const signups = () => t.db.query<any, []>("SELECT * FROM fan_signups ORDER BY id").all();

describe("email normalisation", () => {
  it("trims and lowercases, and hashes exactly as Meta's examples", () => {
    expect(normalizeEmail("  John_Smith@Gmail.com ")).toBe("john_smith@gmail.com");
    // Meta's customer information parameters page: john_smith@gmail.com → 62a14e44…
    expect(metaEmailHash("John_Smith@gmail.com")).toBe("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
    expect(metaEmailHash(" Person@Example.com")).toBe("542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345");
    for (const bad of ["", "no-at-sign", "a@b", "a@@b.com", "a b@c.com", "<x>@y.com", "a@b..com", `${"x".repeat(250)}@y.com`]) {
      expect(normalizeEmail(bad)).toBeNull();
    }
  });
});

describe("fan signup", () => {
  it("shows the form only where signup is on, and works without JavaScript", async () => {
    await setup();
    await t.createLink(release("no-form"));
    expect(await (await t.req("/no-form")).text()).not.toContain("signup-form");
    expect((await t.req("/no-form/subscribe", { method: "POST" })).status).toBe(404);

    const token = await formToken();
    now += 5_000;
    const res = await post({ email: " Fan@Example.COM ", name: "Ada", consent: "on", website: "", t: token });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/night-drive?signup=ok#signup");
    const after = await (await t.req("/night-drive?signup=ok")).text();
    expect(after).toContain('<p class="signup-msg" role="status" aria-live="polite">Thanks — you&#x27;re on the list.</p>');

    expect(fans()).toMatchObject([{ email: "fan@example.com", name: "Ada", unsubscribed_at: null }]);
    expect(signups()).toMatchObject([{ utm_source: "ig", utm_campaign: "launch", consent_text: "Yes, email me about new music and shows. I can unsubscribe at any time." }]);
  });

  it("waits for a write lock another process holds instead of failing (a deferred transaction that has read cannot wait)", async () => {
    await setup();
    const token = await formToken();
    now += 5_000;
    const dbFile = JSON.stringify(join(t.dataDir, "outro.db"));
    const holder = Bun.spawn([process.execPath, "-e",
      `const { Database } = require("bun:sqlite"); const db = new Database(${dbFile}); db.exec("PRAGMA busy_timeout = 5000");
       db.exec("BEGIN IMMEDIATE"); console.log("locked"); setTimeout(() => { db.exec("COMMIT"); process.exit(0); }, 400);`], { stdout: "pipe" });
    await holder.stdout.getReader().read();
    const started = performance.now();
    const res = await post({ email: "lock@example.com", name: "", consent: "on", website: "", t: token });
    expect(res.status).toBe(303);
    expect(performance.now() - started).toBeGreaterThan(200);
    expect(fans().map((f) => f.email)).toContain("lock@example.com");
    expect(await holder.exited).toBe(0);
  });

  it("merges the same address, and keeps what was typed when something is wrong", async () => {
    await setup();
    let token = await formToken();
    now += 5_000;
    await post({ email: "fan@example.com", consent: "on", t: token });
    token = await formToken();
    now += 5_000;
    await post({ email: "FAN@example.com ", name: "Ada", consent: "on", t: token });
    expect(fans()).toHaveLength(1);
    expect(fans()[0].name).toBe("Ada");
    expect(signups()).toHaveLength(2);

    token = await formToken();
    now += 5_000;
    const bad = await post({ email: "not-an-email", name: "<b>Bob</b>", consent: "on", t: token });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain("Please enter a valid email address.");
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="&lt;b&gt;Bob&lt;/b&gt;"');
    expect(html).not.toContain("<b>Bob");
  });

  it("requires consent", async () => {
    await setup();
    const token = await formToken();
    now += 5_000;
    const res = await post({ email: "fan@example.com", t: token });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Please tick the box");
    expect(fans()).toEqual([]);
  });

  it("stops bots: honeypot, too-fast forms, forged tokens and the per-address limit", async () => {
    await setup();
    let token = await formToken();
    // Too fast: a person takes more than two seconds.
    now += 500;
    let res = await post({ email: "fast@example.com", consent: "on", t: token });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("That was quick!");
    // The honeypot: looks like success, stores nothing.
    now += 5_000;
    res = await post({ email: "bot@example.com", consent: "on", website: "http://spam.example", t: token });
    expect(res.status).toBe(303);
    // A forged or missing token.
    for (const t2 of ["", "123.abc", `${now - 10_000}.forged`]) {
      res = await post({ email: "forged@example.com", consent: "on", t: t2 });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain("expired");
    }
    expect(fans()).toEqual([]);
    // Five signups per address, then a polite refusal, never an error page.
    for (let i = 0; i < 5; i++) {
      res = await post({ email: `fan${i}@example.com`, consent: "on", t: token });
      expect(res.status).toBe(303);
    }
    res = await post({ email: "fan6@example.com", consent: "on", t: token });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Too many signups");
    expect(fans()).toHaveLength(5);
  });

  it("answers JSON for the page script and never a 500 on junk", async () => {
    await setup();
    const token = await formToken();
    now += 5_000;
    const ok = await post({ email: "fan@example.com", consent: "on", t: token }, { accept: "application/json" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, message: "Thanks — you're on the list." });
    const bad = await post({ email: "x", consent: "on", t: token }, { accept: "application/json" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ ok: false, field: "email" });
    for (const body of ["", "%%%", "email=" + "a".repeat(10_000), "{\"email\":1}"]) {
      const res = await t.req("/night-drive/subscribe", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": HUMAN_UA }, body });
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe("Meta signup event", () => {
  it("sends CompleteRegistration with em hashed as Meta normalises it, with the browser's event id", async () => {
    await setup({ META_PIXEL_ID: PIXEL });
    const html = await (await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).text();
    expect(JSON.parse(/id="outro-cfg">(.*?)<\/script>/.exec(html)![1]!)).toMatchObject({ signupEvent: "CompleteRegistration", signupStandard: true });
    const token = /name="t" value="([^"]+)"/.exec(html)![1]!;
    now += 5_000;
    const answer = await (await post({ email: " John_Smith@Gmail.com", consent: "on", t: token }, { accept: "application/json" })).json();
    const events = t.db.query<any, []>("SELECT * FROM capi_events WHERE event_name = 'CompleteRegistration'").all();
    expect(events).toHaveLength(1);
    expect(events[0].event_id).toBe(answer.eventId);
    expect(events[0].fan_id).toBe(fans()[0].id);
    const body = JSON.parse(events[0].payload);
    expect(body.user_data.em).toBe("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
    expect(body).toMatchObject({ event_name: "CompleteRegistration", action_source: "website", custom_data: { link: "night-drive" } });
  });

  it("sends nothing to Meta in opt-in mode until the fan agrees", async () => {
    await setup({ META_PIXEL_ID: PIXEL });
    t.settings.set("consentMode", "opt-in");
    const token = await formToken();
    now += 5_000;
    await post({ email: "fan@example.com", consent: "on", t: token });
    expect(fans()).toHaveLength(1);
    expect(t.db.query<any, []>("SELECT * FROM capi_events WHERE event_name = 'CompleteRegistration'").all()).toEqual([]);
  });
});

describe("erase, unsubscribe and export", () => {
  it("erases a fan everywhere, including Meta payloads not yet sent", async () => {
    await setup({ META_PIXEL_ID: PIXEL, META_GRAPH_URL: "http://127.0.0.1:9" });
    t.settings.set("fanWebhookUrl", "http://127.0.0.1:9/hook");
    const token = await formToken();
    now += 5_000;
    await post({ email: "gone@example.com", consent: "on", t: token });
    const fan = fans()[0];
    expect(t.db.query<any, []>("SELECT COUNT(*) AS n FROM fan_webhooks").get().n).toBe(1);
    t.outro.fans.repo.erase(fan.id);
    expect(fans()).toEqual([]);
    expect(signups()).toEqual([]);
    expect(t.db.query<any, []>("SELECT COUNT(*) AS n FROM fan_webhooks").get().n).toBe(0);
    const left = t.db.query<{ payload: string }, []>("SELECT payload FROM capi_events").all().map((r) => r.payload).join("\n");
    expect(left).not.toContain(metaEmailHash("gone@example.com"));
    expect(left).not.toContain("gone@example.com");
  });

  it("unsubscribes by link (asking first) and exports a CSV Mailchimp and Kit import as is", async () => {
    await setup();
    for (const [email, name] of [["a@example.com", "Ada"], ["b@example.com", "=HYPERLINK(\"x\")"], ["c@example.com", ""]]) {
      const token = await formToken();
      now += 5_000;
      await post({ email: email!, name: name!, consent: "on", t: token });
    }
    const c = fans().find((f) => f.email === "c@example.com");
    const ask = await t.req(`/u/${c.unsubscribe_token}`);
    expect(ask.status).toBe(200);
    expect(fans().find((f) => f.email === "c@example.com").unsubscribed_at).toBeNull();
    const done = await t.req(`/u/${c.unsubscribe_token}`, { method: "POST" });
    expect(await done.text()).toContain("unsubscribed");
    expect(fans().find((f) => f.email === "c@example.com").unsubscribed_at).not.toBeNull();
    expect((await t.req("/u/not-a-real-token-123")).status).toBe(404);

    const csv = t.outro.fans.csv();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("Email Address,First Name,Signup Date,Source");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^a@example\.com,Ada,\d{4}-\d\d-\d\dT.*,night-drive$/);
    expect(lines[2]).toStartWith(`b@example.com,"'=HYPERLINK(""x"")",`);
  });
});

describe("fan webhook", () => {
  it("delivers each new fan signed with HMAC-SHA256, retrying until the receiver takes it", async () => {
    const received: { body: string; signature: string | null; timestamp: string | null }[] = [];
    let failuresLeft = 2;
    const receiver = Bun.serve({
      port: 0, hostname: "127.0.0.1",
      async fetch(req) {
        const body = await req.text();
        if (failuresLeft-- > 0) return new Response("down", { status: 503 });
        received.push({ body, signature: req.headers.get("x-outro-signature"), timestamp: req.headers.get("x-outro-timestamp") });
        return new Response("ok");
      },
    });
    try {
      await setup();
      t.settings.set("fanWebhookUrl", `http://127.0.0.1:${receiver.port}/hook`);
      t.settings.set("fanWebhookSecret", "whsec-test");
      const token = await formToken();
      now += 5_000;
      await post({ email: "hook@example.com", name: "Hook", consent: "on", t: token });
      for (let i = 0; i < 3; i++) {
        await t.outro.webhooks.drain();
        now += 3_600_000;
      }
      const rows = t.db.query<any, []>("SELECT status, attempts, last_status FROM fan_webhooks").all();
      expect(rows).toEqual([{ status: "sent", attempts: 3, last_status: 200 }]);
      expect(received).toHaveLength(1);
      const { body, signature, timestamp } = received[0]!;
      expect(signature).toBe(`sha256=${createHmac("sha256", "whsec-test").update(`${timestamp}.${body}`).digest("hex")}`);
      expect(JSON.parse(body)).toMatchObject({ type: "fan.created", fan: { email: "hook@example.com", name: "Hook", link: "night-drive", utm: { source: "ig", campaign: "launch" } } });
      // A second signup of the same address is a merge, not a new fan: no second webhook.
      now += 5_000;
      await post({ email: "hook@example.com", consent: "on", t: await formToken() });
      expect(t.db.query<any, []>("SELECT COUNT(*) AS n FROM fan_webhooks").get().n).toBe(1);
    } finally {
      receiver.stop(true);
    }
  });
});

describe("fans in the admin", () => {
  it("lists, searches, filters, exports and erases fans; signup settings are validated and the secret never echoed", async () => {
    const { AdminClient, ADMIN_PASSWORD } = await import("./admin-client");
    await setup({ ADMIN_PASSWORD });
    await t.createLink(release("other"));
    for (const email of ["ada@example.com", "bob@example.com"]) {
      const token = await formToken();
      now += 5_000;
      await post({ email, name: email.startsWith("ada") ? "Ada <3" : "", consent: "on", t: token });
    }
    const admin = new AdminClient(t);
    expect((await admin.get("/admin/fans")).status).toBe(303);
    await admin.signIn();

    let html = await admin.page("/admin/fans");
    expect(html).toContain("ada@example.com");
    expect(html).toContain("Ada &lt;3");
    expect(html).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/u\/[\w-]+"/);
    html = await admin.page("/admin/fans?q=bob");
    expect(html).toContain("bob@example.com");
    expect(html).not.toContain("ada@example.com");
    expect(await admin.page("/admin/fans?link=other")).toContain("No fans match.");

    const csv = await admin.get("/admin/fans.csv");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).split("\r\n")[0]).toBe("Email Address,First Name,Signup Date,Source");

    const ada = fans().find((f) => f.email === "ada@example.com");
    expect(await admin.page(`/admin/fans/${ada.id}/delete`)).toContain("Delete for good");
    expect((await admin.post(`/admin/fans/${ada.id}/delete`, { _csrf: "forged" })).status).toBe(403);
    expect(fans()).toHaveLength(2);
    expect((await admin.post(`/admin/fans/${ada.id}/delete`, {})).status).toBe(303);
    expect(fans().map((f) => f.email)).toEqual(["bob@example.com"]);

    const bad = await admin.post("/admin/fans/settings", { consentText: "", eventName: "no way!", webhookUrl: "javascript:alert(1)", webhookSecret: "" });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('value="javascript:alert(1)"');
    expect(badHtml).toContain('aria-invalid="true"');
    expect(t.settings.get().fanWebhookUrl).toBeNull();

    const ok = await admin.post("/admin/fans/settings", { consentText: "Mail me <b>news</b>", eventName: "Subscribe", webhookUrl: "https://hooks.example.com/x", webhookSecret: "s3cret-value" });
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toContain("s3cret-value");
    expect(t.settings.get()).toMatchObject({ signupConsentText: "Mail me <b>news</b>", signupEventName: "Subscribe", fanWebhookUrl: "https://hooks.example.com/x", fanWebhookSecret: "s3cret-value" });
    // The public form shows the new consent text, escaped.
    expect(await (await t.req("/night-drive")).text()).toContain("Mail me &lt;b&gt;news&lt;/b&gt;");
    // An empty secret field keeps the stored one.
    await admin.post("/admin/fans/settings", { consentText: "x", eventName: "Subscribe", webhookUrl: "", webhookSecret: "" });
    expect(t.settings.get().fanWebhookSecret).toBe("s3cret-value");
  });
});
