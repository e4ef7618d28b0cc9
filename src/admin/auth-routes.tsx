import { Elysia } from "elysia";
import { z } from "zod";
import type { Server } from "bun";
import { clientIp } from "../plugins/client";
import { adminContext, fieldErrors, formText, type AdminKit } from "./context";
import { FORM_COOKIE, SESSION_COOKIE, randomToken, tokenMatches } from "./auth";
import { FormExpiredPage, SetupDonePage, SetupPage, SignInPage } from "../../views/admin/sign-in";

const SetupForm = z
  .object({
    password: z.string().min(10, "at least 10 characters").max(200, "at most 200 characters"),
    confirm: z.string(),
  })
  .refine((f) => f.password === f.confirm, { path: ["confirm"], message: "the two passwords differ" });

type Cookies = Record<string, { value?: unknown; set(o: object): unknown; remove(): unknown }>;

/** Sign-in, one-time setup and sign-out. */
export const authRoutes = (kit: AdminKit) => {
  const cookieBase = { httpOnly: true, path: "/admin", secure: kit.secureCookies } as const;

  /** A fresh token for the signed-out forms, paired with a cookie (double submit). */
  const formToken = (cookie: Cookies) => {
    const token = randomToken(24);
    cookie[FORM_COOKIE]!.set({ ...cookieBase, value: token, sameSite: "strict", maxAge: 3600 });
    return token;
  };
  const formTokenOk = (cookie: Cookies, body: unknown) => tokenMatches(formText(body)("_csrf", 200), cookie[FORM_COOKIE]?.value as string | undefined);

  const signIn = (cookie: Cookies) => {
    const { token } = kit.sessions.create();
    cookie[SESSION_COOKIE]!.set({ ...cookieBase, value: token, sameSite: "lax", maxAge: Math.floor(7 * 24 * 3600) });
    cookie[FORM_COOKIE]!.set({ ...cookieBase, value: "", sameSite: "strict", maxAge: 0 });
  };

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/login", ({ cookie, session, redirect, request, server }) => {
      if (kit.password.needsSetup()) return redirect("/admin/setup", 303);
      if (session) return redirect("/admin", 303);
      const wait = kit.limiter.retryAfter(clientIp(request, server as Server<unknown> | null, kit.config.trustProxy));
      return <SignInPage formToken={formToken(cookie as Cookies)} blockedMinutes={wait ? Math.ceil(wait / 60_000) : undefined} />;
    }, { admin: "open" })
    .post("/login", async ({ cookie, body, set, redirect, request, server }) => {
      const c = cookie as Cookies;
      if (kit.password.needsSetup()) return redirect("/admin/setup", 303);
      if (!formTokenOk(c, body)) {
        set.status = 403;
        return <FormExpiredPage back="/admin/login" />;
      }
      const ip = clientIp(request, server as Server<unknown> | null, kit.config.trustProxy);
      const wait = kit.limiter.retryAfter(ip);
      if (wait) {
        set.status = 429;
        set.headers["retry-after"] = String(Math.ceil(wait / 1000));
        return <SignInPage formToken={formToken(c)} blockedMinutes={Math.ceil(wait / 60_000)} />;
      }
      if (!(await kit.password.verify(formText(body)("password", 1000)))) {
        kit.limiter.fail(ip);
        set.status = 401;
        return <SignInPage formToken={formToken(c)} error="That password is not right." />;
      }
      kit.limiter.reset(ip);
      signIn(c);
      return redirect("/admin", 303);
    }, { admin: "open" })
    .get("/setup", ({ cookie, set }) => {
      if (!kit.password.needsSetup()) return notFound(set);
      return <SetupPage formToken={formToken(cookie as Cookies)} />;
    }, { admin: "open" })
    .post("/setup", async ({ cookie, body, set, redirect }) => {
      const c = cookie as Cookies;
      if (!kit.password.needsSetup()) return notFound(set);
      if (!formTokenOk(c, body)) {
        set.status = 403;
        return <FormExpiredPage back="/admin/setup" />;
      }
      const text = formText(body);
      const parsed = SetupForm.safeParse({ password: text("password", 1000), confirm: text("confirm", 1000) });
      if (!parsed.success) {
        set.status = 422;
        return <SetupPage formToken={formToken(c)} errors={fieldErrors(parsed.error.issues)} />;
      }
      await kit.password.store(parsed.data.password);
      signIn(c);
      return redirect("/admin", 303);
    }, { admin: "open" })
    .post("/logout", ({ session, cookie, redirect }) => {
      kit.sessions.remove(session!);
      (cookie as Cookies)[SESSION_COOKIE]!.set({ ...cookieBase, value: "", sameSite: "lax", maxAge: 0 });
      return redirect("/admin/login", 303);
    }, { admin: true });
};

function notFound(set: { status?: number | string }) {
  set.status = 404;
  return <SetupDonePage />;
}
