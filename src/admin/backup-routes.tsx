import { Elysia } from "elysia";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { backupTo } from "../ops/backup";
import { BACKUP_DIR, backupName } from "../ops/scheduled-backups";
import { adminContext, type AdminKit } from "./context";

/**
 * GET /admin/backup.db: a consistent snapshot taken while serving (VACUUM INTO), kept in
 * DATA_DIR/backups like the scheduled ones, and downloaded.
 */
export const backupRoutes = (kit: AdminKit) =>
  new Elysia({ prefix: "/admin" })
    .use(adminContext(kit))
    .get("/backup.db", async () => {
      const dir = join(kit.config.dataDir, BACKUP_DIR);
      mkdirSync(dir, { recursive: true });
      const name = backupName(kit.clock()).replace(/^outro-/, "outro-download-");
      const file = join(dir, name);
      await backupTo(kit.config.dataDir, file);
      return new Response(Bun.file(file), {
        headers: {
          "content-type": "application/vnd.sqlite3",
          "content-disposition": `attachment; filename="${name}"`,
          "cache-control": "no-store",
        },
      });
    }, { admin: true });
