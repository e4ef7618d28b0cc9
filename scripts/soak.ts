// `npm run soak`: mixed traffic (page views, click-outs, bots, HEAD, beacons, fan signups, admin
// form edits and API edits) against a real Outro process on 127.0.0.1 while the fake Graph
// API flaps between healthy, slow, 5xx and throttling. Then asserts: no 5xx from Outro, memory
// bounded (peak RSS printed), every acknowledged click in the database, every due CAPI event
// delivered exactly once. SOAK_SECONDS (default 300) bounds the run; SOAK_MAX_RSS_MB (512) the memory;
// SOAK_DISK_FULL=1 adds the full-disk drill (scripts/disk-full.ts; needs root to mount a tmpfs).
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeGraph, type GraphBehaviour } from "../test/fake-graph";
import { spawnServer } from "../test/process";
import { HUMAN_UA, release, tempDir, type TestApp } from "../test/helpers";
import { AdminClient } from "../test/admin-client";
import { diskFullDrill } from "./disk-full";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const DRAIN_SECONDS = Number(process.env.SOAK_DRAIN_SECONDS ?? 90);
const MAX_RSS_MB = Number(process.env.SOAK_MAX_RSS_MB ?? 512);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const TOKEN = "soak-token-0123456789";
const PIXEL = "1234567890";
const ADMIN_PASSWORD = "soak-admin-password";

const say = (line: string) => console.log(`soak: ${line}`);
const problems: string[] = [];

const graph = await startFakeGraph();
const dataDir = tempDir("outro-soak-");
const server = await spawnServer({
  DATA_DIR: dataDir, API_TOKEN: TOKEN, HOST: "127.0.0.1", ADMIN_PASSWORD,
  META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-soak", META_GRAPH_URL: graph.url, LOG_LEVEL: "error",
});
const base = server.base;
say(`Outro at ${base}, fake Graph API at ${graph.url}, ${SECONDS} s, ${CLIENTS} clients`);

const api = (method: string, path: string, body?: unknown) =>
  fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
const slugs = ["soak-a", "soak-b", "soak-c"];
for (const slug of slugs) {
  const res = await api("POST", "/api/links", release(slug));
  if (res.status !== 201) throw new Error(`could not create ${slug}: ${res.status} ${await res.text()}`);
}

// The admin, signed in through its own forms; it turns the fan signup on for every link.
const admin = new AdminClient({ req: (path: string, init: RequestInit = {}) => fetch(base + path, { redirect: "manual", ...init }) } as TestApp);
if ((await admin.signIn(ADMIN_PASSWORD)).status !== 303) throw new Error("could not sign in to the admin");
const adminForm = (slug: string, title: string) => ({
  action: "save", type: "release", title, artist: "Babbage", slug, published: "on", emailSignup: "on", autoRoute: "on",
  "dest-0-present": "1", "dest-0-url": "https://open.spotify.com/track/abc", "dest-0-pos": "1",
  "dest-1-present": "1", "dest-1-url": "https://music.apple.com/us/album/night-drive/123", "dest-1-pos": "2",
  "dest-2-present": "1", "dest-2-url": "https://babbage.example/merch", "dest-2-label": "Merch", "dest-2-pos": "3",
});
for (const slug of slugs) {
  const res = await admin.post(`/admin/links/${slug}`, adminForm(slug, "Night Drive"));
  if (res.status !== 303) throw new Error(`could not turn the signup on for ${slug}: ${res.status}`);
}

// The Graph API's weather: a phase every few seconds, in a fixed cycle.
const phases: [string, GraphBehaviour][] = [
  ["healthy", { kind: "success" }],
  ["slow (timeouts)", { kind: "timeout", ms: 2500 }],
  ["healthy", { kind: "success" }],
  ["5xx", { kind: "http", status: 503 }],
  ["throttling", { kind: "throttle", code: 17 }],
  ["flapping", { kind: "sequence", cycle: true, steps: [{ kind: "success" }, { kind: "http", status: 500 }, { kind: "throttle", code: 4 }, { kind: "timeout", ms: 2000 }] }],
];
let phase = 0;
graph.set(phases[0]![1]);
const weather = setInterval(() => {
  phase = (phase + 1) % phases.length;
  graph.set(phases[phase]![1]);
}, Math.max(2000, Math.min(15_000, (SECONDS * 1000) / 12)));

// Memory of the server process, sampled every second.
let peakRss = 0;
const rssOf = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.proc.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
const sampler = setInterval(() => {
  try {
    peakRss = Math.max(peakRss, rssOf());
  } catch {
    // The process is gone; the checks below say so.
  }
}, 1000);

const acknowledged: string[] = [];
/** Addresses whose signup Outro confirmed; signup form tokens waiting out the 2 s minimum fill time. */
const signedUp: string[] = [];
const formTokens: { slug: string; t: string; at: number }[] = [];
const statuses = new Map<number, number>();
let requests = 0;
let n = 0;
const deadline = Date.now() + SECONDS * 1000;

async function hit(method: string, path: string, init: RequestInit = {}): Promise<Response | null> {
  requests++;
  try {
    const res = await fetch(base + path, { method, redirect: "manual", ...init });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) problems.push(`${method} ${path} answered ${res.status}`);
    return res;
  } catch (err) {
    problems.push(`${method} ${path} failed: ${(err as Error).message}`);
    return null;
  }
}

/** One fan's mix: mostly views and click-outs, now and then a bot, a HEAD, a beacon or an edit. */
async function client(id: number) {
  while (Date.now() < deadline) {
    const slug = slugs[n % slugs.length]!;
    const r = Math.random();
    if (r < 0.4) {
      await hit("GET", `/${slug}?utm_source=soak`, { headers: { "user-agent": HUMAN_UA } });
    } else if (r < 0.85) {
      const eid = `soak-${id}-${String(n++).padStart(9, "0")}`;
      const res = await hit("GET", `/${slug}/go/${Math.random() < 0.5 ? "spotify" : "apple-music"}?eid=${eid}`, { headers: { "user-agent": HUMAN_UA } });
      if (res?.status === 302) acknowledged.push(eid);
    } else if (r < 0.9) {
      await hit("GET", `/${slug}`, { headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" } });
    } else if (r < 0.95) {
      await hit("POST", `/${slug}/ack`, { body: `soak-ack-${n++}` });
    } else if (r < 0.97) {
      await hit("HEAD", `/${slug}/go/spotify`);
    } else if (r < 0.99) {
      // A fan signup: a form rendered at least 2 s ago (the spam guard's minimum), else fetch one.
      const ready = formTokens.findIndex((f) => Date.now() - f.at > 2100);
      if (ready === -1) {
        const res = await fetch(`${base}/${slug}`, { headers: { "user-agent": HUMAN_UA } }).catch(() => null);
        const t = res ? /name="t" value="([^"]+)"/.exec(await res.text())?.[1] : undefined;
        if (t) formTokens.push({ slug, t, at: Date.now() });
      } else {
        const form = formTokens.splice(ready, 1)[0]!;
        const email = `fan-${id}-${n++}@soak.example`;
        const res = await hit("POST", `/${form.slug}/subscribe`, {
          headers: { "user-agent": HUMAN_UA, accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ email, name: "Soak", consent: "on", website: "", t: form.t }),
        });
        if (res?.status === 200) signedUp.push(email);
      }
    } else if (r < 0.995) {
      // An edit through the admin's own form (CSRF, validation, the same link service as the API).
      requests++;
      const res = await admin.post(`/admin/links/${slug}`, adminForm(slug, `Night Drive ${n++}`)).catch(() => null);
      statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
      if (!res || res.status !== 303) problems.push(`admin edit of ${slug} answered ${res?.status ?? "nothing"}`);
    } else {
      // An edit as the admin makes it: the link service behind the admin and the API is the same.
      await hit("PATCH", `/api/links/${slug}`, {
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Night Drive ${n++}` }),
      });
    }
  }
}

const started = Date.now();
let lastReport = started;
const progress = setInterval(() => {
  if (Date.now() - lastReport >= 30_000) {
    lastReport = Date.now();
    say(`${Math.round((Date.now() - started) / 1000)} s: ${requests} requests, ${acknowledged.length} clicks acknowledged, graph ${phases[phase]![0]}, RSS ${(peakRss / 2 ** 20).toFixed(0)} MB peak`);
  }
}, 1000);
await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
clearInterval(progress);
clearInterval(weather);
graph.set({ kind: "success" });
say(`load done: ${requests} requests in ${((Date.now() - started) / 1000).toFixed(0)} s, ${acknowledged.length} clicks acknowledged; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

// Let the outbox drain against a healthy Graph API, then stop the server gracefully.
const pendingDue = () => {
  const db = new Database(join(dataDir, "outro.db"), { readonly: true });
  try {
    return db.query<{ n: number }, { now: number }>("SELECT COUNT(*) AS n FROM capi_events WHERE status = 'pending' AND next_attempt_at <= $now").get({ now: Date.now() - 5000 })!.n;
  } finally {
    db.close();
  }
};
const drainUntil = Date.now() + DRAIN_SECONDS * 1000;
while (Date.now() < drainUntil && pendingDue() > 0) await Bun.sleep(500);
clearInterval(sampler);
server.proc.kill("SIGTERM");
const exit = await server.proc.exited;
if (exit !== 0) problems.push(`the server exited with ${exit}`);

const db = new Database(join(dataDir, "outro.db"), { readonly: true });
const stored = new Set(db.query<{ event_id: string }, []>("SELECT event_id FROM clicks").all().map((r) => r.event_id));
const lost = acknowledged.filter((e) => !stored.has(e));
if (lost.length) problems.push(`${lost.length} acknowledged clicks are not in the database (first: ${lost[0]})`);
const fans = new Set(db.query<{ email: string }, []>("SELECT email FROM fans").all().map((r) => r.email));
const lostFans = signedUp.filter((e) => !fans.has(e));
if (lostFans.length) problems.push(`${lostFans.length} confirmed signups are not in the database (first: ${lostFans[0]})`);
const byStatus = Object.fromEntries(db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM capi_events GROUP BY status").all().map((r) => [r.status, r.n]));
const sent = db.query<{ event_id: string }, []>("SELECT event_id FROM capi_events WHERE status = 'sent'").all().map((r) => r.event_id);
const overdue = db.query<{ n: number }, { now: number }>("SELECT COUNT(*) AS n FROM capi_events WHERE status = 'pending' AND next_attempt_at <= $now").get({ now: Date.now() - 5000 })!.n;
db.close();
const delivered = graph.delivered();
const twice = [...delivered].filter(([, times]) => times > 1);
const unseen = sent.filter((e) => !delivered.has(e));
if (overdue) problems.push(`${overdue} CAPI events were due but not delivered within ${DRAIN_SECONDS} s of the Graph API healing`);
if (twice.length) problems.push(`${twice.length} CAPI events were delivered more than once (first: ${twice[0]![0]})`);
if (unseen.length) problems.push(`${unseen.length} events are marked sent but the Graph API never accepted them`);
if ((byStatus.failed ?? 0) > 0) problems.push(`${byStatus.failed} events failed permanently (only transient errors were injected)`);
if (peakRss > MAX_RSS_MB * 2 ** 20) problems.push(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB is over SOAK_MAX_RSS_MB=${MAX_RSS_MB}`);
await graph.stop();

say(`CAPI events by status ${JSON.stringify(byStatus)}; ${delivered.size} delivered to the Graph API, ${graph.requests.length} Graph requests`);
say(`peak RSS of the server: ${(peakRss / 2 ** 20).toFixed(1)} MB; ${signedUp.length} signups confirmed (5 per address per 10 minutes are let through)`);
const drill = process.env.SOAK_DISK_FULL === "1" ? await diskFullDrill(say) : null;
if (drill) problems.push(...drill);
if (problems.length) {
  for (const p of problems.slice(0, 20)) say(`FAIL ${p}`);
  say(`${problems.length} problem(s)`);
  process.exit(1);
}
say(`passed: no 5xx, every acknowledged click stored, every due event delivered once, every confirmed signup stored, memory bounded${drill ? ", full disk survived" : ""}`);
