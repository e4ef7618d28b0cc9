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
import type { RouteCtx } from "../plugins/native-routes";

/** Whether the fan reached us over https (PUBLIC_URL, a trusted proxy's word, or the request itself), without parsing a URL. */
function secureRequest(request: Request, config: Config): boolean {
  if (config.publicUrl) return config.publicUrl.startsWith("https:");
  if (config.trustProxy) return request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
  return request.url.startsWith("https:");
}

/** An iOS in-app browser's click-out: a page that opens the service's app, the stored URL as its fallback. */
function handoffPage(appUrl: string, webUrl: string, dest: Destination, headers: Record<string, string>): Response {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
  const serviceName = (dest.service && catalogEntry(dest.service)?.name) || dest.label || dest.key;
  return new Response(HandoffPage({ serviceName, appUrl, webUrl, nonce }) as string, {
    status: 200,
    headers: { ...headers, ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "content-security-policy": pageCsp(nonce) },
  });
}

/**
 * The 302's headers by (location, cookie): the same few come back again and again, and a shared
 * Headers is copied into a Response about three times faster than an object literal is read.
 */
const redirects = new Map<string, Headers>();
function redirectHeaders(location: string, cookie: string | null): Headers {
  const key = cookie ? `${location}\n${cookie}` : location;
  let headers = redirects.get(key);
  if (!headers) {
    if (redirects.size >= 2000) redirects.clear();
    headers = new Headers({ location, "cache-control": "no-store" });
    if (cookie) headers.set("set-cookie", cookie);
    redirects.set(key, headers);
  }
  return headers;
}

/** Nothing unrecorded is answered with a redirect; the fan is asked to try again. */
function notRecorded(request: Request, err: Error): Response {
  const reqId = requestId(request);
  log.error({ reqId, err }, "click not recorded");
  const html = <MessagePage status={503} heading="One moment" text="We could not record this click. Please try again." />;
  return new Response(html as string, {
    status: 503,
    headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "retry-after": "1", "cache-control": "no-store", "x-request-id": reqId },
  });
}

type ClickCtx = Pick<RouteCtx<{ slug: string; key: string }>, "params" | "query" | "request" | "server">;

/**
 * GET /{slug}/go/{key}: record the click, then 302 to the stored URL. This is the hottest path:
 * Bun's router calls it directly (nativeRoute, in app.ts), its Elysia route for `app.handle`; it
 * reads the client inline (no macro, no schema: eid is checked by acceptEventId) and answers a
 * plain Response.
 */
export const clickOutHandler = ({ config, recorder }: { config: Config; recorder: TrafficRecorder }) => async ({ params, query, request, server }: ClickCtx): Promise<Response> => {
  const started = performance.now();
  // The address and base URL are read only if a tracked event needs them, and the address only once.
  let ip: string | undefined;
  const client = {
    get ip() { return (ip ??= clientIp(request, server as Server<unknown> | null, config.trustProxy)); },
    userAgent: request.headers.get("user-agent") ?? "",
  };
  let recorded: Awaited<ReturnType<TrafficRecorder["recordClick"]>>;
  try {
    recorded = await recorder.recordClick(params.slug, params.key, request, query, client, () => baseUrl(request, config.publicUrl, config.trustProxy));
  } catch (err) {
    if (err instanceof WriteFailedError) return notRecorded(request, err);
    throw err;
  }
  const { dest, kind } = recorded;
  // Always a URL stored for the link: the default, or its override for the fan's country.
  const url = dest.countryUrls ? urlFor(dest, (config.trustProxy && proxyCountry(request.headers)) || countryOf(client.ip)) : dest.url;
  if (kind !== "human") return timed(latency.clickout, started, new Response(null, { status: 302, headers: redirectHeaders(url, null) }));
  const remember = rememberCookie(dest.service, secureRequest(request, config));
  const handoff = handoffFor(client.userAgent, dest.service, url);
  if (handoff.kind === "scheme") {
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (remember) headers["set-cookie"] = remember;
    return timed(latency.clickout, started, handoffPage(handoff.appUrl, url, dest, headers));
  }
  const location = handoff.kind === "intent" ? handoff.url : url;
  return timed(latency.clickout, started, new Response(null, { status: 302, headers: redirectHeaders(location, remember) }));
};

/** The click-out (its handler from clickOutHandler) and the page's beacon. */
export const clickOutRoutes = ({ recorder, go }: { recorder: TrafficRecorder; go: ReturnType<typeof clickOutHandler> }) =>
  new Elysia({ name: "clickout" }).onError(mapError)
  // Destructured on purpose: Elysia reads the handler's parameters to decide what to build per request.
  .get("/:slug/go/:key", ({ params, query, request, server }) => go({ params, query, request, server }))
  // The page's beacon: its body is the event id the Pixel just fired.
  .post("/:slug/ack", async ({ params, request }) => {
    const length = Number(request.headers.get("content-length") ?? 0);
    const body = length > 0 && length <= 128 ? (await request.text()).trim() : "";
    const ok = await recorder.recordAck(params.slug, acceptEventId(body));
    return new Response(null, { status: ok ? 204 : 400, headers: { "cache-control": "no-store" } });
  });
