/**
 * What one check's answer means, and how answers add up to a verdict.
 *
 * Thresholds, and why:
 * - 404 and 410 are broken at once: the service says the page is not there (checked with GET
 *   when HEAD answered them, so a server that mishandles HEAD cannot flag a live page).
 * - 5xx, other 4xx, timeouts, connection errors and redirect loops are broken after 2 checks in
 *   a row. Checks are a day apart, so a service that is down for an afternoon (a 503 during a
 *   deploy, a flaky DNS answer) never flags — let alone hides — a destination fans can reach again
 *   an hour later; a destination that fails two days running is worth the artist's attention.
 * - 401, 403, 429 and LinkedIn's 999 are bot walls: many services answer them to robots but serve
 *   fans fine. They are "unknown", never broken, and never hide a destination.
 * - 2xx, and 3xx answers whose chain we could not follow further (e.g. to an app's own scheme),
 *   are ok.
 */
export type Verdict = "ok" | "broken" | "unknown";

/** How a single check ended. */
export interface CheckOutcome {
  /** The final HTTP status after redirects; null when no answer came (timeout, refused, DNS). */
  status: number | null;
  /** The answer in words, as the admin shows it: "HTTP 404 Not Found", "timed out after 10 s". */
  answer: string;
}

export type AnswerKind = "ok" | "gone" | "failed" | "bot-wall";

export const BOT_WALL = new Set([401, 403, 429, 999]);
export const GONE = new Set([404, 410]);
/** Consecutive failures that make a 5xx / timeout / connection error broken. */
export const TRANSIENT_THRESHOLD = 2;

export function answerKind(status: number | null): AnswerKind {
  if (status === null) return "failed";
  if (status >= 200 && status < 400) return "ok";
  if (GONE.has(status)) return "gone";
  if (BOT_WALL.has(status)) return "bot-wall";
  return "failed";
}

/** What is stored per destination URL. */
export interface HealthState {
  verdict: Verdict;
  statusCode: number | null;
  answer: string;
  checkedAt: number;
  failures: number;
  brokenSince: number | null;
}

/** The state after one more check: `previous` is null for a URL never checked. */
export function nextHealth(previous: HealthState | null, outcome: CheckOutcome, now: number): HealthState {
  const base = { statusCode: outcome.status, answer: outcome.answer, checkedAt: now };
  const kind = answerKind(outcome.status);
  if (kind === "ok") return { ...base, verdict: "ok", failures: 0, brokenSince: null };
  // A bot wall says the server is up and answering; it says nothing about the page.
  if (kind === "bot-wall") return { ...base, verdict: "unknown", failures: 0, brokenSince: null };
  const failures = (previous?.failures ?? 0) + 1;
  const broken = kind === "gone" || failures >= TRANSIENT_THRESHOLD;
  if (broken) return { ...base, verdict: "broken", failures, brokenSince: previous?.brokenSince ?? now };
  // One transient failure: keep what we knew (nothing yet → unknown) until the next check decides.
  return { ...base, verdict: previous?.verdict === "ok" ? "ok" : "unknown", failures, brokenSince: null };
}
