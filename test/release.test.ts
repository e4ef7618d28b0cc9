import { afterEach, describe, expect, it } from "bun:test";
import { release, startApp, HUMAN_UA, type TestApp } from "./helpers";
import { localToInstant } from "../src/release/moment";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

let now = 0;
const clock = () => now;
const at = (iso: string) => Date.parse(iso);

const PRESAVES = [
  { url: "https://open.spotify.com/prerelease/3xYz" },
  { url: "https://music.apple.com/us/album/night-drive/1234567890" },
  { url: "https://distrokid.com/hyperfollow/babbage/night-drive", label: "Pre-save everywhere" },
];

const upcoming = (extra: Record<string, unknown> = {}) =>
  release("night-drive", { releaseDate: "2027-01-15", releaseTime: "00:00", releaseTimeZone: "Europe/Berlin", presaves: PRESAVES, ...extra });

const page = async (path = "/night-drive") => {
  const res = await t!.req(path, { headers: { "user-agent": HUMAN_UA } });
  expect(res.status).toBe(200);
  return res.text();
};
const hrefs = (html: string) => [...html.matchAll(/<a class="dest" href="([^"]+)"/g)].map((m) => m[1]);

describe("release moment", () => {
  it("turns a local date, time and IANA zone into one UTC instant", () => {
    expect(new Date(localToInstant("2027-01-15", "00:00", "Europe/Berlin")).toISOString()).toBe("2027-01-14T23:00:00.000Z");
    expect(new Date(localToInstant("2027-01-15", "00:00", "America/Los_Angeles")).toISOString()).toBe("2027-01-15T08:00:00.000Z");
    expect(new Date(localToInstant("2027-07-15", "00:00", "America/Los_Angeles")).toISOString()).toBe("2027-07-15T07:00:00.000Z");
    // Half-hour zone: India is UTC+5:30 all year.
    expect(new Date(localToInstant("2027-01-15", "00:00", "Asia/Kolkata")).toISOString()).toBe("2027-01-14T18:30:00.000Z");
    expect(new Date(localToInstant("2027-01-15", "00:00", "UTC")).toISOString()).toBe("2027-01-15T00:00:00.000Z");
  });

  it("moves a time the clocks skip forward by the jump, and takes the first of a time that happens twice", () => {
    // 14 March 2027, Los Angeles: 02:00 PST becomes 03:00 PDT, so 02:30 does not exist → 03:30 PDT.
    expect(new Date(localToInstant("2027-03-14", "02:30", "America/Los_Angeles")).toISOString()).toBe("2027-03-14T10:30:00.000Z");
    expect(new Date(localToInstant("2027-03-14", "01:59", "America/Los_Angeles")).toISOString()).toBe("2027-03-14T09:59:00.000Z");
    expect(new Date(localToInstant("2027-03-14", "03:00", "America/Los_Angeles")).toISOString()).toBe("2027-03-14T10:00:00.000Z");
    // 7 November 2027: 01:30 happens at PDT, then again at PST; the first counts.
    expect(new Date(localToInstant("2027-11-07", "01:30", "America/Los_Angeles")).toISOString()).toBe("2027-11-07T08:30:00.000Z");
    // 28 March 2027, Berlin: 02:30 does not exist → 03:30 CEST.
    expect(new Date(localToInstant("2027-03-28", "02:30", "Europe/Berlin")).toISOString()).toBe("2027-03-28T01:30:00.000Z");
  });
});

describe("release day switch", () => {
  it("shows the countdown, pre-save buttons and the notify-me form before the moment, and the smart link from the instant on", async () => {
    now = at("2027-01-10T12:00:00Z");
    t = await startApp({}, { clock });
    const link = await t.createLink(upcoming());
    expect(link.releaseAt).toBe("2027-01-14T23:00:00.000Z");
    expect(link.releasedAt).toBeNull();
    expect(link.presaves.map((p: { key: string }) => p.key)).toEqual(["presave-spotify", "presave-apple-music", "presave-pre-save-everywhere"]);
    expect(link.presaves.map((p: { label: string }) => p.label)).toEqual(["Pre-save on Spotify", "Pre-add on Apple Music", "Pre-save everywhere"]);

    const before = await page();
    expect(before).toContain("Friday, 15 January 2027, 00:00 (Europe/Berlin)");
    expect(before).toContain('datetime="2027-01-14T23:00:00.000Z"');
    expect(before).toContain("In 4 days, 11 hours");
    expect(before).toContain("/assets/countdown.js?v=");
    expect(before).toContain("Notify me");
    expect(before).toContain('action="/night-drive/subscribe"');
    expect(hrefs(before)).toEqual(["/night-drive/go/presave-spotify", "/night-drive/go/presave-apple-music", "/night-drive/go/presave-pre-save-everywhere"]);
    expect(before).toContain('src="https://example.com/cover.jpg"');
    expect(before).toContain("Babbage");

    // A pre-save button is a tracked click-out like every other.
    const click = await t.req("/night-drive/go/presave-spotify", { headers: { "user-agent": HUMAN_UA } });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://open.spotify.com/prerelease/3xYz");
    expect(t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks WHERE dest_key = 'presave-spotify'").get()!.n).toBe(1);
    const stats = await (await t.api("GET", "/api/links/night-drive/stats?from=2027-01-10&to=2027-01-10")).json();
    expect(stats.destinations.find((d: { key: string }) => d.key === "presave-spotify")).toMatchObject({ label: "Pre-save on Spotify", service: "spotify", clicks: 1 });

    // The server-rendered time left moves with the clock, though the page template is cached.
    now = at("2027-01-14T22:30:00Z");
    expect(await page()).toContain("In 30 minutes");
    now = at("2027-01-14T22:59:59.999Z");
    expect(await page()).toContain("countdown");

    // No edit, no scheduler run needed: the instant itself switches the page.
    now = at("2027-01-14T23:00:00Z");
    const after = await page();
    expect(after).not.toContain("countdown");
    expect(after).not.toContain("presave");
    expect(after).not.toContain("signup-form");
    expect(hrefs(after)).toEqual(["/night-drive/go/spotify", "/night-drive/go/apple-music", "/night-drive/go/merch"]);
  });

  for (const [zone, instant] of [["America/Los_Angeles", "2027-01-15T08:00:00Z"], ["Asia/Kolkata", "2027-01-14T18:30:00Z"]] as const) {
    it(`switches at midnight ${zone} time`, async () => {
      now = at("2027-01-01T00:00:00Z");
      t = await startApp({}, { clock });
      const link = await t.createLink(upcoming({ releaseTimeZone: zone }));
      expect(link.releaseAt).toBe(new Date(at(instant)).toISOString());
      now = at(instant) - 1;
      expect(await page()).toContain(`(${zone.replace("_", " ")})`);
      now = at(instant);
      expect(await page()).not.toContain("countdown");
    });
  }

  it("switches at a DST edge at the moved time (02:30 on the night Los Angeles skips it is 03:30 PDT)", async () => {
    now = at("2027-03-01T00:00:00Z");
    t = await startApp({}, { clock });
    const link = await t.createLink(upcoming({ releaseDate: "2027-03-14", releaseTime: "02:30", releaseTimeZone: "America/Los_Angeles" }));
    expect(link.releaseAt).toBe("2027-03-14T10:30:00.000Z");
    now = at("2027-03-14T10:29:59Z");
    const before = await page();
    expect(before).toContain("Sunday, 14 March 2027, 03:30 (America/Los Angeles)");
    expect(before).toContain("In 1 minute");
    now = at("2027-03-14T10:30:00Z");
    expect(await page()).not.toContain("countdown");
  });

  it("counts down again when the date is moved into the future, and shows the smart link when it is cleared", async () => {
    now = at("2027-01-20T00:00:00Z");
    t = await startApp({}, { clock });
    await t.createLink(upcoming());
    expect(await page()).not.toContain("countdown");
    let res = await t.api("PATCH", "/api/links/night-drive", { releaseDate: "2027-02-01" });
    expect(res.status).toBe(200);
    expect((await res.json()).releaseAt).toBe("2027-01-31T23:00:00.000Z");
    expect(await page()).toContain("countdown");
    res = await t.api("PATCH", "/api/links/night-drive", { releaseDate: null });
    const cleared = await res.json();
    expect([cleared.releaseDate, cleared.releaseTime, cleared.releaseTimeZone, cleared.releaseAt, cleared.presaves]).toEqual([null, null, null, null, []]);
    expect(await page()).not.toContain("countdown");
    expect((await t.req("/night-drive/go/presave-spotify")).status).toBe(404);
  });
});

describe("release input", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["an unknown time zone", { releaseTimeZone: "Mars/Olympus_Mons" }, "releaseTimeZone"],
    ["a date that does not exist", { releaseDate: "2027-02-30" }, "releaseDate"],
    ["a date in another format", { releaseDate: "15/01/2027" }, "releaseDate"],
    ["a time past 23:59", { releaseTime: "24:00" }, "releaseTime"],
    ["a javascript: pre-save URL", { presaves: [{ url: "javascript:alert(1)" }] }, "presaves.0.url"],
    ["an ftp pre-save URL", { presaves: [PRESAVES[0], { url: "ftp://example.com/x" }] }, "presaves.1.url"],
    ["a date without a zone", { releaseTimeZone: null }, "releaseTimeZone"],
    ["pre-save links without a date", { releaseDate: null, releaseTimeZone: null }, "presaves"],
  ];
  for (const [what, extra, field] of cases) {
    it(`answers 422 naming ${field} for ${what}, and creates nothing`, async () => {
      now = at("2027-01-01T00:00:00Z");
      t = await startApp({}, { clock });
      const res = await t.api("POST", "/api/links", upcoming(extra));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe("invalid");
      expect(Object.keys(body.error.fields)).toContain(field);
      expect((await t.api("GET", "/api/links/night-drive")).status).toBe(404);
    });
  }

  it("refuses a bad edit with 422 and leaves the link as it was", async () => {
    now = at("2027-01-01T00:00:00Z");
    t = await startApp({}, { clock });
    await t.createLink(upcoming());
    const before = await (await t.api("GET", "/api/links/night-drive")).json();
    for (const [patch, field] of [
      [{ releaseTimeZone: "Europe/Nowhere", title: "Changed" }, "releaseTimeZone"],
      [{ releaseDate: "2027-13-01" }, "releaseDate"],
      [{ presaves: [{ url: "data:text/html,hi" }] }, "presaves.0.url"],
      [{ type: "bio", releaseDate: "2027-02-01" }, "releaseDate"],
    ] as const) {
      const res = await t.api("PATCH", "/api/links/night-drive", patch);
      expect(res.status).toBe(422);
      expect(Object.keys((await res.json()).error.fields)).toContain(field);
    }
    expect(await (await t.api("GET", "/api/links/night-drive")).json()).toEqual(before);
    expect(await page()).toContain("countdown");
  });

  it("refuses a release date on a bio hub", async () => {
    t = await startApp({}, { clock });
    const res = await t.api("POST", "/api/links", { slug: "babbage", type: "bio", title: "Babbage", releaseDate: "2027-01-15", releaseTimeZone: "UTC" });
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields.releaseDate).toContain("release link");
  });

  it("describes the release fields in the OpenAPI document", async () => {
    t = await startApp({}, { clock });
    const doc = await (await t.req("/api/openapi.json")).json();
    const body = JSON.stringify(doc.paths["/api/links"].post.requestBody);
    for (const f of ["releaseDate", "releaseTime", "releaseTimeZone", "presaves"]) expect(body).toContain(`"${f}"`);
  });
});
