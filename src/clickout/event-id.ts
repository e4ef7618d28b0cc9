const EID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A client's eid when well formed, else none. */
export function acceptEventId(eid: unknown): string | null {
  return typeof eid === "string" && EID_PATTERN.test(eid) ? eid : null;
}

/** Random base64url text, made 12 KB at a time: one getRandomValues per thousand ids, not one per id. */
const RANDOM_CHARS = 12;
let pool = "";
let at = 0;
function randomChars(): string {
  if (at + RANDOM_CHARS > pool.length) {
    pool = Buffer.from(crypto.getRandomValues(new Uint8Array(9 * 1024))).toString("base64url");
    at = 0;
  }
  return pool.substring(at, (at += RANDOM_CHARS));
}

let lastMs = 0;
let prefix = "";
let seq = 0;

/**
 * Event ids ascend within the process: the time (ms, base 36), a counter within that
 * millisecond, then 72 random bits. New ids land at the right edge of the unique index, so a
 * commit dirties one or two index pages however many clicks share a millisecond, and inserts
 * stay cheap with tens of millions of rows stored. The random part keeps ids unguessable and
 * distinct across processes and restarts.
 */
export function newEventId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    prefix = now.toString(36).padStart(9, "0");
    seq = 0;
  } else seq++;
  return prefix + (seq < 36 ? "00" : seq < 1296 ? "0" : "") + seq.toString(36) + randomChars();
}
