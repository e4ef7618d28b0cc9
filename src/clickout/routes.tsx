import { Elysia } from "elysia";
import type { Server } from "bun";
import { clientIp } from "../plugins/client";
import { baseUrl } from "../links/landing";
import type { Config } from "../config";
import type { TrafficRecorder } from "./service";
import { WriteFailedError } from "./writer";
import { acceptEventId } from "./event-id";
import { MessagePage } from "../../views/pages/not-found";
import { mapError } from "../plugins/errors";
import { latency, timed } from "../ops/latency";
import { log, requestId } from "../log";

/**
 * GET /{slug}/go/{key}: record the click, then 302 to the stored URL. This is the hottest path,
 * so it reads the client inline (no macro, no schema: eid is checked by acceptEventId) and
 * answers a plain Response without Elysia's header merging.
 */
export const clickOutRoutes = ({ config, recorder }: { config: Config; recorder: TrafficRecorder }) =>
  new Elysia({ name: "clickout" }).onError(mapError).get("/:slug/go/:key", async ({ params, query, request, server, set }) => {
    const started = performance.now();
    // The address and base URL are read only if a tracked event needs them.
    const client = {
      get ip() { return clientIp(request, server as Server<unknown> | null, config.trustProxy); },
      userAgent: request.headers.get("user-agent") ?? "",
    };
    try {
      const dest = await recorder.recordClick(params.slug, params.key, request, query, client, () => baseUrl(request, config.publicUrl, config.trustProxy));
      return timed(latency.clickout, started, new Response(null, { status: 302, headers: { location: dest.url, "cache-control": "no-store" } }));
    } catch (err) {
      if (!(err instanceof WriteFailedError)) throw err;
      // Nothing unrecorded is answered with a redirect; the fan is asked to try again.
      const reqId = requestId(request);
      log.error({ reqId, err }, "click not recorded");
      set.headers["x-request-id"] = reqId;
      set.status = 503;
      set.headers["content-type"] = "text/html; charset=utf-8";
      set.headers["retry-after"] = "1";
      set.headers["cache-control"] = "no-store";
      return <MessagePage status={503} heading="One moment" text="We could not record this click. Please try again." />;
    }
  })
  // The page's beacon: its body is the event id the Pixel just fired.
  .post("/:slug/ack", async ({ params, request }) => {
    const length = Number(request.headers.get("content-length") ?? 0);
    const body = length > 0 && length <= 128 ? (await request.text()).trim() : "";
    const ok = await recorder.recordAck(params.slug, acceptEventId(body));
    return new Response(null, { status: ok ? 204 : 400, headers: { "cache-control": "no-store" } });
  });
