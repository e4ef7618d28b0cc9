import { afterEach, describe, expect, it } from "bun:test";
import { HUMAN_UA, release } from "./helpers";
import { fakeClock, signUp, smtpReceiver, startReleaseApp, webhookReceiver, type ReleaseApp } from "./release-helpers";
import { loadConfig, ConfigError } from "../src/config";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";
import { NIGHT_DRIVE_ALBUM, startFakeCatalogues } from "./fake-catalogues";

const MOMENT = Date.parse("2027-01-14T23:00:00Z"); // 2027-01-15 00:00 in Berlin
const FROM = "Babbage <news@babbage.example>";
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const upcoming = (slug = "night-drive") =>
  release(slug, { releaseDate: "2027-01-15", releaseTime: "00:00", releaseTimeZone: "Europe/Berlin", presaves: [{ url: "https://open.spotify.com/prerelease/3xYz" }] });

async function receivers() {
  const smtp = await smtpReceiver();
  const hooks = webhookReceiver();
  cleanups.push(() => smtp.close(), () => hooks.close());
  return { smtp, hooks };
}

async function app(clock: ReturnType<typeof fakeClock>, opts: { smtpUrl?: string; dataDir?: string; refill?: (slug: string) => Promise<unknown> } = {}) {
  const t = await startReleaseApp({ clock: clock.now, dataDir: opts.dataDir, refill: opts.refill, env: { ADMIN_PASSWORD, ...(opts.smtpUrl ? { SMTP_URL: opts.smtpUrl, SMTP_FROM: FROM } : {}) } });
  let closed = false;
  cleanups.push(() => (closed ? undefined : t.close({ keepData: false })));
  return Object.assign(t, { restart: async () => { closed = true; await t.close(); } });
}

/** Lets the release scheduler, the mail queue and the webhook queue do what is due at the clock's time. */
async function settle(t: ReleaseApp) {
  await t.outro.releaseDay.drain();
  await t.outro.webhooks.drain();
}

const mailRows = (t: ReleaseApp) =>
  t.db.query<{ email: string; status: string; attempts: number; lastError: string | null }, []>(
    "SELECT f.email, m.status, m.attempts, m.last_error AS lastError FROM release_mails m JOIN fans f ON f.id = m.fan_id ORDER BY m.id").all();
const releasePosts = (hooks: ReturnType<typeof webhookReceiver>) => hooks.posts.filter((p) => p.body.type === "release.out");
const tokenOf = (t: ReleaseApp, email: string) => t.db.query<{ token: string }, [string]>("SELECT unsubscribe_token AS token FROM fans WHERE email = ?").get(email)!.token;

describe("release-day notifications", () => {
  it("mails and posts each fan who asked, once, at the moment — not the unsubscribed, not the erased", async () => {
    const { smtp, hooks } = await receivers();
    const clock = fakeClock(MOMENT - 3_600_000);
    const refills: string[] = [];
    const t = await app(clock, { smtpUrl: smtp.url, refill: async (slug) => { refills.push(slug); } });
    t.outro.settings.set("fanWebhookUrl", hooks.url);
    await t.api("POST", "/api/links", upcoming());
    await t.api("POST", "/api/links", release("old-single"));

    await signUp(t, clock, "night-drive", "alice@example.com", "Alice");
    await signUp(t, clock, "night-drive", "Bob@Example.com");
    await signUp(t, clock, "night-drive", "carol@example.com");
    await signUp(t, clock, "night-drive", "dave@example.com");
    // Carol unsubscribes through her link; Dave is erased by the artist.
    expect((await t.req(`/u/${tokenOf(t, "carol@example.com")}`, { method: "POST" })).status).toBe(200);
    const dave = t.db.query<{ id: number }, []>("SELECT id FROM fans WHERE email = 'dave@example.com'").get()!;
    t.outro.fans.repo.erase(dave.id);

    await settle(t);
    expect(smtp.mails).toHaveLength(0);
    expect(refills).toEqual([]);
    expect(releasePosts(hooks)).toHaveLength(0);

    clock.set(MOMENT);
    await settle(t);
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([["alice@example.com"], ["bob@example.com"]]);
    const alice = smtp.mails.find((m) => m.to[0] === "alice@example.com")!;
    expect(alice.from).toBe("news@babbage.example");
    expect(alice.text).toContain("Babbage <news@babbage.example>");
    expect(alice.text).toContain("Hi Alice,");
    expect(alice.text).toContain("is out now");
    expect(alice.text).toContain(`${t.base}/night-drive`);
    expect(alice.text).toContain(`${t.base}/u/${tokenOf(t, "alice@example.com")}`);
    expect(alice.text).toContain(`List-Unsubscribe: <${t.base}/u/${tokenOf(t, "alice@example.com")}>`);
    expect(alice.text).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(mailRows(t).map((r) => [r.email, r.status])).toEqual([["alice@example.com", "sent"], ["bob@example.com", "sent"]]);

    const posts = releasePosts(hooks);
    expect(posts.map((p) => p.body.fan.email).sort()).toEqual(["alice@example.com", "bob@example.com"]);
    expect(posts[0]!.body.link).toMatchObject({ slug: "night-drive", title: "Night Drive", url: `${t.base}/night-drive`, releaseAt: "2027-01-14T23:00:00.000Z" });
    expect(posts[0]!.headers.get("x-outro-timestamp")).toBeTruthy();
    expect(refills).toEqual(["night-drive"]);
    expect((await (await t.api("GET", "/api/links/night-drive")).json()).releasedAt).toBe(new Date(MOMENT).toISOString());
    // The editor tells the artist where it stands (Carol asked, then unsubscribed; Dave was erased).
    const admin = new AdminClient(t as never);
    await admin.signIn();
    expect(await admin.page("/admin/links/night-drive")).toContain(
      "Released Friday, 15 January 2027, 00:00 (Europe/Berlin) · 3 fans asked for a note · mails: 2 sent, 0 waiting, 0 failed");

    // Later ticks find nothing more to do.
    clock.advance(3_600_000);
    await settle(t);
    expect(smtp.mails).toHaveLength(2);
    expect(releasePosts(hooks)).toHaveLength(2);
    expect(refills).toEqual(["night-drive"]);
  });

  it("notifies nobody twice across a restart, and a restart after the moment catches up", async () => {
    const { smtp, hooks } = await receivers();
    const clock = fakeClock(MOMENT - 600_000);
    const refills: string[] = [];
    const refill = async (slug: string) => { refills.push(slug); };
    const first = await app(clock, { smtpUrl: smtp.url, refill });
    first.outro.settings.set("fanWebhookUrl", hooks.url);
    await first.api("POST", "/api/links", upcoming());
    await first.api("POST", "/api/links", upcoming("second-single"));
    await signUp(first, clock, "night-drive", "alice@example.com");
    await signUp(first, clock, "second-single", "alice@example.com");
    await signUp(first, clock, "second-single", "bob@example.com");
    // The process stops before the moment and comes back after it.
    await first.restart();

    clock.set(MOMENT + 3_600_000);
    const second = await app(clock, { smtpUrl: smtp.url, refill, dataDir: first.dataDir });
    await settle(second);
    // One mail per fan per release: Alice asked on both links, so she gets one for each.
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(["alice@example.com", "alice@example.com", "bob@example.com"]);
    expect(releasePosts(hooks)).toHaveLength(3);
    expect(refills.sort()).toEqual(["night-drive", "second-single"]);
    await second.restart();

    const third = await app(clock, { smtpUrl: smtp.url, refill, dataDir: first.dataDir });
    clock.advance(86_400_000);
    await settle(third);
    expect(smtp.mails).toHaveLength(3);
    expect(releasePosts(hooks)).toHaveLength(3);
    expect(refills).toHaveLength(2);
  });

  it("retries while the SMTP server is down, and loses nothing — also across a restart", async () => {
    const { smtp } = await receivers();
    smtp.state.down = true;
    const clock = fakeClock(MOMENT - 600_000);
    const first = await app(clock, { smtpUrl: smtp.url });
    await first.api("POST", "/api/links", upcoming());
    await signUp(first, clock, "night-drive", "alice@example.com");
    await signUp(first, clock, "night-drive", "bob@example.com");

    clock.set(MOMENT);
    await settle(first);
    expect(smtp.mails).toHaveLength(0);
    let rows = mailRows(first);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([["pending", 1], ["pending", 1]]);
    expect(rows[0]!.lastError).toContain("421");
    // Not before its backoff (a minute, ±25 % jitter).
    clock.advance(30_000);
    await settle(first);
    expect(mailRows(first).map((r) => r.attempts)).toEqual([1, 1]);
    clock.advance(90_000);
    await settle(first);
    expect(mailRows(first).map((r) => [r.status, r.attempts])).toEqual([["pending", 2], ["pending", 2]]);
    await first.restart();

    smtp.state.down = false;
    clock.advance(600_000);
    const second = await app(clock, { smtpUrl: smtp.url, dataDir: first.dataDir });
    await settle(second);
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(["alice@example.com", "bob@example.com"]);
    rows = mailRows(second);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([["sent", 3], ["sent", 3]]);
  });

  it("never sends again a mail a crash left mid-send (it may have gone out)", async () => {
    const { smtp } = await receivers();
    const clock = fakeClock(MOMENT - 600_000);
    const first = await app(clock, { smtpUrl: smtp.url });
    await first.api("POST", "/api/links", upcoming());
    await signUp(first, clock, "night-drive", "alice@example.com");
    smtp.state.down = true;
    clock.set(MOMENT);
    await settle(first);
    // As a crash between claiming the row and hearing SMTP's answer leaves it.
    await first.outro.releaseDay.stop();
    first.db.run("UPDATE release_mails SET status = 'sending'");
    await first.restart();

    smtp.state.down = false;
    clock.advance(3_600_000);
    const third = await app(clock, { smtpUrl: smtp.url, dataDir: first.dataDir });
    await settle(third);
    expect(smtp.mails).toHaveLength(0);
    expect(mailRows(third).map((r) => [r.status, r.lastError])).toEqual([["unknown", "interrupted while sending; not sent again, so no fan gets it twice"]]);
  });

  it("posts to the fan webhook without SMTP, and a failing auto-fill holds nothing back", async () => {
    const hooks = webhookReceiver();
    cleanups.push(() => hooks.close());
    const clock = fakeClock(MOMENT - 600_000);
    let calls = 0;
    const t = await app(clock, { refill: async () => { calls++; throw new Error("catalogue down"); } });
    t.outro.settings.set("fanWebhookUrl", hooks.url);
    await t.api("POST", "/api/links", upcoming());
    await signUp(t, clock, "night-drive", "alice@example.com");
    clock.set(MOMENT);
    await settle(t);
    expect(releasePosts(hooks).map((p) => p.body.fan.email)).toEqual(["alice@example.com"]);
    expect(mailRows(t)).toEqual([]);
    expect(calls).toBe(1);
    clock.advance(60_000);
    await settle(t);
    expect(calls).toBe(1);
  });

  it("runs the real auto-fill again at the moment, adding the services that appeared, keeping the artist's own", async () => {
    const cats = await startFakeCatalogues([NIGHT_DRIVE_ALBUM]);
    cleanups.push(() => cats.stop());
    const clock = fakeClock(MOMENT - 600_000);
    const t = await startReleaseApp({ clock: clock.now, env: cats.env });
    cleanups.push(() => t.close({ keepData: false }));
    await t.api("POST", "/api/links", { ...upcoming(), destinations: [{ url: NIGHT_DRIVE_ALBUM.spotifyUrl }, { url: "https://babbage.example/merch", label: "Merch" }] });
    await settle(t);
    expect(cats.odesli.requests).toHaveLength(0);
    clock.set(MOMENT);
    await settle(t);
    const link = await (await t.api("GET", "/api/links/night-drive")).json();
    const services = link.destinations.map((d: { service: string | null }) => d.service);
    expect(services.slice(0, 2)).toEqual(["spotify", null]);
    expect(services).toContain("tidal");
    expect(services).toContain("apple-music");
    expect(link.destinations[0].url).toBe(NIGHT_DRIVE_ALBUM.spotifyUrl);
    // The pre-save link survives the refill's edit; the page is the smart link with the new services.
    expect(link.presaves.map((p: { key: string }) => p.key)).toEqual(["presave-spotify"]);
    expect(await (await t.req("/night-drive")).text()).toContain('href="/night-drive/go/tidal"');
    const asked = cats.odesli.requests.length + cats.deezer.requests.length + cats.itunes.requests.length;
    clock.advance(3_600_000);
    await settle(t);
    expect(cats.odesli.requests.length + cats.deezer.requests.length + cats.itunes.requests.length).toBe(asked);
  });

  it("leaves an unpublished link alone at its moment, and catches up when it is published", async () => {
    const { smtp } = await receivers();
    const clock = fakeClock(MOMENT - 600_000);
    const refills: string[] = [];
    const t = await app(clock, { smtpUrl: smtp.url, refill: async (slug) => { refills.push(slug); } });
    await t.api("POST", "/api/links", upcoming());
    await signUp(t, clock, "night-drive", "alice@example.com");
    expect((await t.api("PATCH", "/api/links/night-drive", { published: false })).status).toBe(200);
    clock.set(MOMENT);
    await settle(t);
    expect([smtp.mails.length, refills.length]).toEqual([0, 0]);
    expect((await (await t.api("GET", "/api/links/night-drive")).json()).releasedAt).toBeNull();
    clock.advance(3_600_000);
    await t.api("PATCH", "/api/links/night-drive", { published: true });
    await settle(t);
    expect(smtp.mails.map((m) => m.to[0])).toEqual(["alice@example.com"]);
    expect(refills).toEqual(["night-drive"]);
  });

  it("does not ask for the note once the moment is handled: a late signup is only a signup", async () => {
    const { smtp } = await receivers();
    const clock = fakeClock(MOMENT - 600_000);
    const t = await app(clock, { smtpUrl: smtp.url });
    await t.api("POST", "/api/links", upcoming());
    // The page was opened before the moment; the form is sent after it.
    const html = await (await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).text();
    expect(html).toContain("Notify me");
    clock.set(MOMENT);
    await settle(t);
    const res = await t.req("/night-drive/subscribe", {
      method: "POST",
      headers: { "user-agent": HUMAN_UA, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ email: "late@example.com", consent: "on", website: "", t: /name="t" value="([^"]+)"/.exec(html)![1]! }),
    });
    expect((await res.json()).ok).toBe(true);
    clock.advance(60_000);
    await settle(t);
    expect(t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM fans").get()!.n).toBe(1);
    expect(t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM release_subscribers").get()!.n).toBe(0);
    expect(smtp.mails).toHaveLength(0);
  });
});

describe("SMTP configuration", () => {
  it("needs smtp:// or smtps://, a sender, and never echoes the password", () => {
    const base = { DATA_DIR: "/tmp" };
    expect(() => loadConfig({ ...base, SMTP_URL: "http://user:hunter2@mail.example:587" })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, SMTP_URL: "http://user:hunter2@mail.example:587" });
    } catch (err) {
      expect((err as Error).message).toStartWith("SMTP_URL:");
      expect((err as Error).message).not.toContain("hunter2");
    }
    expect(() => loadConfig({ ...base, SMTP_URL: "smtp://user:pw@mail.example:587" })).toThrow(/^SMTP_FROM: is required/);
    expect(() => loadConfig({ ...base, SMTP_URL: "smtp://mail.example", SMTP_FROM: "not an address" })).toThrow(/^SMTP_FROM:/);
    const ok = loadConfig({ ...base, SMTP_URL: "smtps://user:pw@mail.example:465", SMTP_FROM: FROM });
    expect([ok.smtpUrl, ok.smtpFrom]).toEqual(["smtps://user:pw@mail.example:465", FROM]);
  });
});
