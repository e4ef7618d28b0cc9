import type { PropsWithChildren } from "@kitajs/html";
import { PAGE_CSS_URL } from "../src/assets/routes";
import { attr } from "./attr";

export interface Meta {
  title: string;
  description: string;
  /** Absolute URLs: crawlers resolve nothing relative. */
  url?: string;
  image?: string;
  imageAlt?: string;
  ogType?: string;
}

export const Layout = ({ meta, safeHead, children, bodyClass }: PropsWithChildren<{ meta: Meta; safeHead?: JSX.Element; bodyClass?: string }>) => (
  <>
    {"<!doctype html>"}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title safe>{meta.title}</title>
        <meta name="description" content={attr(meta.description)} />
        <meta property="og:title" content={attr(meta.title)} />
        <meta property="og:description" content={attr(meta.description)} />
        <meta property="og:type" content={meta.ogType ?? "website"} />
        {meta.url ? <meta property="og:url" content={attr(meta.url)} /> : ""}
        {meta.url ? <link rel="canonical" href={attr(meta.url)} /> : ""}
        {meta.image ? <meta property="og:image" content={attr(meta.image)} /> : ""}
        {meta.imageAlt ? <meta property="og:image:alt" content={attr(meta.imageAlt)} /> : ""}
        <meta name="twitter:card" content={meta.image ? "summary_large_image" : "summary"} />
        <meta name="twitter:title" content={attr(meta.title)} />
        <meta name="twitter:description" content={attr(meta.description)} />
        {meta.image ? <meta name="twitter:image" content={attr(meta.image)} /> : ""}
        <meta name="theme-color" content="#111318" />
        <link rel="stylesheet" href={PAGE_CSS_URL} />
        {safeHead}
      </head>
      <body class={bodyClass}>{children}</body>
    </html>
  </>
);
