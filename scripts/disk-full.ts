// The full-disk drill of `npm run soak` (SOAK_DISK_FULL=1; Linux as root: it mounts a small
// tmpfs as DATA_DIR). Fills the disk while fans click and browse, then frees it. Expects: pages
// still served, click-outs answered 503 (never a 302 for a click that was not stored), a clear
// error logged, the database intact and writing again once space returns.
import { Database } from "bun:sqlite";
import { mkdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnServer } from "../test/process";
import { HUMAN_UA, release, tempDir } from "../test/helpers";

export async function diskFullDrill(say: (line: string) => void): Promise<string[] | null> {
  const problems: string[] = [];
  const mountPoint = tempDir("outro-full-");
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
  if (mount.exitCode !== 0) {
    say(`disk-full drill skipped: cannot mount a tmpfs (${mount.stderr.toString().trim() || "not root?"})`);
    return null;
  }
  try {
    const dataDir = join(mountPoint, "data");
    mkdirSync(dataDir);
    const token = "soak-token-0123456789";
    const server = await spawnServer({ DATA_DIR: dataDir, API_TOKEN: token, LOG_LEVEL: "error" });
    const created = await fetch(`${server.base}/api/links`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(release("full")) });
    if (created.status !== 201) throw new Error(`could not create the link: ${created.status}`);

    const st = statfsSync(mountPoint);
    writeFileSync(join(mountPoint, "filler"), Buffer.alloc(Math.max(0, st.bavail * st.bsize - 64 * 1024)));
    const acknowledged: string[] = [];
    const seen: Record<string, number> = {};
    const count = (k: string) => (seen[k] = (seen[k] ?? 0) + 1);
    for (let i = 0; i < 2000; i++) {
      const eid = `disk-full-${String(i).padStart(6, "0")}`;
      const click = await fetch(`${server.base}/full/go/spotify?eid=${eid}`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } });
      count(`click ${click.status}`);
      if (click.status === 302) acknowledged.push(eid);
      if (i % 10 === 0) count(`page ${(await fetch(`${server.base}/full`, { headers: { "user-agent": HUMAN_UA } })).status}`);
    }
    say(`disk full: ${JSON.stringify(seen)}`);
    if (!seen["click 503"]) problems.push("disk full: no click-out was refused; the disk never filled?");
    if (seen["page 500"] || !seen["page 200"]) problems.push(`disk full: pages were not all served (${JSON.stringify(seen)})`);
    if (!/database or disk is full/.test(server.output())) problems.push("disk full: no error naming the full disk was logged");

    rmSync(join(mountPoint, "filler"));
    let after = 0;
    for (let i = 0; i < 100; i++) {
      const eid = `disk-free-${String(i).padStart(6, "0")}`;
      const res = await fetch(`${server.base}/full/go/spotify?eid=${eid}`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } });
      if (res.status === 302) {
        after++;
        acknowledged.push(eid);
      }
    }
    if (after !== 100) problems.push(`space back: only ${after} of 100 click-outs recorded`);
    server.proc.kill("SIGTERM");
    if ((await server.proc.exited) !== 0) problems.push("disk full: the server did not stop cleanly");

    const db = new Database(join(dataDir, "outro.db"), { readonly: true });
    const integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()!.integrity_check;
    const stored = new Set(db.query<{ event_id: string }, []>("SELECT event_id FROM clicks").all().map((r) => r.event_id));
    db.close();
    if (integrity !== "ok") problems.push(`disk full: integrity_check says ${integrity}`);
    const lost = acknowledged.filter((e) => !stored.has(e));
    if (lost.length) problems.push(`disk full: ${lost.length} acknowledged clicks are not stored`);
    say(`disk full drill: integrity ${integrity}, ${acknowledged.length} acknowledged clicks all stored: ${lost.length === 0}`);
  } finally {
    Bun.spawnSync(["umount", mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
  return problems;
}
