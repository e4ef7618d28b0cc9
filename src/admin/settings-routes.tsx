import { Elysia } from "elysia";
import { z } from "zod";
import { EventName, PixelId, STANDARD_EVENTS } from "../links/model";
import { adminContext, fieldErrors, formText, type AdminKit } from "./context";
import { eventChoice } from "./link-form";
import { SettingsPage, type SettingsDraft } from "../../views/admin/settings";
import type { Shell } from "../../views/admin/layout";

const SettingsForm = z.object({
  pixelId: z.union([z.literal(""), PixelId]),
  accessToken: z.union([z.literal(""), z.string().trim().min(10, "at least 10 characters").max(512, "at most 512 characters")]),
  testEventCode: z.union([z.literal(""), z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters and digits, like TEST12345")]),
  clickEvent: z.string(),
  clickEventCustom: z.string(),
  consentMode: z.enum(["none", "opt-in"], { message: "pick one of the two" }),
  limitedDataUse: z.boolean(),
  hideBroken: z.boolean(),
});

const TokenName = z.string().trim().min(1, "give the token a name").max(80, "at most 80 characters")
  .refine((v) => !/[\u0000-\u001f]/.test(v), "must be one line");

const when = (ms: number | null) => (ms ? new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "never");

/** Instance settings (env-set ones read-only) and API tokens. */
export const settingsRoutes = (kit: AdminKit) => {
  const { settings } = kit;
  const current = (): SettingsDraft => {
    const s = settings.get();
    return {
      pixelId: s.pixelId ?? "", testEventCode: s.testEventCode ?? "", ...eventChoice(s.clickEventName),
      consentMode: s.consentMode, limitedDataUse: s.limitedDataUse, hideBroken: s.hideBrokenDestinations,
    };
  };
  const linkCheck = () => {
    const status = kit.monitor?.status();
    return {
      lastRun: status?.lastRun ? when(status.lastRun.startedAt) : "never",
      nextRun: status?.nextRunAt ? when(status.nextRunAt) : "off (LINK_CHECK_INTERVAL_HOURS=0)",
      running: status?.running ?? false,
      broken: kit.monitor?.brokenCount() ?? 0,
    };
  };
  const page = (shell: Shell, opts: { draft?: SettingsDraft; errors?: Record<string, string>; saved?: string; tokenName?: string; tokenErrors?: Record<string, string>; newToken?: { name: string; token: string } } = {}) => (
    <SettingsPage
      shell={{ ...shell, testEventCode: settings.get().testEventCode }}
      draft={opts.draft ?? current()}
      hasAccessToken={settings.get().accessToken !== null}
      locked={{ pixelId: settings.lockedByEnv("pixelId"), accessToken: settings.lockedByEnv("accessToken"), testEventCode: settings.lockedByEnv("testEventCode") }}
      errors={opts.errors ?? {}} saved={opts.saved} standardEvents={STANDARD_EVENTS}
      tokens={kit.tokens.list().map((t) => ({ id: t.id, name: t.name, createdAt: when(t.createdAt), lastUsed: when(t.lastUsedAt) }))}
      tokenName={opts.tokenName ?? ""} tokenErrors={opts.tokenErrors ?? {}} newToken={opts.newToken} envApiToken={!!kit.config.apiToken}
      linkCheck={linkCheck()}
    />
  );

  return new Elysia({ prefix: "/admin/settings" })
    .use(adminContext(kit))
    .get("/", ({ shell, query }) => page(shell, {
      saved: query.saved ? "Settings saved." : query.revoked ? "Token revoked: it no longer works."
        : query.checking ? "Checking every destination in the background; reload in a minute to see the answers." : undefined,
    }), { admin: true })
    .post("/link-check", ({ redirect }) => {
      // Off the request path: a run over every destination takes minutes (rate limits, timeouts).
      void kit.monitor?.checkAll("admin");
      return redirect("/admin/settings?checking=1#link-check", 303);
    }, { admin: true })
    .post("/", ({ shell, body, set, redirect }) => {
      const text = formText(body);
      const draft: SettingsDraft = {
        pixelId: text("pixelId", 200), testEventCode: text("testEventCode", 200), clickEvent: text("clickEvent", 100),
        clickEventCustom: text("clickEventCustom", 200), consentMode: text("consentMode", 20), limitedDataUse: text("limitedDataUse") === "on",
        hideBroken: text("hideBroken") === "on",
      };
      const accessToken = text("accessToken", 2000);
      const parsed = SettingsForm.safeParse({ ...draft, accessToken });
      const errors = parsed.success ? {} : fieldErrors(parsed.error.issues);
      let clickEventName = "Lead";
      if (draft.clickEvent === "custom") {
        const e = EventName.safeParse(draft.clickEventCustom);
        if (e.success) clickEventName = e.data;
        else errors.clickEventCustom ??= e.error.issues[0]!.message;
      } else if ((STANDARD_EVENTS as readonly string[]).includes(draft.clickEvent)) clickEventName = draft.clickEvent;
      else errors.clickEvent ??= "pick an event from the list";
      if (!parsed.success || Object.keys(errors).length) {
        set.status = 422;
        return page(shell, { draft, errors });
      }
      const d = parsed.data;
      // Settings from the environment win anyway; they are not stored over.
      if (!settings.lockedByEnv("pixelId")) settings.set("pixelId", d.pixelId || null);
      if (!settings.lockedByEnv("accessToken")) {
        if (text("clearAccessToken") === "on") settings.set("accessToken", null);
        else if (d.accessToken) settings.set("accessToken", d.accessToken);
      }
      if (!settings.lockedByEnv("testEventCode")) settings.set("testEventCode", d.testEventCode || null);
      settings.set("clickEventName", clickEventName);
      settings.set("consentMode", d.consentMode);
      settings.set("limitedDataUse", d.limitedDataUse);
      if (settings.get().hideBrokenDestinations !== d.hideBroken) {
        settings.set("hideBrokenDestinations", d.hideBroken);
        // The pages are rendered once per change: they must be drawn again with or without the broken buttons.
        kit.links.touch();
      }
      return redirect("/admin/settings?saved=1", 303);
    }, { admin: true })
    .post("/tokens", ({ shell, body, set }) => {
      const name = formText(body)("name", 500);
      const parsed = TokenName.safeParse(name);
      if (!parsed.success) {
        set.status = 422;
        return page(shell, { tokenName: name, tokenErrors: { name: parsed.error.issues[0]!.message } });
      }
      const { token } = kit.tokens.create(parsed.data, kit.clock());
      // Answered directly rather than redirected: the token exists only in this response.
      return page(shell, { newToken: { name: parsed.data, token } });
    }, { admin: true })
    .post("/tokens/:id/revoke", ({ shell, params, set, redirect }) => {
      const id = Number(params.id);
      if (!Number.isSafeInteger(id) || !kit.tokens.revoke(id, kit.clock())) {
        set.status = 404;
        return page(shell, { tokenErrors: { name: "That token does not exist or was already revoked." } });
      }
      return redirect("/admin/settings?revoked=1#api-tokens", 303);
    }, { admin: true });
};
