import { afterEach, describe, expect, it } from "bun:test";
import { startApp, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

let now = Date.parse("2027-01-01T00:00:00Z");
const clock = () => now;

async function signedIn() {
  t = await startApp({ ADMIN_PASSWORD }, { clock });
  const admin = new AdminClient(t);
  expect((await admin.signIn()).status).toBe(303);
  return admin;
}

const errorOf = (html: string, name: string) => new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
const valueOf = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];

const releaseForm = (extra: Record<string, string> = {}) => ({
  action: "save", type: "release", title: "Night Drive", artist: "Babbage", slug: "night-drive", published: "on",
  "dest-0-present": "1", "dest-0-url": "https://open.spotify.com/track/abc", "dest-0-pos": "1",
  releaseDate: "2027-01-15", releaseTime: "00:00", releaseTimeZone: "Europe/Berlin",
  "presave-0-present": "1", "presave-0-url": "https://open.spotify.com/prerelease/3xYz", "presave-0-pos": "1",
  ...extra,
});

describe("release day in the admin editor", () => {
  it("sets the release moment and pre-save links, shows them again, and previews the countdown", async () => {
    const admin = await signedIn();
    const blank = await admin.page("/admin/links/new");
    expect(blank).toContain("Release day");
    expect(blank).toContain('list="time-zones"');
    expect(blank).toContain('<option value="Asia/Kolkata"');

    // "Add a pre-save link" re-renders the form with one more row, keeping what was typed.
    const more = await (await admin.post("/admin/links", releaseForm({ action: "add-presave" }))).text();
    expect(valueOf(more, "presave-0-url")).toBe("https://open.spotify.com/prerelease/3xYz");
    expect(more).toContain('name="presave-1-url"');

    const res = await admin.post("/admin/links", releaseForm());
    expect(res.status).toBe(303);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect([link.releaseDate, link.releaseTime, link.releaseTimeZone, link.releaseAt]).toEqual(["2027-01-15", "00:00", "Europe/Berlin", "2027-01-14T23:00:00.000Z"]);
    expect(link.presaves).toEqual([{ key: "presave-spotify", url: "https://open.spotify.com/prerelease/3xYz", service: "spotify", label: "Pre-save on Spotify" }]);

    const edit = await admin.page("/admin/links/night-drive");
    expect(valueOf(edit, "releaseDate")).toBe("2027-01-15");
    expect(valueOf(edit, "releaseTimeZone")).toBe("Europe/Berlin");
    expect(valueOf(edit, "presave-0-url")).toBe("https://open.spotify.com/prerelease/3xYz");
    expect(edit).toContain("Counting down to Friday, 15 January 2027, 00:00 (Europe/Berlin) · 0 fans asked for a note");
    const preview = await admin.page("/admin/links/night-drive/preview");
    expect(preview).toContain("Friday, 15 January 2027, 00:00 (Europe/Berlin)");
    expect(preview).toContain("/night-drive/go/presave-spotify");

    // Clearing the date takes the countdown away.
    expect((await admin.post("/admin/links/night-drive", releaseForm({ releaseDate: "", releaseTime: "", releaseTimeZone: "", "presave-0-remove": "on" }))).status).toBe(303);
    expect((await (await t!.api("GET", "/api/links/night-drive")).json()).releaseAt).toBeNull();
  });

  it("puts each bad release field's error next to it, keeps the input, and saves nothing", async () => {
    const admin = await signedIn();
    for (const [fields, name, message] of [
      [{ releaseTimeZone: "Mars/Olympus_Mons" }, "releaseTimeZone", "must be an IANA time zone such as Europe/Berlin"],
      [{ releaseDate: "2027-02-30" }, "releaseDate", "must be a real date written YYYY-MM-DD"],
      [{ releaseTime: "25:00" }, "releaseTime", "must be a time HH:MM from 00:00 to 23:59"],
      [{ "presave-0-url": "javascript:alert(1)" }, "presave-0-url", "must be an http:// or https:// URL"],
      [{ releaseTimeZone: "" }, "releaseTimeZone", "is required with releaseDate (an IANA zone such as Europe/Berlin)"],
    ] as const) {
      const res = await admin.post("/admin/links", releaseForm(fields));
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(errorOf(html, name)).toBe(message);
      const typed = Object.values(fields)[0]!;
      if (typed) expect(html).toContain(`value="${typed.replace(/"/g, "&#34;")}"`);
      expect((await t!.api("GET", "/api/links/night-drive")).status).toBe(404);
    }
  });
});
