const HOUR = 3_600_000;

/** True for a zone name Intl knows (IANA names such as "Europe/Berlin", and "UTC"). */
export function isTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz === "" || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(tz, f);
  }
  return f;
}

function parts(ts: number, tz: string) {
  const p: Record<string, string> = {};
  for (const x of formatter(tz).formatToParts(ts)) p[x.type] = x.value;
  return { y: +p.year!, m: +p.month!, d: +p.day!, h: +p.hour!, min: +p.minute! };
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function zoneOffset(ts: number, tz: string): number {
  const p = parts(ts, tz);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
  return asUtc - (ts - (((ts % 60_000) + 60_000) % 60_000));
}

/** The local calendar day of an instant, as YYYY-MM-DD. */
export function localDay(ts: number, tz: string): string {
  const p = parts(ts, tz);
  return `${p.y}-${String(p.m).padStart(2, "0")}-${String(p.d).padStart(2, "0")}`;
}

/** The UTC instant at which a local day (YYYY-MM-DD) starts in the zone. */
export function dayStart(day: string, tz: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // Two passes settle the offset on days where it changes (DST starts and ends at night).
  let t = wall - zoneOffset(wall, tz);
  t = wall - zoneOffset(t, tz);
  return t;
}

/** The calendar day after `day`. */
export function nextDay(day: string, n = 1): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/**
 * Local days of hour buckets. Rollups are hourly, so a day in a whole-hour zone is exact; in a
 * half- or quarter-hour zone (India, Nepal, parts of Australia) each hour is given to the day its
 * start falls in, so a day's edges move by up to 45 minutes.
 */
export function hourDays(tz: string) {
  // Shared across requests: a 90-day range is 2160 hours, each an Intl call the first time only.
  let cache = hourDayCaches.get(tz);
  if (!cache) {
    if (hourDayCaches.size >= 50) hourDayCaches.clear();
    hourDayCaches.set(tz, (cache = new Map()));
  }
  const days = cache;
  return (hour: number): string => {
    let d = days.get(hour);
    if (d === undefined) {
      d = localDay(hour * HOUR, tz);
      if (days.size > 50_000) days.clear();
      days.set(hour, d);
    }
    return d;
  };
}
const hourDayCaches = new Map<string, Map<number, string>>();

/** The first hour bucket of a local day (rounded down to a whole UTC hour). */
export const dayStartHour = (day: string, tz: string) => Math.floor(dayStart(day, tz) / HOUR);
