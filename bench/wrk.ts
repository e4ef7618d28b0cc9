import { existsSync } from "node:fs";

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx3xx: number;
  errors: number;
}

const toMs = (v: string) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
};

export function haveWrk(): boolean {
  return ["/usr/bin/wrk", "/usr/local/bin/wrk"].some(existsSync) || Bun.which("wrk") !== null;
}

/** Runs wrk against url and reads requests/s and latency percentiles from its --latency report. */
export async function wrk(url: string, opts: { connections?: number; seconds?: number; threads?: number; headers?: Record<string, string>; script?: string } = {}): Promise<WrkResult> {
  const { connections = 50, seconds = 8, threads = 1, headers = {} } = opts;
  const args = ["wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency", "--timeout", "5s"];
  if (opts.script) args.push("-s", opts.script);
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  args.push(url);
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${out} ${await new Response(proc.stderr).text()}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = /\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? "";
  const p99 = /\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? "";
  const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps,
    p50ms: toMs(p50),
    p99ms: toMs(p99),
    non2xx3xx: non,
    errors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}
