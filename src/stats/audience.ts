import type { Database } from "bun:sqlite";
import type { ClientInfo } from "../plugins/client";
import { agentInfo } from "./agent";
import { countryOf, proxyCountry } from "./geo";
import { visitorIds } from "./visitor";

/** What analytics keeps about a fan on each raw row: never the IP itself. */
export interface Audience {
  country: string | null;
  os: string | null;
  app: string | null;
  visitor: number | null;
}

export const NO_AUDIENCE: Audience = { country: null, os: null, app: null, visitor: null };

export type AudienceOf = (request: Request, client: ClientInfo, ts: number) => Audience;

/**
 * Built once per app; per request it costs two map probes and one SHA-256. CF-IPCountry is
 * believed only behind a trusted proxy, else anyone could claim any country.
 */
export function audienceOf(deps: { db: Database; timeZone: () => string; trustProxy: boolean }): AudienceOf {
  const ids = visitorIds(deps.db, deps.timeZone);
  const { trustProxy } = deps;
  return (request, client, ts) => {
    const { os, app } = agentInfo(client.userAgent);
    const country = (trustProxy && proxyCountry(request.headers)) || countryOf(client.ip);
    return { country, os, app, visitor: ids.visitor(client.ip, client.userAgent, ts) };
  };
}
