import { Elysia } from "elysia";
import { catalogEntry, iconSvg } from "../catalog";
import pageCss from "./page.css" with { type: "text" };
import pageJs from "./page-script.js" with { type: "text" };
import countdownJs from "./countdown.js" with { type: "text" };
import { sha256 } from "../api/tokens";

/** Content-hashed names: a deploy changes the URL, so the files can be cached for a year. */
const version = (text: string) => sha256(text).slice(0, 10);
export const PAGE_CSS_URL = `/assets/page.css?v=${version(pageCss)}`;
export const PAGE_JS_URL = `/assets/outro.js?v=${version(pageJs)}`;
export const COUNTDOWN_JS_URL = `/assets/countdown.js?v=${version(countdownJs)}`;

const YEAR = "public, max-age=31536000, immutable";
const icons = new Map<string, string>();

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Icons sit on white tiles: a brand colour too pale to see there (Snapchat's yellow) is drawn dark instead. */
export function iconFill(id: string): string | undefined {
  const color = catalogEntry(id)?.color;
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) return undefined;
  const contrastOnWhite = 1.05 / (luminance(color) + 0.05);
  return contrastOnWhite < 1.5 ? "#111318" : undefined;
}

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
  .get("/assets/countdown.js", ({ set }) => {
    set.headers["content-type"] = "text/javascript; charset=utf-8";
    set.headers["cache-control"] = YEAR;
    return countdownJs;
  })
  .get("/assets/icons/:file", ({ params, set }) => {
    const id = (params.file ?? "").replace(/\.svg$/, "");
    if (!/^[a-z0-9-]{1,40}$/.test(id)) {
      set.status = 404;
      return "not found";
    }
    let svg = icons.get(id);
    if (svg === undefined) {
      svg = iconSvg(id, iconFill(id));
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
