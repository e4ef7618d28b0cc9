/// <reference lib="webworker" />
// The CAPI sender's thread: its own SQLite connection, its own event loop. Reading batches,
// waiting for Meta and recording answers (and any wait for the write lock) never block requests.
import { Database } from "bun:sqlite";
import type { Config } from "../config";
import { applyPragmas } from "../db/open";
import { settingsService } from "../settings/service";
import { startOutboxSender, type OutboxSender } from "./sender";
import { pixelTokenFor, pixelTokenRepo } from "./sender-tokens";

declare const self: Worker;

export type SenderThreadMessage =
  | { type: "init"; path: string; config: Config }
  | { type: "notify" }
  | { type: "unpause"; pixelId: string }
  | { type: "drain" | "stop"; id: number };

let db: Database | null = null;
let sender: OutboxSender | null = null;

self.onmessage = async (msg: MessageEvent<SenderThreadMessage>) => {
  const m = msg.data;
  switch (m.type) {
    case "init": {
      db = new Database(m.path, { strict: true });
      applyPragmas(db);
      const conn = db;
      // Settings are read fresh for each batch: the admin changes them on the request thread.
      const settings = () => settingsService(conn, m.config).get();
      sender = startOutboxSender({
        db: conn,
        graphUrl: m.config.metaGraphUrl,
        apiVersion: m.config.metaApiVersion,
        testEventCode: () => settings().testEventCode,
        tokenFor: pixelTokenFor(settings, pixelTokenRepo(conn)),
      });
      break;
    }
    case "notify":
      sender?.notify();
      break;
    case "unpause":
      sender?.unpause(m.pixelId);
      break;
    case "drain":
      await sender?.drain();
      self.postMessage({ id: m.id });
      break;
    case "stop":
      await sender?.stop();
      db?.close();
      db = null;
      self.postMessage({ id: m.id });
      break;
  }
};
