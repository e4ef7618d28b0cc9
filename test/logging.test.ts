import { describe, expect, it } from "bun:test";
import { BUN, HUMAN_UA, ROOT, TOKEN, release, tempDir, eventually } from "./helpers";
import { spawnServer } from "./process";
import { createLogger, requestId } from "../src/log";

describe("structured logs", () => {
  it("writes one JSON object a line: ISO time, level as a word, msg, fields and serialized errors", () => {
    const lines: string[] = [];
    const log = createLogger("info", { write: (s: string) => void lines.push(s) });
    log.debug("not at info");
    log.error({ reqId: "r-1", err: new Error("boom") }, "unhandled error");
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: "error", msg: "unhandled error", reqId: "r-1", pid: process.pid, err: { type: "Error", message: "boom" } });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(entry.err.stack).toContain("boom");
  });

  it("takes a sane X-Request-Id from the proxy, else makes one", () => {
    expect(requestId(new Request("http://localhost/", { headers: { "x-request-id": "abc-123" } }))).toBe("abc-123");
    const made = requestId(new Request("http://localhost/", { headers: { "x-request-id": "<script>" } }));
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs an unhandled error with a request id that the answer carries, without leaking the error's text", async () => {
    const script = `
      import { mapError } from "./src/plugins/errors";
      const request = new Request("http://localhost/api/links", { headers: { "x-request-id": "req-42" } });
      const res = mapError({ code: "UNKNOWN", error: new Error("UNIQUE constraint failed: links.slug"), request, set: { headers: {} } });
      console.log("ANSWER " + JSON.stringify({ status: res.status, id: res.headers.get("x-request-id"), body: await res.text() }));
    `;
    const run = Bun.spawnSync([BUN, "-e", script], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } });
    const lines = run.stdout.toString().trim().split("\n");
    const entry = JSON.parse(lines.find((l) => l.startsWith("{"))!);
    expect(entry).toMatchObject({ level: "error", msg: "unhandled error", reqId: "req-42", method: "GET", path: "/api/links" });
    expect(entry.err.message).toBe("UNIQUE constraint failed: links.slug");
    const answer = JSON.parse(lines.find((l) => l.startsWith("ANSWER "))!.slice(7));
    expect(answer.status).toBe(500);
    expect(answer.id).toBe("req-42");
    expect(JSON.parse(answer.body)).toEqual({ error: { code: "internal", message: "Something went wrong on our side.", requestId: "req-42" } });
  });

  it("logs from the sender's thread through the same logger, filtered by LOG_LEVEL", async () => {
    // The sender runs on its own thread; Meta unreachable (port 9) makes it warn that it will retry.
    const run = async (level: string) => {
      const child = await spawnServer({ DATA_DIR: tempDir("outro-log-"), API_TOKEN: TOKEN, META_GRAPH_URL: "http://127.0.0.1:9", LOG_LEVEL: level });
      const res = await fetch(`${child.base}/api/links`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ...release("logged"), pixelId: "1234567890", accessToken: "EAAB-log-test-token" }),
      });
      expect(res.status).toBe(201);
      expect((await fetch(`${child.base}/logged/go/spotify`, { headers: { "user-agent": HUMAN_UA }, redirect: "manual" })).status).toBe(302);
      return child;
    };
    const warned = await run("info");
    const line = await eventually(() => {
      const found = warned.output().split("\n").find((l) => l.includes("capi: delivery will be retried"));
      expect(found).toBeDefined();
      return found!;
    }, 5000);
    expect(JSON.parse(line)).toMatchObject({ level: "warn", msg: "capi: delivery will be retried", pid: warned.proc.pid });
    expect(JSON.parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT/);
    warned.proc.kill("SIGTERM");

    const quiet = await run("error");
    await Bun.sleep(1500);
    expect(quiet.output()).not.toContain("capi: delivery will be retried");
    quiet.proc.kill("SIGTERM");
    await Promise.all([warned.proc.exited, quiet.proc.exited]);
  }, 20_000);
});
