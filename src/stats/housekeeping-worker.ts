/// <reference lib="webworker" />
// The incremental rollup and the outbox retention, on their own thread and connection. On the
// request thread they took ~2–5 µs of every click-out (measured with bench/quick.ts: the main
// thread's CPU per request with and without them), and the request thread is what limits the
// click-out rate. Each step is a short transaction; the click writer retries a busy batch on its
// next turn rather than sleeping, so a step only ever delays a batch by about its own length.
import { Database } from "bun:sqlite";
import { applyPragmas } from "../db/open";
import { startHousekeeping, type HousekeepingOptions } from "./housekeeping";

declare const self: Worker;

export type HousekeepingInit = { type: "init"; path: string } & HousekeepingOptions;

let db: Database | null = null;
let running: { stop(): void } | null = null;

self.onmessage = (msg: MessageEvent<HousekeepingInit | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    running = startHousekeeping(db, m);
  } else {
    running?.stop();
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
