// How the outbox treats each answer of the Conversions API. Sources: Meta's Graph API "Handling
// Errors" guide (codes 1, 2, 4, 17, 341, 368: wait and retry; 3, 10, 102, 190, 200-299: token or
// permission), its rate-limiting guide (32, 613 and the Business Use Case codes 80000-80014) and the
// Conversions API troubleshooting page (4xx = invalid payload, retry non-client errors and timeouts).

/** What the sender does with the events of one request. */
export type Verdict =
  /** 2xx: Meta has them; never send them again. */
  | { kind: "sent" }
  /** Network error, timeout, 5xx, throttling, `is_transient`: try again later with backoff. */
  | { kind: "retry"; reason: string }
  /** Token or permission error: stop sending for this pixel until its token changes or it is unpaused. */
  | { kind: "pause"; reason: string }
  /** Meta refused the payload: keep its message; a batch is split until the bad event stands alone. */
  | { kind: "invalid"; reason: string };

/** One HTTP exchange with the Graph API, or the reason there was none. */
export type Answer =
  | { status: number; text: string; retryAfterMs?: number }
  | { failure: "timeout" | "network"; message: string };

export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

const RETRY_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613]);
const isBusinessUseCaseLimit = (code: number) => code >= 80000 && code <= 80014;
// Code 3 ("API Method") is not in issue 3's list; Meta's guide calls it a capability or permission problem.
const PAUSE_CODES = new Set([3, 10, 102, 190]);
const isPermissionCode = (code: number) => code >= 200 && code <= 299;

export function graphError(text: string): GraphError | null {
  if (!text.startsWith("{")) return null;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return body && typeof body.error === "object" && body.error !== null ? (body.error as GraphError) : null;
  } catch {
    return null;
  }
}

/** One line for people: Meta's own words where it gave any. */
export function describeGraphError(e: GraphError): string {
  const code = e.code !== undefined ? `#${e.code}${e.error_subcode ? `/${e.error_subcode}` : ""} ` : "";
  const user = e.error_user_msg && e.error_user_msg !== e.message ? ` — ${e.error_user_msg}` : "";
  return `${code}${e.message ?? "error"}${user}`;
}

export function classify(answer: Answer): Verdict {
  if ("failure" in answer) return { kind: "retry", reason: answer.message };
  const { status, text } = answer;
  if (status >= 200 && status < 300) return { kind: "sent" };

  const e = graphError(text);
  if (e) {
    const code = Number(e.code);
    const reason = describeGraphError(e);
    if (e.is_transient === true) return { kind: "retry", reason };
    if (PAUSE_CODES.has(code) || isPermissionCode(code)) return { kind: "pause", reason };
    if (RETRY_CODES.has(code) || isBusinessUseCaseLimit(code)) return { kind: "retry", reason };
    if (status >= 500) return { kind: "retry", reason };
    // Any other Graph error is Meta judging what we sent (code 100 and the like): keep it, isolate the event.
    return { kind: "invalid", reason };
  }

  if (status >= 500 || status === 408 || status === 429) return { kind: "retry", reason: `HTTP ${status}` };
  if (status === 401 || status === 403) return { kind: "pause", reason: `HTTP ${status} without a Graph error` };
  // A 4xx that is not a Graph error (a proxy's page, a wrong META_GRAPH_URL) says nothing about the events: keep them.
  return { kind: "retry", reason: `HTTP ${status} without a Graph error` };
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 15 * 60_000;

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(cap, base·2^(n-1)), so retries of many events spread out yet never wait longer than the cap.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
