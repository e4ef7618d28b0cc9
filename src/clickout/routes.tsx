import { Elysia } from "elysia";
import { clientInfo } from "../plugins/client";
import { baseUrl } from "../links/landing";
import type { Config } from "../config";
import type { TrafficRecorder } from "./service";
import { WriteFailedError } from "./writer";
import { MessagePage } from "../../views/pages/not-found";

/**
 * GET /{slug}/go/{key}: record the click, then 302 to the stored URL. No schema here on purpose:
 * this is the hottest path, and eid is validated by acceptEventId.
 */
export const clickOutRoutes = ({ config, recorder }: { config: Config; recorder: TrafficRecorder }) =>
  new Elysia({ name: "clickout" })
    .use(clientInfo(config.trustProxy))
    .get(
      "/:slug/go/:key",
      async ({ params, query, request, client, set, redirect }) => {
        set.headers["cache-control"] = "no-store";
        const base = baseUrl(request, config.publicUrl, config.trustProxy);
        try {
          const dest = await recorder.recordClick(params.slug, params.key, request, query, client, base);
          return redirect(dest.url, 302);
        } catch (err) {
          if (!(err instanceof WriteFailedError)) throw err;
          // Nothing unrecorded is answered with a redirect; the fan still gets a way on.
          console.error(JSON.stringify({ level: "error", msg: "click not recorded", error: err.message }));
          set.status = 503;
          set.headers["content-type"] = "text/html; charset=utf-8";
          set.headers["retry-after"] = "1";
          return <MessagePage status={503} heading="One moment" text="We could not record this click. Please try again." />;
        }
      },
      { client: true },
    );
