import { Elysia } from "elysia";
import { adminContext, adminKit, formText, type AdminDeps } from "../admin/context";
import { AppError } from "../errors";
import type { Link } from "../links/model";
import { AdminNotFound } from "../../views/admin/dashboard";
import { AutofillPage } from "../../views/admin/autofill";
import type { Shell } from "../../views/admin/layout";
import { applyAutofill, type AcceptedAutofill } from "./apply";
import type { AutofillResult } from "./model";
import { parseAutofillQuery } from "./query";
import type { AutofillService } from "./service";

/** Candidate rows a results form may carry (a lookup gives far fewer). */
const MAX_CANDIDATES = 100;

/** /admin/links/{slug}/autofill: paste → matches with source and confidence → tick → added, manual entries kept. */
export const autofillAdminRoutes = (deps: AdminDeps & { autofill: AutofillService }) => {
  const kit = adminKit(deps);
  const { links, autofill } = { ...kit, autofill: deps.autofill };

  const release = (slug: string): Link | null => {
    try {
      const link = links.get(slug);
      return link.type === "release" ? link : null;
    } catch {
      return null;
    }
  };
  const missing = (shell: Shell, set: { status?: number | string }, slug: string) => {
    set.status = 404;
    return <AdminNotFound shell={shell} what={`There is no release link “${slug.slice(0, 80)}”.`} />;
  };
  const page = (shell: Shell, link: Link, q: string, result: AutofillResult | null, errors: Record<string, string> = {}) => (
    <AutofillPage shell={shell} slug={link.slug} linkTitle={link.title} q={q} errors={errors} result={result}
      current={{
        title: link.title, artist: link.artist, artworkUrl: link.artworkUrl ?? "",
        services: new Map(link.destinations.filter((d) => d.service).map((d) => [d.service!, d.url])),
      }} />
  );

  return new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/links/:slug/autofill", async ({ shell, params, query, set }) => {
      const link = release(params.slug);
      if (!link) return missing(shell, set, params.slug);
      const q = typeof query.q === "string" ? query.q.slice(0, 4096) : "";
      if (!q.trim()) return page(shell, link, "", null);
      try {
        return page(shell, link, q, await autofill.find(q, "q"));
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        set.status = err.status;
        return page(shell, link, q, null, err.fields ?? { q: err.message });
      }
    }, { admin: true })
    .post("/links/:slug/autofill", async ({ shell, params, body, set, redirect }) => {
      const link = release(params.slug);
      if (!link) return missing(shell, set, params.slug);
      const text = formText(body);
      const q = text("q", 4096);
      const accepted: AcceptedAutofill = { destinations: [] };
      for (let i = 0; i < MAX_CANDIDATES; i++) {
        if (text(`accept-${i}`) !== "on") continue;
        accepted.destinations.push({ url: text(`cand-${i}-url`, 4096), service: text(`cand-${i}-service`, 40) || undefined });
      }
      if (text("use-title") === "on") accepted.title = text("title", 1000);
      if (text("use-artist") === "on") accepted.artist = text("artist", 1000);
      if (text("use-artworkUrl") === "on") accepted.artworkUrl = text("artworkUrl", 4096);
      try {
        const applied = applyAutofill(links, link.slug, accepted);
        try {
          autofill.remember(link.id, parseAutofillQuery(q));
        } catch {
          // A tampered or empty query only means the release-day re-run falls back to the first destination.
        }
        return redirect(`/admin/links/${link.slug}?autofilled=${applied.added.length}`, 303);
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
        return page(shell, release(link.slug) ?? link, q, result, { form: `Nothing was added: ${Object.values(err.fields ?? {})[0] ?? err.message}` });
      }
    }, { admin: true });
};
