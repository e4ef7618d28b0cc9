import type { Database } from "bun:sqlite";
import { createHmac } from "node:crypto";
import type { SettingsService } from "../settings/service";
import { webhookQueueRepo } from "./repo";

const MAX_ATTEMPTS = 12;

/** Exponential backoff with jitter: 10 s, 20 s, 40 s … capped at an hour. */
export function webhookBackoff(attempt: number, random = Math.random): number {
  const base = Math.min(10_000 * 2 ** (attempt - 1), 3_600_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

export const signature = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;

/**
 * Delivers each new fan to the artist's webhook URL from the durable fan_webhooks queue: signed
 * with HMAC-SHA256 over "timestamp.body", retried with backoff, kept with its last error.
 */
export function startWebhookSender(db: Database, settings: SettingsService, opts: { clock?: () => number; fetch?: typeof fetch; timeoutMs?: number; everyMs?: number } = {}) {
  const clock = opts.clock ?? Date.now;
  const doFetch = opts.fetch ?? fetch;
  const repo = webhookQueueRepo(db);
  let running: Promise<void> | null = null;
  let stopped = false;

  async function deliverDue(): Promise<void> {
    const { fanWebhookUrl: url, fanWebhookSecret: secret } = settings.get();
    if (!url) return;
    for (const row of repo.due(clock())) {
      if (stopped) return;
      const timestamp = String(Math.floor(clock() / 1000));
      let code: number | null = null;
      let error = "";
      try {
        const res = await doFetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Outro-Webhook/1",
            "x-outro-timestamp": timestamp,
            ...(secret ? { "x-outro-signature": signature(secret, timestamp, row.payload) } : {}),
          },
          body: row.payload,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
          redirect: "manual",
        });
        code = res.status;
        await res.body?.cancel();
        if (res.ok) {
          repo.sent(row.id, clock(), code);
          continue;
        }
        error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).name === "TimeoutError" ? "timed out" : `network error: ${(err as Error).message}`.slice(0, 300);
      }
      const attempt = row.attempts + 1;
      repo.retry(row.id, clock() + webhookBackoff(attempt), code, error, attempt >= MAX_ATTEMPTS);
    }
  }

  const tick = () => {
    if (stopped || running) return;
    running = deliverDue().catch(() => {}).finally(() => { running = null; });
  };
  const timer = setInterval(tick, opts.everyMs ?? 2_000);
  timer.unref?.();

  return {
    notify: tick,
    /** For tests: deliver what is due now and wait for it. */
    async drain() {
      while (running) await running;
      tick();
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}
