import { isTimeZone, zoneOffset } from "../stats/time-zone";

const DAY = 86_400_000;

/** A real calendar date written YYYY-MM-DD (2027-02-30 is not one). */
export function isLocalDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(v);
}

/** A wall-clock time HH:MM, 00:00 to 23:59. */
export const isLocalTime = (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v);

/**
 * The UTC instant of a wall-clock date and time in an IANA zone. Where the clocks jump forward
 * (a time that never happens locally) the time moves forward by the jump, and where they fall
 * back (a time that happens twice) the first one counts — as Temporal's "compatible" rule does,
 * and as a calendar app would schedule it.
 */
export function localToInstant(date: string, time: string, timeZone: string): number {
  if (!isLocalDate(date) || !isLocalTime(time) || !isTimeZone(timeZone)) throw new RangeError("not a local date, time and zone");
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const [h, min] = time.split(":").map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, h, min);
  // The offsets in force a day either side; the wall time maps through one of them (or neither, in a gap).
  const before = zoneOffset(wall - DAY, timeZone);
  const after = zoneOffset(wall + DAY, timeZone);
  const fits = [wall - before, wall - after].filter((t) => zoneOffset(t, timeZone) === wall - t).sort((a, b) => a - b);
  return fits[0] ?? wall - before;
}

/** How the release moment reads on the page, in the artist's zone: "Friday 15 January 2027, 00:00 (Europe/Berlin)". */
export function releaseMomentText(instant: number, timeZone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", {
    timeZone, weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(instant);
  return `${text.replace(" at ", ", ")} (${timeZone.replaceAll("_", " ")})`;
}

/** The time left, coarse enough for a page that is not refreshed: "3 days, 4 hours", "12 minutes". */
export function timeLeftText(ms: number): string {
  if (ms <= 0) return "any moment now";
  const minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (days > 0) return hours ? `${unit(days, "day")}, ${unit(hours, "hour")}` : unit(days, "day");
  if (hours > 0) return mins ? `${unit(hours, "hour")}, ${unit(mins, "minute")}` : unit(hours, "hour");
  return unit(mins, "minute");
}
