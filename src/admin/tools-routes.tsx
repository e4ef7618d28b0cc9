import { Elysia } from "elysia";
import QRCode from "qrcode";
import { z } from "zod";
import { baseUrl } from "../links/landing";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../tracking/log";
import { adminContext, fieldErrors, type AdminKit } from "./context";
import { explain } from "./health";
import { AdminNotFound } from "../../views/admin/dashboard";
import { TrackingPage, UtmPage, type UtmDraft } from "../../views/admin/tools";

export const UTM_PRESETS: { id: string; label: string; values: Partial<UtmDraft> }[] = [
  { id: "instagram-bio", label: "Instagram bio", values: { source: "instagram", medium: "social", content: "bio" } },
  { id: "tiktok", label: "TikTok", values: { source: "tiktok", medium: "social", content: "bio" } },
  { id: "meta-ads", label: "Facebook/Instagram ads", values: { source: "facebook", medium: "paid_social", content: "" } },
  { id: "email", label: "Email", values: { source: "newsletter", medium: "email", content: "" } },
  { id: "youtube", label: "YouTube", values: { source: "youtube", medium: "video", content: "description" } },
];

const UtmValue = z.string().trim().max(100, "at most 100 characters").refine((v) => !/[\u0000-\u001f]/.test(v), "must be one line");
const UtmForm = z.object({ source: UtmValue, medium: UtmValue, campaign: UtmValue, content: UtmValue, term: UtmValue });

export interface DeliveryRowView {
  when: string;
  eventName: string;
  eventId: string;
  slug: string | null;
  status: string;
  attempts: number;
  error: string | null;
  /** The page's beacon said the browser's Pixel fired this event id too (the dedup proof). */
  browserFired: boolean;
}

const str = (v: unknown, max = 200) => (typeof v === "string" ? v.slice(0, max) : "");
// Seconds or milliseconds: whichever the outbox stores.
const when = (t: number) => new Date(t < 1e11 ? t * 1000 : t).toISOString().slice(0, 19).replace("T", " ") + " UTC";

/** QR codes, the UTM builder and the CAPI delivery log. */
export const toolRoutes = (kit: AdminKit) => {
  const { links, config } = kit;
  const linkUrl = (request: Request, slug: string) => `${baseUrl(request, config.publicUrl, config.trustProxy)}/${slug}`;
  const exists = (slug: string) => links.list().some((l) => l.slug === slug);

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/links/:slug/qr.svg", async ({ shell, params, request, set }) => {
      if (!exists(params.slug)) {
        set.status = 404;
        return <AdminNotFound shell={shell} what="There is no such link." />;
      }
      const svg = await QRCode.toString(linkUrl(request, params.slug), { type: "svg", margin: 2, errorCorrectionLevel: "M" });
      set.headers["content-type"] = "image/svg+xml";
      set.headers["content-disposition"] = `attachment; filename="${params.slug}-qr.svg"`;
      return svg;
    }, { admin: true })
    .get("/links/:slug/qr.png", async ({ shell, params, request, set }) => {
      if (!exists(params.slug)) {
        set.status = 404;
        return <AdminNotFound shell={shell} what="There is no such link." />;
      }
      const png = await QRCode.toBuffer(linkUrl(request, params.slug), { type: "png", width: 1024, margin: 2, errorCorrectionLevel: "M" });
      return new Response(new Uint8Array(png), {
        headers: { ...Object.fromEntries(Object.entries(set.headers).map(([k, v]) => [k, String(v)])), "content-type": "image/png", "content-disposition": `attachment; filename="${params.slug}-qr.png"` },
      });
    }, { admin: true })
    .get("/tools/utm", ({ shell, query, request, set }) => {
      const all = links.list().map((l) => ({ slug: l.slug, title: l.title }));
      const draft: UtmDraft = {
        link: str(query.link) || all[0]?.slug || "",
        source: str(query.source, 500), medium: str(query.medium, 500), campaign: str(query.campaign, 500), content: str(query.content, 500), term: str(query.term, 500),
      };
      const preset = UTM_PRESETS.find((p) => p.id === query.preset);
      if (preset) Object.assign(draft, preset.values);
      const presets = UTM_PRESETS.map(({ id, label }) => ({ id, label }));
      // Nothing asked for yet: just the empty form.
      if (!("link" in query) && !preset) return <UtmPage shell={shell} draft={draft} links={all} presets={presets} url={null} errors={{}} />;
      const errors: Record<string, string> = {};
      if (!all.some((l) => l.slug === draft.link)) errors.link = all.length ? "pick one of your links" : "create a link first";
      const parsed = UtmForm.safeParse(draft);
      if (!parsed.success) Object.assign(errors, fieldErrors(parsed.error.issues));
      if (Object.keys(errors).length) {
        set.status = 422;
        return <UtmPage shell={shell} draft={draft} links={all} presets={presets} url={null} errors={errors} />;
      }
      const d = parsed.data!;
      const q = new URLSearchParams();
      for (const [k, v] of [["utm_source", d.source], ["utm_medium", d.medium], ["utm_campaign", d.campaign], ["utm_content", d.content], ["utm_term", d.term]] as const) if (v) q.set(k, v);
      const url = `${linkUrl(request, draft.link)}${q.size ? `?${q}` : ""}`;
      return <UtmPage shell={shell} draft={{ ...draft, ...d }} links={all} presets={presets} url={url} errors={{}} />;
    }, { admin: true })
    .get("/tracking", ({ shell, query }) => {
      const status = (DELIVERY_STATUSES as readonly string[]).includes(str(query.status)) ? (query.status as DeliveryStatus) : undefined;
      const rows: DeliveryRowView[] = kit.log.list({ status, limit: 200 }).map((r) => ({
        when: when(r.createdAt), eventName: r.eventName, eventId: r.eventId, slug: r.slug, status: r.status, attempts: r.attempts, error: explain(r), browserFired: r.browserFired,
      }));
      return (
        <TrackingPage shell={shell} counters={kit.log.counters()} rows={rows} status={status ?? ""}
          paused={kit.log.pausedPixels().map((p) => ({ pixelId: p.pixelId, reason: p.reason, since: when(p.pausedAt) }))}
          expiring={kit.log.expiringSoon(Math.floor(kit.clock() / 1000))} />
      );
    }, { admin: true });
};
