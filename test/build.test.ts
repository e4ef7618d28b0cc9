import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { HUMAN_UA, ROOT, TOKEN, tempDir } from "./helpers";
import { spawnServer } from "./process";

let built: string | undefined;

/** Builds the single executable with exactly the command of `npm run build`, into a temp dir; once per run. */
function buildExecutable(): string {
  if (built) return built;
  const outDir = tempDir("outro-build-");
  const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string;
  const cmd = script.replace("--outfile dist/outro", `--outfile ${join(outDir, "outro")}`).split(/\s+/);
  expect(cmd[0]).toBe("bun");
  const build = Bun.spawnSync([process.execPath, ...cmd.slice(1)], { cwd: ROOT });
  expect(build.exitCode).toBe(0);
  return (built = join(outDir, "outro"));
}

describe("single executable and Dockerfile", () => {
  it("builds with `npm run build`'s command and runs from an empty directory like the source", async () => {
    const exe = buildExecutable();
    expect(existsSync(exe)).toBe(true);

    // An empty working directory: no node_modules, no sources, nothing but the file.
    const empty = tempDir("outro-empty-");
    const child = await spawnServer({ DATA_DIR: join(empty, "data"), API_TOKEN: TOKEN }, [exe], empty);
    try {
      expect(await (await fetch(`${child.base}/healthz`)).json()).toEqual({ status: "ok" });
      const created = await fetch(`${child.base}/api/links`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ slug: "x", title: "T", destinations: [{ url: "https://open.spotify.com/track/1" }] }),
      });
      expect(created.status).toBe(201);
      const page = await fetch(`${child.base}/x`, { headers: { "user-agent": HUMAN_UA } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('href="/x/go/spotify"');
      const icon = await fetch(`${child.base}/assets/icons/spotify.svg`);
      expect(icon.headers.get("content-type")).toBe("image/svg+xml");
      const click = await fetch(`${child.base}/x/go/spotify?eid=build-test-0001`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } });
      expect(click.status).toBe(302);
      expect(click.headers.get("location")).toBe("https://open.spotify.com/track/1");
      expect((await fetch(`${child.base}/api/openapi.json`)).status).toBe(200);
    } finally {
      child.proc.kill("SIGTERM");
    }
    expect(await child.proc.exited).toBe(0);
    expect(existsSync(join(empty, "data", "outro.db"))).toBe(true);
  }, 60_000);

  it("fails fast on bad configuration, like the source", async () => {
    const exe = buildExecutable();
    const dir = tempDir();
    const run = Bun.spawnSync([exe], { cwd: dir, env: { PORT: "nope", DATA_DIR: join(dir, "d") } });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString().trim()).toStartWith("outro: PORT: ");
  }, 60_000);

  it("runs `outro backup` and `outro restore` like the source", async () => {
    const exe = buildExecutable();
    const dir = tempDir("outro-exe-backup-");
    const env = { PATH: process.env.PATH ?? "", DATA_DIR: join(dir, "data"), API_TOKEN: TOKEN };
    const child = await spawnServer(env, [exe], dir);
    try {
      const created = await fetch(`${child.base}/api/links`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ slug: "x", title: "T", destinations: [{ url: "https://open.spotify.com/track/1" }] }),
      });
      expect(created.status).toBe(201);
      // While the server runs: a snapshot, one line, exit 0.
      const backup = Bun.spawnSync([exe, "backup", "snap.db"], { cwd: dir, env });
      expect(backup.stderr.toString()).toBe("");
      expect(backup.exitCode).toBe(0);
      expect(backup.stdout.toString()).toMatch(/^outro: backup written to .*snap\.db \(\d+ KB\)\n$/);
    } finally {
      child.proc.kill("SIGTERM");
    }
    expect(await child.proc.exited).toBe(0);
    rmSync(join(dir, "data"), { recursive: true });
    const restore = Bun.spawnSync([exe, "restore", "snap.db"], { cwd: dir, env });
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout.toString()).toStartWith("outro: restored 1 link into ");
    const again = await spawnServer(env, [exe], dir);
    try {
      expect((await fetch(`${again.base}/x/go/spotify`, { redirect: "manual" })).headers.get("location")).toBe("https://open.spotify.com/track/1");
    } finally {
      again.proc.kill("SIGTERM");
    }
    expect(await again.proc.exited).toBe(0);
  }, 60_000);

  it("has a Dockerfile that lints clean and keeps the image's promises", () => {
    const lint = Bun.spawnSync([join(ROOT, "node_modules/.bin/dockerfile-utils"), "lint", join(ROOT, "Dockerfile")]);
    expect(lint.exitCode).toBe(0);
    expect(lint.stdout.toString().trim()).toBe("");
    const file = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(file).toMatch(/^FROM .* AS build$/m);
    expect(file).toMatch(/HOST=0\.0\.0\.0/);
    expect(file).toMatch(/^USER outro$/m);
    expect(file).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(file).toMatch(/^HEALTHCHECK /m);
    // The image compiles exactly what `npm run build` compiles.
    const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string;
    expect(file).toContain(script.replace("--outfile dist/outro", "--outfile /out/outro"));
  });
});
