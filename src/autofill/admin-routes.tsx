import { Elysia } from "elysia";
import { catalogEntry, detectService } from "../catalog";
import { adminContext, adminKit, formText, type AdminDeps } from "../admin/context";
import { emptyDraft, type LinkDraft } from "../admin/link-form";
import { AppError } from "../errors";
import { baseUrl } from "../links/landing";
import { RESERVED_SLUGS, SLUG_PATTERN, STANDARD_EVENTS, type Link } from "../links/model";
import { AdminNotFound } from "../../views/admin/dashboard";
import { AutofillPage } from "../../views/admin/autofill";
import { LinkFormPage } from "../../views/admin/link-form";
import type { Shell } from "../../views/admin/layout";
import { applyAutofill, type AcceptedAutofill } from "./apply";
import type { AutofillResult } from "./model";
import { parseAutofillQuery } from "./query";
import type { AutofillService } from "./service";

/** Candidate rows a results form may carry (a look-up gives far fewer). */
const MAX_CANDIDATES = 100;
/** "new" is a reserved slug, so /admin/links/new/autofill can never shadow a link's own page. */
const NEW = "new";

/** What the artist already has: a stored release link, or nothing yet (a new link). */
interface Target {
  slug: string;
  link: Link | null;
}

/**
 * /admin/links/{slug}/autofill: paste → matches with source and confidence → tick → added, manual
 * entries kept. For a new link (/admin/links/new/autofill) the ticked matches fill the new-link form instead.
 */
export const autofillAdminRoutes = (deps: AdminDeps & { autofill: AutofillService }) => {
  const kit = adminKit(deps);
  const { links, config } = kit;
  const autofill = deps.autofill;

  const targetOf = (slug: string): Target | null => {
    if (slug === NEW) return { slug: NEW, link: null };
    try {
      const link = links.get(slug);
      return link.type === "release" ? { slug, link } : null;
    } catch {
      return null;
    }
  };
  const missing = (shell: Shell, set: { status?: number | string }, slug: string) => {
    set.status = 404;
    return <AdminNotFound shell={shell} what={`There is no release link “${slug.slice(0, 80)}”.`} />;
  };
  const page = (shell: Shell, target: Target, q: string, result: AutofillResult | null, errors: Record<string, string> = {}) => {
    const link = target.link;
    return (
      <AutofillPage shell={shell} slug={target.slug} linkTitle={link?.title ?? "New release link"} isNew={!link} q={q} errors={errors} result={result}
        current={{
          title: link?.title ?? "", artist: link?.artist ?? "", artworkUrl: link?.artworkUrl ?? "",
          services: new Map((link?.destinations ?? []).filter((d) => d.service).map((d) => [d.service!, d.url])),
        }} />
    );
  };

  /** A free slug from the title, for the artist to keep or change. */
  const suggestSlug = (title: string) => {
    const base = title.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56).replace(/-+$/, "");
    if (!base || !SLUG_PATTERN.test(base)) return "";
    for (let n = 1; n < 50; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      if (RESERVED_SLUGS.has(slug)) continue;
      try {
        links.get(slug);
      } catch {
        return slug;
      }
    }
    return "";
  };

  /** The new-link form, filled with the accepted matches; nothing is stored until the artist creates it. */
  const newLinkForm = (shell: Shell, request: Request, accepted: AcceptedAutofill) => {
    const draft: LinkDraft = emptyDraft("release");
    draft.title = accepted.title ?? "";
    draft.artist = accepted.artist ?? "";
    draft.artworkUrl = accepted.artworkUrl ?? "";
    draft.slug = suggestSlug(draft.title);
    const seen = new Set<string>();
    const rows = accepted.destinations.flatMap((d) => {
      const service = d.service && catalogEntry(d.service) ? d.service : (detectService(d.url)?.id ?? null);
      if (!/^https?:\/\//i.test(d.url) || (service && seen.has(service))) return [];
      if (service) seen.add(service);
      return [{ url: d.url, label: "", service }];
    });
    draft.dests = [...rows, { url: "", label: "", service: null }];
    const serviceOf = (id: string | null) => {
      const e = id ? catalogEntry(id) : undefined;
      return e ? { id: e.id, name: e.name, kind: e.kind } : null;
    };
    return (
      <LinkFormPage shell={shell} draft={draft} originalSlug={null} errors={{}} baseUrl={baseUrl(request, config.publicUrl, config.trustProxy)}
        saved={`Filled from auto-fill with ${rows.length} service${rows.length === 1 ? "" : "s"}: check the fields, then create the link.`}
        releases={[]} standardEvents={STANDARD_EVENTS} serviceOf={serviceOf} />
    );
  };

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/links/:slug/autofill", async ({ shell, params, query, set }) => {
      const target = targetOf(params.slug);
      if (!target) return missing(shell, set, params.slug);
      const q = typeof query.q === "string" ? query.q.slice(0, 4096) : "";
      if (!q.trim()) return page(shell, target, "", null);
      try {
        return page(shell, target, q, await autofill.find(q, "q"));
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        set.status = err.status;
        return page(shell, target, q, null, err.fields ?? { q: err.message });
      }
    }, { admin: true })
    .post("/links/:slug/autofill", async ({ shell, params, body, set, request, redirect }) => {
      const target = targetOf(params.slug);
      if (!target) return missing(shell, set, params.slug);
      const text = formText(body);
      const q = text("q", 4096);
      const accepted: AcceptedAutofill = { destinations: [] };
      for (let i = 0; i < MAX_CANDIDATES; i++) {
        if (text(`accept-${i}`) !== "on") continue;
        accepted.destinations.push({ url: text(`cand-${i}-url`, 4096).trim(), service: text(`cand-${i}-service`, 40) || undefined });
      }
      if (text("use-title") === "on") accepted.title = text("title", 1000);
      if (text("use-artist") === "on") accepted.artist = text("artist", 1000);
      if (text("use-artworkUrl") === "on") accepted.artworkUrl = text("artworkUrl", 4096);
      if (!target.link) return newLinkForm(shell, request, accepted);
      try {
        const applied = applyAutofill(links, target.slug, accepted);
        try {
          autofill.remember(target.link.id, parseAutofillQuery(q));
        } catch {
          // A tampered or empty query only means the release-day re-run falls back to the first destination.
        }
        return redirect(`/admin/links/${target.slug}?autofilled=${applied.added.length}`, 303);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        set.status = err.status;
        // The matches are shown again (from the cache, usually) with the reason; nothing was saved.
        let result: AutofillResult | null = null;
        try {
          result = await autofill.find(q, "q");
        } catch {
          result = null;
        }
        return page(shell, targetOf(target.slug) ?? target, q, result, { form: `Nothing was added: ${Object.values(err.fields ?? {})[0] ?? err.message}` });
      }
    }, { admin: true });
};
