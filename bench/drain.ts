// Drain benchmark: a backlog of pending CAPI events (after a burst or an outage) is sent to a local
// Graph stand-in that answers success at once. The stand-in runs in its own process so it does not
// share the sender's thread. Run by hand: `bun bench/drain.ts` (DRAIN_EVENTS=200000 by default).
import { rmSync } from "node:fs";
import { openDatabase } from "../src/db/open";
import { startOutboxSender } from "../src/tracking/sender";
import { enqueue, tempDir } from "../test/sender-helpers";

const PIXEL = "1234567890";

export interface DrainResult {
  events: number;
  seconds: number;
  perSecond: number;
  requests: number;
}

/** The stand-in: parses each body (as Meta would) and answers 200 with events_received. */
function serveStandIn() {
  let requests = 0;
  let events = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      if (req.method === "GET") return Response.json({ requests, events });
      const body = JSON.parse(await req.text()) as { data: unknown[] };
      requests++;
      events += body.data.length;
      return Response.json({ events_received: body.data.length, messages: [], fbtrace_id: `bench${requests}` });
    },
  });
  console.log(`stand-in listening on http://127.0.0.1:${server.port}`);
}

async function startStandIn() {
  const proc = Bun.spawn([process.execPath, import.meta.path, "--stand-in"], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!/listening on (\S+)/.test(out)) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the Graph stand-in did not start: ${out}`);
    out += new TextDecoder().decode(chunk.value);
  }
  return { proc, url: /listening on (\S+)/.exec(out)![1]! };
}

export async function runDrainBench(opts: { events?: number } = {}): Promise<DrainResult> {
  const total = opts.events ?? Number(process.env.DRAIN_EVENTS ?? 200_000);
  const dir = tempDir("outro-drain-");
  const db = openDatabase(dir);
  const standIn = await startStandIn();
  try {
    // A realistic backlog: fresh events (within Meta's 7 days), ~500 bytes of payload each.
    enqueue(db, total, { pixelId: PIXEL, at: Date.now() - 3_600_000, prefix: "drain-" });
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");

    const sender = startOutboxSender({
      db,
      graphUrl: standIn.url,
      apiVersion: "v26.0",
      testEventCode: () => null,
      tokenFor: () => "EAAB-bench-token",
      log: () => {},
    });
    const t0 = performance.now();
    await sender.drain();
    const seconds = (performance.now() - t0) / 1000;
    await sender.stop();

    const sent = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM capi_events WHERE status = 'sent'").get()!.n;
    const stats = (await (await fetch(standIn.url)).json()) as { requests: number; events: number };
    if (sent !== total || stats.events !== total) throw new Error(`drain incomplete: ${sent} sent, ${stats.events} received of ${total}`);
    return { events: total, seconds, perSecond: Math.round(total / seconds), requests: stats.requests };
  } finally {
    standIn.proc.kill();
    await standIn.proc.exited;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv.includes("--stand-in")) {
    serveStandIn();
  } else {
    const r = await runDrainBench();
    console.log(`drain: ${r.events} events in ${r.seconds.toFixed(2)} s = ${r.perSecond} events/s, ${r.requests} requests (target ≥ 20000 events/s)`);
  }
}
