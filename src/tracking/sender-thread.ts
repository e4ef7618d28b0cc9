import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import { databasePath } from "../db/open";
import type { SettingsService } from "../settings/service";
import { workerUrl } from "../workers";
import { log } from "../log";
import { startOutboxSender, type OutboxSender } from "./sender";
import { pixelTokenFor, pixelTokenRepo } from "./sender-tokens";
import type { SenderThreadMessage } from "./sender-worker";

/** How long the first event of a burst waits for others before the sender is told (well under the 1 s delivery promise). */
const NOTIFY_MS = 20;

export interface CapiDeliveryDeps {
  db: Database;
  config: Config;
  settings: SettingsService;
  clock: () => number;
}

/**
 * Starts the CAPI outbox sender for the app. It runs on its own thread with its own connection:
 * measured on the main thread, a draining backlog cut untracked click-outs from ~22,000 to ~600
 * req/s (its SQLite work and write-lock waits stalled the event loop). A test that injects its own
 * clock gets the sender on the request thread instead, where that clock can reach it.
 */
export function startCapiDelivery({ db, config, settings, clock }: CapiDeliveryDeps): OutboxSender {
  const inProcess = () =>
    startOutboxSender({
      db,
      graphUrl: config.metaGraphUrl,
      apiVersion: config.metaApiVersion,
      testEventCode: () => settings.get().testEventCode,
      tokenFor: pixelTokenFor(() => settings.get(), pixelTokenRepo(db)),
      clock,
    });
  if (clock !== Date.now) return inProcess();

  let worker: Worker;
  try {
    worker = new Worker(workerUrl("tracking/sender-worker.ts"));
  } catch (err) {
    log.error({ error: String(err) }, "capi: sender thread unavailable, sending from the request thread");
    return inProcess();
  }
  // If the thread cannot start (an executable built without its entry point), send from here rather than not at all.
  let fallback: OutboxSender | null = null;
  let stopped = false;
  worker.addEventListener("error", (e) => {
    log.error({ error: String(e.message ?? e) }, "capi: sender thread failed, sending from the request thread");
    if (!fallback && !stopped) fallback = inProcess();
  });
  let nextId = 1;
  const replies = new Map<number, () => void>();
  worker.onmessage = (e: MessageEvent<{ id: number }>) => {
    replies.get(e.data.id)?.();
    replies.delete(e.data.id);
  };
  const post = (m: SenderThreadMessage) => worker.postMessage(m);
  const ask = (type: "drain" | "stop") =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      replies.set(id, resolve);
      post({ type, id });
    });
  post({ type: "init", path: databasePath(config.dataDir), config });

  // Under load every committed batch would post a notify (hundreds a second) and the sender would
  // answer each with a small Graph request: one nudge per NOTIFY_MS lets events gather into batches.
  let nudge: ReturnType<typeof setTimeout> | null = null;
  const notify = () => {
    if (nudge) return;
    nudge = setTimeout(() => {
      nudge = null;
      post({ type: "notify" });
    }, NOTIFY_MS);
    nudge.unref?.();
  };

  return {
    notify: () => (fallback ? fallback.notify() : notify()),
    unpause: (pixelId) => (fallback ? fallback.unpause(pixelId) : post({ type: "unpause", pixelId })),
    drain: () => (fallback ? fallback.drain() : ask("drain")),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (nudge) clearTimeout(nudge);
      if (fallback) await fallback.stop();
      else await Promise.race([ask("stop"), new Promise((r) => setTimeout(r, 5000))]);
      worker.terminate();
    },
  };
}
