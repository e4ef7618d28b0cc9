import { Elysia } from "elysia";
import type { Server } from "bun";

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** The client's address: the socket's, or the proxy's last X-Forwarded-For hop when TRUST_PROXY is on. */
export function clientIp(request: Request, server: Server<unknown> | null, trustProxy: boolean): string {
  if (trustProxy) {
    // Our proxy appends the address it saw, so the last hop is the one we can trust.
    const hops = request.headers.get("x-forwarded-for")?.split(",").map((h) => h.trim()).filter(Boolean);
    if (hops?.length) return hops[hops.length - 1]!;
    const real = request.headers.get("x-real-ip")?.trim();
    if (real) return real;
  }
  return server?.requestIP(request)?.address ?? "";
}

/** Macro plugin: routes that opt in with `{ client: true }` receive `client` (ip, user agent). */
export const clientInfo = (trustProxy: boolean) =>
  new Elysia({ name: "client-info", seed: trustProxy }).macro({
    client: {
      resolve: ({ request, server }) => ({
        client: {
          ip: clientIp(request, server as Server<unknown> | null, trustProxy),
          userAgent: request.headers.get("user-agent") ?? "",
        } satisfies ClientInfo,
      }),
    },
  });
