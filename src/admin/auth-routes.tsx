import { Elysia } from "elysia";
import { z } from "zod";
import type { Server } from "bun";
import { clientIp } from "../plugins/client";
import { adminContext, fieldErrors, formText, type AdminKit } from "./context";
import { FORM_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, addCookie, cookieHeader, randomToken, readCookie, tokenMatches } from "./auth";
import { FormExpiredPage, SetupDonePage, SetupPage, SignInPage } from "../../views/admin/sign-in";

const SetupForm = z
  .object({
    password: z.string().min(10, "at least 10 characters").max(200, "at most 200 characters"),
    confirm: z.string(),
  })
  .refine((f) => f.password === f.confirm, { path: ["confirm"], message: "the two passwords differ" });

type Set = { headers: Record<string, unknown>; status?: number | string };

/** Sign-in, one-time setup and sign-out. */
export const authRoutes = (kit: AdminKit) => {
  const secure = kit.secureCookies;

  /** A fresh token for the signed-out forms, paired with a cookie (double submit). */
  const formToken = (set: Set) => {
    const token = randomToken(24);
    addCookie(set, cookieHeader(FORM_COOKIE, token, { maxAge: 3600, sameSite: "Strict", secure }));
    return token;
  };
  const formTokenOk = (request: Request, body: unknown) => tokenMatches(formText(body)("_csrf", 200), readCookie(request, FORM_COOKIE));

  const signIn = (set: Set) => {
    const { token } = kit.sessions.create();
    addCookie(set, cookieHeader(SESSION_COOKIE, token, { maxAge: SESSION_TTL_MS / 1000, sameSite: "Lax", secure }));
    addCookie(set, cookieHeader(FORM_COOKIE, "", { maxAge: 0, sameSite: "Strict", secure }));
  };
  const ipOf = (request: Request, server: unknown) => clientIp(request, server as Server<unknown> | null, kit.config.trustProxy);

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/login", ({ session, redirect, request, server, set }) => {
      if (kit.password.needsSetup()) return redirect("/admin/setup", 303);
      if (session) return redirect("/admin", 303);
      const wait = kit.limiter.retryAfter(ipOf(request, server));
      return <SignInPage formToken={formToken(set)} blockedMinutes={wait ? Math.ceil(wait / 60_000) : undefined} />;
    }, { admin: "open" })
    .post("/login", async ({ body, set, redirect, request, server }) => {
      if (kit.password.needsSetup()) return redirect("/admin/setup", 303);
      if (!formTokenOk(request, body)) {
        set.status = 403;
        return <FormExpiredPage back="/admin/login" />;
      }
      const ip = ipOf(request, server);
      const wait = kit.limiter.retryAfter(ip);
      if (wait) {
        set.status = 429;
        set.headers["retry-after"] = String(Math.ceil(wait / 1000));
        return <SignInPage formToken={formToken(set)} blockedMinutes={Math.ceil(wait / 60_000)} />;
      }
      // Counted before the (slow, async) hash check, so parallel guesses cannot all slip past the limit.
      kit.limiter.fail(ip);
      if (!(await kit.password.verify(formText(body)("password", 1000)))) {
        set.status = 401;
        return <SignInPage formToken={formToken(set)} error="That password is not right." />;
      }
      kit.limiter.reset(ip);
      signIn(set);
      return redirect("/admin", 303);
    }, { admin: "open" })
    .get("/setup", ({ set }) => {
      if (!kit.password.needsSetup()) return notFound(set);
      return <SetupPage formToken={formToken(set)} />;
    }, { admin: "open" })
    .post("/setup", async ({ body, set, redirect, request }) => {
      if (!kit.password.needsSetup()) return notFound(set);
      if (!formTokenOk(request, body)) {
        set.status = 403;
        return <FormExpiredPage back="/admin/setup" />;
      }
      const text = formText(body);
      const parsed = SetupForm.safeParse({ password: text("password", 1000), confirm: text("confirm", 1000) });
      if (!parsed.success) {
        set.status = 422;
        return <SetupPage formToken={formToken(set)} errors={fieldErrors(parsed.error.issues)} />;
      }
      await kit.password.store(parsed.data.password);
      signIn(set);
      return redirect("/admin", 303);
    }, { admin: "open" })
    .post("/logout", ({ session, set, redirect }) => {
      kit.sessions.remove(session!);
      addCookie(set, cookieHeader(SESSION_COOKIE, "", { maxAge: 0, sameSite: "Lax", secure }));
      return redirect("/admin/login", 303);
    }, { admin: true });
};

function notFound(set: { status?: number | string }) {
  set.status = 404;
  return <SetupDonePage />;
}
