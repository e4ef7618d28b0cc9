const EID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A client's eid when well formed, else none. */
export function acceptEventId(eid: unknown): string | null {
  return typeof eid === "string" && EID_PATTERN.test(eid) ? eid : null;
}

/**
 * Event ids start with the time so that new ids land at the end of the unique index:
 * inserts stay cheap with tens of millions of rows stored.
 */
export function newEventId(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return now.toString(36).padStart(9, "0") + Buffer.from(bytes).toString("base64url");
}
