import { Elysia } from "elysia";
import { z } from "zod";
import { adminContext, adminKit, fieldErrors, formText, type AdminDeps } from "../admin/context";
import { baseUrl } from "../links/landing";
import { EventName, HttpUrl } from "../links/model";
import { AdminNotFound } from "../../views/admin/dashboard";
import { DeleteFanPage, FansPage, type FanSettingsDraft } from "../../views/fans/admin";
import type { FanService } from "./service";

const FanSettings = z.object({
  consentText: z.string().trim().min(1, "is required").max(300, "at most 300 characters"),
  eventName: EventName,
  webhookUrl: z.union([z.literal(""), HttpUrl]),
  webhookSecret: z.string().max(200, "at most 200 characters"),
});

/** /admin/fans: the list, CSV export, erase, and the signup settings. */
export const fanAdminRoutes = (deps: AdminDeps & { fans: FanService }) => {
  const kit = adminKit(deps);
  const { fans, settings, links, config } = { ...kit, fans: deps.fans };

  const view = (request: Request, q: string, link: string) => {
    const base = baseUrl(request, config.publicUrl, config.trustProxy);
    return fans.repo.search(q, link, 200).map((f) => ({
      id: f.id, email: f.email, name: f.name, links: f.links,
      signedUp: new Date(f.createdAt).toISOString().slice(0, 10),
      unsubscribed: f.unsubscribedAt !== null,
      unsubscribeUrl: `${base}/u/${f.unsubscribeToken}`,
    }));
  };
  const draft = (): FanSettingsDraft => {
    const s = settings.get();
    return { consentText: s.signupConsentText, eventName: s.signupEventName, webhookUrl: s.fanWebhookUrl ?? "", hasSecret: !!s.fanWebhookSecret };
  };
  const page = (ctx: { request: Request; shell: Parameters<typeof FansPage>[0]["shell"] }, q = "", link = "", extra: { errors?: Record<string, string>; saved?: string; settings?: FanSettingsDraft } = {}) => (
    <FansPage shell={ctx.shell} fans={view(ctx.request, q, link)} q={q} link={link} total={fans.repo.count()}
      slugs={links.list().map((l) => l.slug)} settings={extra.settings ?? draft()} errors={extra.errors} saved={extra.saved} />
  );

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/fans", ({ request, shell, query }) => {
      const q = typeof query.q === "string" ? query.q.slice(0, 200) : "";
      const link = typeof query.link === "string" ? query.link.slice(0, 64) : "";
      return page({ request, shell }, q, link);
    }, { admin: true })
    .get("/fans.csv", ({ set }) => {
      set.headers["content-type"] = "text/csv; charset=utf-8";
      set.headers["content-disposition"] = `attachment; filename="outro-fans.csv"`;
      return fans.csv();
    }, { admin: true })
    .get("/fans/:id/delete", ({ params, shell, set }) => {
      const fan = fans.repo.search("", "", 1_000_000).find((f) => String(f.id) === params.id);
      if (!fan) {
        set.status = 404;
        return <AdminNotFound shell={shell} what="There is no such fan." />;
      }
      return <DeleteFanPage shell={shell} fan={fan} />;
    }, { admin: true })
    .post("/fans/:id/delete", ({ params, redirect }) => {
      const id = Number(params.id);
      if (Number.isInteger(id) && id > 0) fans.repo.erase(id);
      return redirect("/admin/fans", 303);
    }, { admin: true })
    .post("/fans/settings", ({ body, request, shell, set }) => {
      const field = formText(body);
      const typed = { consentText: field("consentText", 1000), eventName: field("eventName", 200), webhookUrl: field("webhookUrl", 3000).trim(), webhookSecret: field("webhookSecret", 1000) };
      const parsed = FanSettings.safeParse(typed);
      if (!parsed.success) {
        set.status = 422;
        return page({ request, shell }, "", "", {
          errors: fieldErrors(parsed.error.issues),
          settings: { consentText: typed.consentText, eventName: typed.eventName, webhookUrl: typed.webhookUrl, hasSecret: !!settings.get().fanWebhookSecret },
        });
      }
      settings.set("signupConsentText", parsed.data.consentText);
      settings.set("signupEventName", parsed.data.eventName);
      settings.set("fanWebhookUrl", parsed.data.webhookUrl || null);
      // Write-only: an empty field keeps the stored secret.
      if (parsed.data.webhookSecret) settings.set("fanWebhookSecret", parsed.data.webhookSecret);
      links.touch();
      return page({ request, shell }, "", "", { saved: "Signup settings saved." });
    }, { admin: true });
};
