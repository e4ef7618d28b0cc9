import { Elysia } from "elysia";
import { iconSvg } from "../catalog";
import pageCss from "./page.css" with { type: "text" };
import pageJs from "./page-script.js" with { type: "text" };

/** Content-hashed names: a deploy changes the URL, so the files can be cached for a year. */
const version = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex").slice(0, 10);
export const PAGE_CSS_URL = `/assets/page.css?v=${version(pageCss)}`;
export const PAGE_JS_URL = `/assets/outro.js?v=${version(pageJs)}`;

const YEAR = "public, max-age=31536000, immutable";
const icons = new Map<string, string>();

/** Static files the pages need; small, versioned by query and cached for a year. */
export const assetRoutes = new Elysia({ name: "assets" })
  .get("/assets/page.css", ({ set }) => {
    set.headers["content-type"] = "text/css; charset=utf-8";
    set.headers["cache-control"] = YEAR;
    return pageCss;
  })
  .get("/assets/outro.js", ({ set }) => {
    set.headers["content-type"] = "text/javascript; charset=utf-8";
    set.headers["cache-control"] = YEAR;
    return pageJs;
  })
  .get("/assets/icons/:file", ({ params, set }) => {
    const id = (params.file ?? "").replace(/\.svg$/, "");
    if (!/^[a-z0-9-]{1,40}$/.test(id)) {
      set.status = 404;
      return "not found";
    }
    let svg = icons.get(id);
    if (svg === undefined) {
      svg = iconSvg(id);
      if (icons.size < 500) icons.set(id, svg);
    }
    set.headers["content-type"] = "image/svg+xml";
    set.headers["cache-control"] = "public, max-age=86400";
    return svg;
  })
  .get("/robots.txt", ({ set }) => {
    set.headers["content-type"] = "text/plain; charset=utf-8";
    return "User-agent: *\nDisallow: /admin\nDisallow: /api\nDisallow: /*/go/\n";
  })
  .get("/favicon.ico", ({ set }) => {
    set.status = 204;
    set.headers["cache-control"] = "public, max-age=86400";
    return "";
  });
