import { Elysia } from "elysia";
import { adminKit, type AdminDeps } from "./context";
import { adminAssets } from "./assets";
import { authRoutes } from "./auth-routes";
import { linkRoutes } from "./link-routes";
import { settingsRoutes } from "./settings-routes";
import { toolRoutes } from "./tools-routes";
import { backupRoutes } from "./backup-routes";

const DAY = 86_400_000;
/** Tour dates stay listed until noon UTC of the next day, so an evening show anywhere is not hidden early. */
export const TOUR_GRACE_MS = 12 * 3_600_000;

/** The browser admin under /admin. Every hook is scoped to these routes; the public pages pay nothing for it. */
export function adminRoutes(deps: AdminDeps) {
  const kit = adminKit(deps);
  // Public pages are rendered once per change; when a day passes, a tour date may have become past.
  let day = Math.floor((kit.clock() - TOUR_GRACE_MS) / DAY);
  const timer = setInterval(() => {
    const now = Math.floor((kit.clock() - TOUR_GRACE_MS) / DAY);
    if (now !== day) {
      day = now;
      kit.links.touch();
    }
  }, 60_000);
  timer.unref();

  return new Elysia({ name: "admin" })
    .use(adminAssets)
    .use(authRoutes(kit))
    .use(linkRoutes(kit))
    .use(settingsRoutes(kit))
    .use(toolRoutes(kit))
    .use(backupRoutes(kit));
}
