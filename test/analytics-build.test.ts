import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HUMAN_UA, ROOT, TOKEN, eventually, tempDir } from "./helpers";
import { spawnServer } from "./process";

describe("analytics in the single executable", () => {
  it("resolves a country from the bundled database and runs the rollup thread", async () => {
    // One build, with exactly `npm run build`'s command (as test/build.test.ts does).
    const outDir = tempDir("outro-build-analytics-");
    const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string;
    const cmd = script.replace("--outfile dist/outro", `--outfile ${join(outDir, "outro")}`).split(/\s+/);
    const build = Bun.spawnSync([process.execPath, ...cmd.slice(1)], { cwd: ROOT });
    expect(build.exitCode).toBe(0);

    // An empty directory: the .mmdb file must come from inside the executable.
    const empty = tempDir("outro-empty-");
    const child = await spawnServer({ DATA_DIR: join(empty, "data"), API_TOKEN: TOKEN, TRUST_PROXY: "true" }, [join(outDir, "outro")], empty);
    try {
      const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
      const created = await fetch(`${child.base}/api/links`, {
        method: "POST", headers: auth, body: JSON.stringify({ slug: "x", title: "T", destinations: [{ url: "https://open.spotify.com/track/1" }] }),
      });
      expect(created.status).toBe(201);
      expect((await fetch(`${child.base}/x`, { headers: { "user-agent": HUMAN_UA, "x-forwarded-for": "81.2.69.160" } })).status).toBe(200);
      expect((await fetch(`${child.base}/x/go/spotify`, { redirect: "manual", headers: { "user-agent": HUMAN_UA, "x-forwarded-for": "133.11.0.1" } })).status).toBe(302);
      // The rollup thread folds them in within a few seconds; nobody calls the job by hand here.
      const stats = await eventually(async () => {
        const s = await (await fetch(`${child.base}/api/stats?days=1`, { headers: auth })).json();
        expect(s.dimensions.countries).toEqual([{ value: "GB", views: 1, clicks: 0, ctr: 0 }, { value: "JP", views: 0, clicks: 1, ctr: 0 }]);
        return s;
      }, 10_000);
      expect([stats.views, stats.clicks]).toEqual([1, 1]);
      expect(stats.dimensions.os).toEqual([{ value: "ios", views: 1, clicks: 1, ctr: 1 }]);
    } finally {
      child.proc.kill("SIGTERM");
    }
    expect(await child.proc.exited).toBe(0);
  }, 120_000);
});
