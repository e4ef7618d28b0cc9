// Quick A/B while tuning: baseline vs the four hot targets only (no backlog, no 10M fill).
import { BUN, TOKEN, tempDir } from "../test/helpers";
import { spawnServer, type Child } from "../test/process";
import { readdirSync, readFileSync } from "node:fs";
import { wrk } from "./wrk";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ONLY = (process.env.ONLY ?? "clickout,page,trackedClick,trackedPage").split(",");
const UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const baseline = await spawnServer({}, [BUN, "bench/baseline-server.ts"]);
const standIn = await spawnServer({}, [BUN, "bench/graph-standin.ts"]);
// VARIANTS="name:K=V,K=V;name2:..." starts one server per variant (A/B of env switches while tuning).
const variants = (process.env.VARIANTS ?? "outro:").split(";").map((v) => {
  const at = v.indexOf(":");
  const name = at === -1 ? v : v.slice(0, at);
  const kv = at === -1 ? "" : v.slice(at + 1);
  // "name@/path/to/checkout:..." runs that checkout's server (A/B of two versions of the code).
  const [label, dir] = name.split("@") as [string, string | undefined];
  return { name: label, dir, env: Object.fromEntries(kv.split(",").filter(Boolean).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)])) };
});
const servers: { name: string; base: string; proc: Child["proc"] }[] = [];
for (const v of variants) {
  // Removed when this script exits (test/temp.ts): each run leaves ~100 MB per variant.
  const child = await spawnServer({ DATA_DIR: tempDir("outro-qb-"), API_TOKEN: TOKEN, META_GRAPH_URL: standIn.base, LOG_LEVEL: "warn", ...v.env }, undefined, v.dir);
  servers.push({ name: v.name, base: child.base, proc: child.proc });
  await createLinks(child.base);
}
async function createLinks(base: string) {
for (const [slug, extra] of [["bench", {}], ["tracked", { pixelId: "1234567890", accessToken: "EAAB-bench-token-0000" }]] as const) {
  const res = await fetch(`${base}/api/links`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ slug, title: "Night Drive", artist: "Babbage", artworkUrl: "https://example.com/cover.jpg",
      destinations: ["https://open.spotify.com/track/abc", "https://music.apple.com/us/album/1", "https://music.youtube.com/watch?v=1", "https://www.deezer.com/track/1", "https://tidal.com/browse/track/1", "https://music.amazon.com/albums/1", "https://babbage.bandcamp.com/track/night-drive"].map((url) => ({ url })), ...extra }),
  });
  if (res.status !== 201) throw new Error(await res.text());
}
}
const paths: Record<string, string> = { clickout: "/bench/go/spotify", page: "/bench", trackedClick: "/tracked/go/spotify", trackedPage: "/tracked" };
const targets: Record<string, string> = { baseline: baseline.base + "/" };
for (const k of ONLY) for (const s of servers) targets[servers.length > 1 ? `${k}/${s.name}` : k] = s.base + paths[k];
const res: Record<string, { rps: number; p99: number }[]> = {};
/** utime + stime of one thread, in clock ticks (1/100 s). */
function ticksOf(pid: number, tid: number | string): number {
  const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
  const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}
// Every thread of a process by name, CPU per answered request (µs): the main (request) thread's
// is printed beside requests/s (less noisy than they are); THREADS=1 prints the rest — the
// sender, checkpointer and rollup "Worker"s, GC helpers — and the Graph stand-in's.
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      out.set(name, (out.get(name) ?? 0) + ticksOf(pid, tid));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}
const threadRes: Record<string, Map<string, number[]>> = {};
for (const url of Object.values(targets)) await wrk(url, { seconds: 1, headers: { "user-agent": UA } });
for (let r = 0; r < ROUNDS; r++) for (const [k, url] of Object.entries(targets)) {
  const srv = servers.find((s) => url.startsWith(s.base));
  const threads0 = srv ? threadCpu(srv.proc.pid) : null;
  const standIn0 = threadCpu(standIn.proc.pid);
  const w = await wrk(url, { seconds: SECONDS, headers: { "user-agent": UA } });
  if (srv && threads0) {
    const per = (threadRes[k] ??= new Map());
    const add = (name: string, ticks: number) => { if (!per.has(name)) per.set(name, []); per.get(name)!.push((ticks * 10_000) / (w.rps * SECONDS)); };
    for (const [name, t] of threadCpu(srv.proc.pid)) add(name, t - (threads0.get(name) ?? 0));
    let s = 0;
    for (const [name, t] of threadCpu(standIn.proc.pid)) s += t - (standIn0.get(name) ?? 0);
    add("(graph stand-in)", s);
  }
  (res[k] ??= []).push({ rps: w.rps, p99: w.p99ms });
  if (w.non2xx3xx || w.errors) console.log(`${k}: ${w.non2xx3xx} non-2xx/3xx, ${w.errors} errors`);
}
const b = median(res.baseline!.map((x) => x.rps));
for (const [k, xs] of Object.entries(res)) {
  const rps = median(xs.map((x) => x.rps));
  console.log(`${k.padEnd(22)} ${Math.round(rps).toString().padStart(7)} req/s  p99 ${median(xs.map((x) => x.p99)).toFixed(2)} ms  ${(rps / b).toFixed(2)}×  [${xs.map((x) => Math.round(x.rps)).join(" ")}]${threadRes[k]?.has("main") ? `  main thread ${median(threadRes[k]!.get("main")!).toFixed(1)} µs/req` : ""}`);
}
if (process.env.THREADS) for (const [k, per] of Object.entries(threadRes)) {
  const parts = [...per].map(([name, xs]) => [name, median(xs)] as const).filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]);
  console.log(`${k.padEnd(22)} CPU µs/req by thread: ${parts.map(([n, v]) => `${n} ${v.toFixed(1)}`).join(", ")}`);
}
for (const c of [baseline, standIn, ...servers]) c.proc.kill("SIGTERM");
await Promise.all(servers.map((s) => s.proc.exited));
