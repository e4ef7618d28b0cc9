import { Elysia } from "elysia";
import { catalogEntry, detectService } from "../catalog";
import { AppError } from "../errors";
import { STANDARD_EVENTS, type Link } from "../links/model";
import { baseUrl } from "../links/landing";
import { bioHubProps, smartLinkProps } from "../links/page-props";
import { UploadError } from "../media/store";
import { adminContext, formFile, formText, type AdminKit } from "./context";
import { dashboardAlerts } from "./health";
import { brokenDestinations, healthLookup } from "./link-health";
import { draftFromForm, draftFromLink, emptyDraft, mapLinkErrors, tidyDraft, validateDraft, type LinkDraft } from "./link-form";
import { AdminNotFound, DashboardPage, DeleteConfirmPage } from "../../views/admin/dashboard";
import { LinkFormPage, type ReleaseStatus, type ServiceInfo } from "../../views/admin/link-form";
import { releaseQueueRepo } from "../release/queue-repo";
import type { Shell } from "../../views/admin/layout";
import { SmartLinkPage } from "../../views/pages/smart-link";
import { BioHubPage } from "../../views/pages/bio-hub";
import { PreReleasePage } from "../../views/pages/pre-release";
import { preReleaseProps } from "../release/page-props";
import { isUpcoming } from "../release/schedule";
import { releaseMomentText, timeLeftText } from "../release/moment";

const serviceOf = (id: string | null): ServiceInfo | null => {
  const e = id ? catalogEntry(id) : undefined;
  return e ? { id: e.id, name: e.name, kind: e.kind } : null;
};

const TIME_ZONES: readonly string[] = ["UTC", ...Intl.supportedValuesOf("timeZone")];

type Ctx = { set: { status?: number | string; headers: Record<string, string | number> }; request: Request };

/** The links list (the admin's home), the link and bio hub editors, publish, delete and preview. */
export const linkRoutes = (kit: AdminKit) => {
  const { links, config } = kit;
  const base = (request: Request) => baseUrl(request, config.publicUrl, config.trustProxy);
  const find = (slug: string): Link | null => {
    try {
      return links.get(slug);
    } catch {
      return null;
    }
  };
  const releaseQueue = releaseQueueRepo(kit.db);
  const releaseStatus = (slug: string): ReleaseStatus | null => {
    const link = find(slug);
    if (!link || link.releaseAt === null || link.releaseTimeZone === null) return null;
    const when = releaseMomentText(link.releaseAt, link.releaseTimeZone);
    const state = link.releasedAt !== null ? `Released ${when}` : isUpcoming(link, kit.clock()) ? `Counting down to ${when}` : link.published ? `Due ${when} (handled within seconds)` : `Due ${when} (handled once the link is published)`;
    return { state, ...releaseQueue.statusOf(link.id) };
  };
  const notFound = (shell: Shell, set: Ctx["set"], slug: string) => {
    set.status = 404;
    return <AdminNotFound shell={shell} what={`There is no link “${slug.slice(0, 80)}”.`} />;
  };

  const form = (shell: Shell, request: Request, draft: LinkDraft, originalSlug: string | null, errors: Record<string, string> = {}, saved?: string) => (
    <LinkFormPage
      shell={shell} draft={draft} originalSlug={originalSlug} errors={errors} saved={saved} baseUrl={base(request)}
      releases={links.list().filter((l) => l.type === "release" && l.slug !== originalSlug).map((l) => ({ slug: l.slug, title: l.title }))}
      standardEvents={STANDARD_EVENTS} serviceOf={serviceOf} timeZones={TIME_ZONES} releaseStatus={originalSlug ? releaseStatus(originalSlug) : null}
      healthOf={originalSlug ? healthLookup(kit.monitor) : undefined}
    />
  );

  /** Create and edit share one path: add-row buttons re-render, "save" uploads, validates and stores. */
  const submit = async (shell: Shell, ctx: Ctx & { body: unknown; redirect: (url: string, status?: 303) => unknown }, existing: Link | null) => {
    const { body, set, request } = ctx;
    const text = formText(body);
    const type = existing?.type ?? (text("type") === "bio" ? "bio" : "release");
    const draft = draftFromForm(body, type, existing?.accessToken != null);
    const originalSlug = existing?.slug ?? null;
    const action = text("action", 20);
    const blank = { url: "", label: "", service: null };
    if (action === "add-dest" || action === "add-social" || action === "add-tour" || action === "add-presave") {
      if (action === "add-dest") draft.dests.push(blank);
      if (action === "add-presave" && type === "release") draft.presaves.push(blank);
      if (action === "add-social" && type === "bio") draft.socials.push(blank);
      if (action === "add-tour" && type === "bio") draft.tours.push({ date: "", city: "", venue: "", ticketUrl: "" });
      return form(shell, request, draft, originalSlug);
    }

    const errors: Record<string, string> = {};
    const file = formFile(body, "artworkFile");
    if (file) {
      try {
        draft.artworkUrl = await kit.media.save(file);
      } catch (err) {
        if (!(err instanceof UploadError)) throw err;
        errors.artworkFile = err.message;
      }
    }
    const result = validateDraft(draft, { isNew: !existing, accessToken: text("accessToken", 1000), clearAccessToken: text("clearAccessToken") === "on" });
    Object.assign(errors, result.errors);
    const tidy = tidyDraft(draft);
    if (Object.keys(errors).length || !result.input) {
      set.status = 422;
      return form(shell, request, tidy, originalSlug, errors);
    }
    let link: Link;
    try {
      link = existing ? links.update(existing.slug, result.input) : links.create(result.input as Parameters<typeof links.create>[0]);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      set.status = err.status;
      return form(shell, request, tidy, originalSlug, err.fields ? mapLinkErrors(err.fields, tidy.dests.length) : { form: err.message });
    }
    if (link.type === "bio") kit.bio.saveTours(link.id, result.tours ?? []);
    // Release links and bio hubs alike can carry the fan signup.
    kit.bio.setEmailSignup(link.id, draft.emailSignup);
    links.touch();
    return ctx.redirect(`/admin/links/${link.slug}?saved=${existing ? "1" : "new"}`, 303);
  };

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/", ({ shell, query }) => {
      const q = typeof query.q === "string" ? query.q.trim().slice(0, 200) : "";
      const all = links.list();
      const needle = q.toLowerCase();
      const shown = needle ? all.filter((l) => `${l.title} ${l.artist} ${l.slug}`.toLowerCase().includes(needle)) : all;
      const health = kit.monitor?.healthByUrl() ?? new Map();
      const rows = shown.map((l) => {
        const s = kit.stats(l, 28);
        return {
          slug: l.slug, type: l.type, title: l.title, artist: l.artist, published: l.published, views: s.views, clicks: s.clicks, ctr: s.ctr,
          broken: brokenDestinations(l, health, kit.clock()),
        };
      });
      const notice = query.deleted ? `Deleted “${String(query.deleted).slice(0, 80)}”.`
        : query.checking ? "Checking every destination in the background; reload in a minute to see the answers." : undefined;
      return <DashboardPage shell={shell} links={rows} query={q} alerts={dashboardAlerts(kit)} total={all.length} notice={notice} />;
    }, { admin: true })
    .get("/links", ({ redirect }) => redirect("/admin", 303), { admin: true })
    .get("/links/new", ({ shell, query, request }) => form(shell, request, emptyDraft(query.type === "bio" ? "bio" : "release"), null), { admin: true })
    .post("/links", (ctx) => submit(ctx.shell, ctx, null), { admin: true })
    .get("/detect", ({ query, set }) => {
      // For the form's script: which service a pasted URL belongs to.
      set.headers["content-type"] = "application/json; charset=utf-8";
      const url = typeof query.url === "string" ? query.url.slice(0, 2048) : "";
      let entry;
      try {
        entry = detectService(url);
      } catch {
        entry = undefined;
      }
      return JSON.stringify(entry ? { id: entry.id, name: entry.name, kind: entry.kind } : null);
    }, { admin: true })
    .get("/links/:slug", ({ shell, params, query, request, set }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      const draft = draftFromLink(link, kit.bio.tours(link.id), kit.bio.emailSignup(link.id));
      const filled = typeof query.autofilled === "string" && /^\d{1,3}$/.test(query.autofilled) ? Number(query.autofilled) : null;
      const saved = filled !== null ? (filled ? `Auto-fill added ${filled} destination${filled === 1 ? "" : "s"}. Your own entries were kept.` : "Auto-fill added nothing new: your own entries were kept.")
        : query.saved === "new" ? "Created. Share the address above, or preview it first." : query.saved ? "Saved."
        : query.checking ? "Checking this link's destinations in the background; reload in a moment to see the answers." : undefined;
      return form(shell, request, draft, link.slug, {}, saved);
    }, { admin: true })
    .post("/links/:slug", (ctx) => {
      const link = find(ctx.params.slug);
      if (!link) return notFound(ctx.shell, ctx.set, ctx.params.slug);
      return submit(ctx.shell, ctx, link);
    }, { admin: true })
    .post("/links/:slug/publish", ({ shell, params, body, set, redirect }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      links.update(link.slug, { published: formText(body)("published") === "on" });
      return redirect(`/admin/links/${link.slug}?saved=1`, 303);
    }, { admin: true })
    .post("/links/:slug/check", ({ shell, params, set, redirect }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      // Off the request path: the answer comes before the checks, which may take a while (rate limits, timeouts).
      void kit.monitor?.checkLink(link);
      return redirect(`/admin/links/${link.slug}?checking=1`, 303);
    }, { admin: true })
    .get("/links/:slug/delete", ({ shell, params, set }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      return <DeleteConfirmPage shell={shell} slug={link.slug} title={link.title} />;
    }, { admin: true })
    .post("/links/:slug/delete", ({ shell, params, set, redirect }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      links.remove(link.slug);
      return redirect(`/admin?deleted=${encodeURIComponent(link.title)}`, 303);
    }, { admin: true })
    .get("/links/:slug/preview", ({ shell, params, request, set }) => {
      const link = find(params.slug);
      if (!link) return notFound(shell, set, params.slug);
      // Rendered here rather than through the public route, so no view is recorded and drafts show too.
      const b = base(request);
      // The same buttons fans get: broken destinations are left out while the instance hides them.
      const visibility = { hiddenUrls: kit.monitor?.hiddenUrls() };
      if (isUpcoming(link, kit.clock())) return <PreReleasePage {...preReleaseProps(link, b, "", Bun.escapeHTML(timeLeftText(link.releaseAt! - kit.clock())), visibility)} />;
      return link.type === "bio"
        ? <BioHubPage {...bioHubProps(link, links.featuredFor(link), b, "", kit.clock(), visibility)} />
        : <SmartLinkPage {...smartLinkProps(link, b, "", visibility)} />;
    }, { admin: true });
};
