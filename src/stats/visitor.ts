import type { Database } from "bun:sqlite";
import { dayStart, localDay, nextDay } from "./time-zone";
import { visitorSaltRepo } from "./visitor-repo";

/**
 * Visitor ids: SHA-256 of (today's salt, IP, user agent), cut to 52 bits so it stays an exact
 * JavaScript number. The salt is random per day of the instance time zone and kept only in
 * visitor_salts; the rollup job deletes past days' salts, after which a hash leads nowhere.
 */
export function visitorIds(db: Database, timeZone: () => string) {
  const salts = visitorSaltRepo(db);
  let current: { tz: string; from: number; until: number; salt: string } | null = null;

  /** Today's salt: read or made once a day (the first one stored wins, so two processes agree on one). */
  const saltAt = (ts: number, tz: string): string => {
    if (current && current.tz === tz && ts >= current.from && ts < current.until) return current.salt;
    const day = localDay(ts, tz);
    salts.offer(day, crypto.getRandomValues(new Uint8Array(32)));
    const salt = Buffer.from(salts.saltOf(day)!).toString("base64");
    current = { tz, from: dayStart(day, tz), until: dayStart(nextDay(day), tz), salt };
    return salt;
  };

  return {
    /** The fan's id for the day of `ts`: same IP and user agent on the same local day, same id. */
    visitor(ip: string, userAgent: string, ts: number): number {
      // One-shot SHA-256: ~0.38 against ~0.49 µs for CryptoHasher.hash, on every fan's view and click.
      const d = Bun.SHA256.hash(`${saltAt(ts, timeZone())}\n${ip}\n${userAgent}`) as Uint8Array;
      // The first 52 bits, big-endian: exact as a double, so JSON and SQLite carry it unchanged.
      return d[0]! * 2 ** 44 + d[1]! * 2 ** 36 + d[2]! * 2 ** 28 + d[3]! * 2 ** 20 + d[4]! * 2 ** 12 + d[5]! * 2 ** 4 + (d[6]! >> 4);
    },
  };
}
export type VisitorIds = ReturnType<typeof visitorIds>;
