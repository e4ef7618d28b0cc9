import { Elysia } from "elysia";
import { html } from "@elysiajs/html";
import { openapi } from "@elysiajs/openapi";
import { z } from "zod";
import type { Database } from "bun:sqlite";
import type { Config } from "./config";
import { databasePath, databasePing } from "./db/open";
import { linkService } from "./links/service";
import { settingsService } from "./settings/service";
import { pageRoutes } from "./links/page-routes";
import { fanService } from "./fans/service";
import { startWebhookSender } from "./fans/webhook";
import { unsubscribeRoutes } from "./fans/routes";
import { fanAdminRoutes } from "./fans/admin-routes";
import { EventWriter } from "./clickout/writer";
import { trafficRecorder } from "./clickout/service";
import { nativeRoute } from "./plugins/native-routes";
import { metaTracking } from "./tracking/server-events";
import { clickOutRoutes, clickOutHandler } from "./clickout/routes";
import { apiRoutes } from "./api/routes";
import { tokenRepo } from "./api/tokens";
import { linkStats } from "./stats/service";
import { assetRoutes } from "./assets/routes";
import { errorHandler } from "./plugins/errors";
import { adminRoutes } from "./admin";
import { mediaRoutes } from "./media/routes";
import { startCapiDelivery } from "./tracking/sender-thread";
import { eventRoutes } from "./tracking/routes";
import { deliveryLog } from "./tracking/log";
import { audienceOf } from "./stats/audience";
import { statsRoutes } from "./stats/routes";
import { metricsRoutes } from "./ops/metrics";
import { scheduleBackups } from "./ops/scheduled-backups";
import { securityHeadersFor } from "./plugins/security";
import { linkMonitor } from "./monitor/service";
import { checkerUserAgent } from "./monitor/check-url";
import { autofillService } from "./autofill/service";
import { autofillRoutes } from "./autofill/routes";
import { autofillAdminRoutes } from "./autofill/admin-routes";
import { refillLink } from "./autofill/apply";
import { startReleaseDay } from "./release/service";

export interface AppDeps {
  config: Config;
  db: Database;
  clock?: () => number;
  /** Auto-fill for one link, run again at its release moment; by default the auto-fill module's refillLink. */
  refill?: (slug: string) => Promise<unknown>;
}

/** Builds the whole app from its dependencies; index.ts only listens, tests call this directly. */
export function createApp({ config, db, clock = Date.now, refill }: AppDeps) {
  const links = linkService(db, clock);
  const settings = settingsService(db, config);
  const tokens = tokenRepo(db);
  const sender = startCapiDelivery({ db, config, settings, clock });
  const writer = new EventWriter(databasePath(config.dataDir), () => sender.notify());
  const fans = fanService(db, settings, clock);
  const webhooks = startWebhookSender(db, settings, { clock });
  const audience = audienceOf({ db, timeZone: () => settings.get().timeZone, trustProxy: config.trustProxy });
  const recorder = trafficRecorder({ links, writer, tracking: metaTracking(settings, clock), clock, audience });
  const databaseAnswers = databasePing(db);
  const autofill = autofillService({ config, db, clock });
  const releaseDay = startReleaseDay({ db, config, settings, links, clock, webhooks, refill: refill ?? ((slug) => refillLink(links, autofill, slug)) });

  const backups = scheduleBackups({ dataDir: config.dataDir, intervalHours: config.backupIntervalHours, keep: config.backupKeep, clock });
  const securityHeaders = securityHeadersFor(config);
  const monitor = linkMonitor({
    db, links, settings, clock, intervalHours: config.linkCheckIntervalHours, timeoutMs: config.linkCheckTimeoutMs,
    hostGapMs: config.linkCheckHostGapMs, userAgent: checkerUserAgent(config.publicUrl),
  });
  monitor.start();

  const go = clickOutHandler({ config, recorder });
  const pages = pageRoutes({ config, links, recorder, fans, settings, clock, releaseDay, onSignup: () => { sender.notify(); webhooks.notify(); }, hiddenUrls: monitor.hiddenUrls });
  // The two hot paths (GET, and HEAD through it) go straight from Bun's router to their handlers;
  // Elysia's own routes for them still answer `app.handle` and every other method.
  const app = new Elysia({ serve: { routes: { "/:slug/go/:key": { GET: nativeRoute(go) }, "/:slug": { GET: nativeRoute(pages.view) } } } })
    // The two hot paths come first: global plugins registered later add per-request work they do not need.
    .use(clickOutRoutes({ recorder, go }))
    .use(pages.routes)
    .use(unsubscribeRoutes(fans))
    .use(errorHandler)
    .use(html({ autoDetect: false }))
    .use(
      openapi({
        path: "/api/docs",
        specPath: "/api/openapi.json",
        mapJsonSchema: { zod: z.toJSONSchema },
        exclude: { paths: [/^\/(?!api\/)/, "/api/*"] },
        documentation: {
          info: { title: "Outro API", version: "1.0.0", description: "Smart links and bio hubs: links, stats, auto-fill from public music catalogues and the Conversions API delivery log." },
          components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
        },
      }),
    )
    .get("/healthz", ({ set }) => {
      set.headers["cache-control"] = "no-store";
      if (databaseAnswers()) return { status: "ok" };
      set.status = 503;
      return { status: "unavailable" };
    })
    .use(assetRoutes)
    .use(apiRoutes({ envToken: config.apiToken, tokens, links, stats: linkStats(db, clock), clock, securityHeaders, monitor }))
    .use(autofillRoutes({ envToken: config.apiToken, tokens, links, autofill, clock, securityHeaders }))
    .use(eventRoutes({ envToken: config.apiToken, tokens, log: deliveryLog(db), clock, headers: securityHeaders }))
    .use(mediaRoutes({ dataDir: config.dataDir }))
    .use(adminRoutes({ config, db, links, settings, tokens, clock, monitor }))
    .use(fanAdminRoutes({ config, db, links, settings, tokens, clock, fans }))
    .use(autofillAdminRoutes({ config, db, links, settings, tokens, clock, autofill }))
    .use(metricsRoutes({ envToken: config.apiToken, tokens, clock, securityHeaders, traffic: writer.committed, delivery: deliveryLog(db), startedAt: clock(), backups: backups.status }))
    .use(statsRoutes({ config, db, links, settings, tokens, clock }));

  return {
    app,
    links,
    settings,
    fans,
    /** Auto-fill: `lookup`/`find` ask the catalogues; see src/autofill/apply.ts for `refillLink(links, autofill, slug)`. */
    autofill,
    webhooks,
    monitor,
    releaseDay,
    /** Commits queued writes, closes the click writer and lets in-flight CAPI requests record their answers; the caller closes the database. */
    close: async () => {
      await backups.stop();
      await monitor.stop();
      await releaseDay.stop();
      await writer.close();
      await sender.stop();
      await webhooks.stop();
    },
  };
}
