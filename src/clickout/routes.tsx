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
import { urlFor } from "../routing/personalise";
import { rememberCookie } from "../routing/remembered";
import { handoffFor } from "../routing/handoff";
import { countryOf, proxyCountry } from "../stats/geo";
import { catalogEntry } from "../catalog";
import type { Destination } from "../links/model";
import { pageCsp, SECURITY_HEADERS } from "../plugins/security";
import { HandoffPage } from "../../views/pages/handoff";

/** Whether the fan reached us over https (PUBLIC_URL, a trusted proxy's word, or the request itself), without parsing a URL. */
function secureRequest(request: Request, config: Config): boolean {
  if (config.publicUrl) return config.publicUrl.startsWith("https:");
  if (config.trustProxy) return request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
  return request.url.startsWith("https:");
}

/** An iOS in-app browser's click-out: a page that opens the service's app, the stored URL as its fallback. */
function handoffPage(appUrl: string, webUrl: string, dest: Destination, headers: Record<string, string>): Response {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
  const { location: _, ...rest } = headers;
  const serviceName = (dest.service && catalogEntry(dest.service)?.name) || dest.label || dest.key;
  return new Response(HandoffPage({ serviceName, appUrl, webUrl, nonce }) as string, {
    status: 200,
    headers: { ...rest, ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "content-security-policy": pageCsp(nonce) },
  });
}

/**
 * GET /{slug}/go/{key}: record the click, then 302 to the stored URL. This is the hottest path,
 * so it reads the client inline (no macro, no schema: eid is checked by acceptEventId) and
 * answers a plain Response without Elysia's header merging.
 */
export const clickOutRoutes = ({ config, recorder }: { config: Config; recorder: TrafficRecorder }) =>
  new Elysia({ name: "clickout" }).onError(mapError).get("/:slug/go/:key", async ({ params, query, request, server, set }) => {
    const started = performance.now();
    // The address and base URL are read only if a tracked event needs them, and the address only once.
    let ip: string | undefined;
    const client = {
      get ip() { return (ip ??= clientIp(request, server as Server<unknown> | null, config.trustProxy)); },
      userAgent: request.headers.get("user-agent") ?? "",
    };
    try {
      const base = () => baseUrl(request, config.publicUrl, config.trustProxy);
      const { dest, kind } = await recorder.recordClick(params.slug, params.key, request, query, client, base);
      // Always a URL stored for the link: the default, or its override for the fan's country.
      const url = dest.countryUrls ? urlFor(dest, (config.trustProxy && proxyCountry(request.headers)) || countryOf(client.ip)) : dest.url;
      const headers: Record<string, string> = { location: url, "cache-control": "no-store" };
      if (kind === "human") {
        const remember = rememberCookie(dest.service, secureRequest(request, config));
        if (remember) headers["set-cookie"] = remember;
        const handoff = handoffFor(client.userAgent, dest.service, url);
        if (handoff.kind === "intent") headers.location = handoff.url;
        if (handoff.kind === "scheme") return timed(latency.clickout, started, handoffPage(handoff.appUrl, url, dest, headers));
      }
      return timed(latency.clickout, started, new Response(null, { status: 302, headers }));
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
