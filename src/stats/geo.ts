import { readFileSync } from "node:fs";
import { Reader, type CountryResponse } from "mmdb-lib";
import { log } from "../log";
// Imported as a file so the single executable carries the database (CC0, ip-location-db).
import dbPath from "@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" with { type: "file" };

/** ip-location-db's records are flat: { country_code: "DE" }, not MaxMind's nested shape. */
type CountryRecord = { country_code?: string };

let reader: Reader<CountryResponse> | null | undefined;

/** Opened on the first lookup (~10 ms for 8 MB): a server that never sees a fan pays nothing. */
function open(): Reader<CountryResponse> | null {
  if (reader === undefined) {
    try {
      reader = new Reader<CountryResponse>(readFileSync(dbPath));
    } catch (err) {
      log.error({ error: (err as Error).message }, "country database unreadable");
      reader = null;
    }
  }
  return reader;
}

const ISO = /^[A-Z]{2}$/;

/** ISO 3166 country of an IP address from the bundled database; never asks anyone else. */
export function lookupCountry(ip: string): string | null {
  if (!ip) return null;
  const addr = ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
  try {
    const code = (open()?.get(addr) as CountryRecord | null | undefined)?.country_code;
    return code && ISO.test(code) ? code : null;
  } catch {
    return null;
  }
}

// Fans arrive in bursts from the same addresses; a bounded map keeps the lookup to a hash probe.
const cache = new Map<string, string | null>();

export function countryOf(ip: string): string | null {
  let c = cache.get(ip);
  if (c === undefined) {
    c = lookupCountry(ip);
    if (cache.size >= 10_000) cache.clear();
    cache.set(ip, c);
  }
  return c;
}

/** Cloudflare's CF-IPCountry, only when a trusted proxy sets it (XX: unknown, T1: Tor). */
export function proxyCountry(headers: Headers): string | null {
  const v = headers.get("cf-ipcountry")?.trim().toUpperCase();
  return v && ISO.test(v) && v !== "XX" && v !== "T1" ? v : null;
}
