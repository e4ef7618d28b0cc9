import type { TestApp } from "./helpers";

export const ADMIN_PASSWORD = "correct-horse-battery";

/** Reads the hidden CSRF field of the first form in a page. */
export const csrfIn = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? "";

const cookiePair = (setCookie: string) => setCookie.split(";")[0]!;

/** A signed-in admin over plain HTTP: keeps the session cookie and the CSRF token. */
export class AdminClient {
  cookie = "";
  csrf = "";
  constructor(readonly t: TestApp) {}

  /** Signs in through the login form (or the setup form when `setup` is true). */
  async signIn(password = ADMIN_PASSWORD, opts: { setup?: boolean } = {}): Promise<Response> {
    const path = opts.setup ? "/admin/setup" : "/admin/login";
    const page = await this.t.req(path);
    const form = cookiePair(page.headers.get("set-cookie") ?? "");
    const body = new URLSearchParams({ _csrf: csrfIn(await page.text()), password, ...(opts.setup ? { confirm: password } : {}) });
    const res = await this.t.req(path, { method: "POST", headers: { cookie: form, "content-type": "application/x-www-form-urlencoded" }, body });
    const session = res.headers.getSetCookie().find((c) => c.startsWith("outro_admin="));
    if (session) {
      this.cookie = cookiePair(session);
      this.csrf = csrfIn(await (await this.get("/admin")).text());
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.t.req(path, { headers: { cookie: this.cookie } });
  }

  async page(path: string): Promise<string> {
    return (await this.get(path)).text();
  }

  /** Posts a form; the session's CSRF token is added unless `_csrf` is given. */
  post(path: string, fields: Record<string, string | Blob> | FormData, opts: { multipart?: boolean } = {}): Promise<Response> {
    if (fields instanceof FormData) {
      if (!fields.has("_csrf")) fields.set("_csrf", this.csrf);
      return this.t.req(path, { method: "POST", headers: { cookie: this.cookie }, body: fields });
    }
    const all = { _csrf: this.csrf, ...fields };
    if (opts.multipart || Object.values(all).some((v) => (v as unknown) instanceof Blob)) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(all)) fd.set(k, v);
      return this.t.req(path, { method: "POST", headers: { cookie: this.cookie }, body: fd });
    }
    return this.t.req(path, {
      method: "POST",
      headers: { cookie: this.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(all as Record<string, string>),
    });
  }
}

/** The smallest valid files of each kind, plus a fake. */
export const PNG_1PX = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
export const GIF_1PX = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");
export const NOT_AN_IMAGE = Buffer.from("<?php echo 'hello'; ?> this is not a picture");
