import { Elysia } from "elysia";
// Read at build time, so the single executable carries them.
import pico from "@picocss/pico/css/pico.min.css" with { type: "text" };
import adminCss from "./assets/admin.css" with { type: "text" };
import adminJs from "./assets/admin.js" with { type: "text" };

const YEAR = "public, max-age=31536000, immutable";

const asset = (type: string, body: string) => () =>
  new Response(body, { headers: { "content-type": type, "cache-control": YEAR, "x-content-type-options": "nosniff" } });

/** The admin's stylesheets and its one script, versioned by query string. */
export const adminAssets = new Elysia({ name: "admin-assets", prefix: "/admin/assets" })
  .get("/pico.min.css", asset("text/css; charset=utf-8", pico))
  .get("/admin.css", asset("text/css; charset=utf-8", adminCss))
  .get("/admin.js", asset("text/javascript; charset=utf-8", adminJs));
