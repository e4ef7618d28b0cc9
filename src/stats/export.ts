import type { Database } from "bun:sqlite";
import { clickExportRepo } from "./export-repo";

/** One CSV line (RFC 4180); a cell that a spreadsheet would run as a formula is prefixed with '. */
export function csvLine(cells: (string | number | null | undefined)[]): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return "";
        let s = String(c);
        if (typeof c === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(",") + "\r\n"
  );
}

const HEADER = ["time", "link", "destination", "kind", "device", "os", "app", "country", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];

/**
 * Raw click-outs as a CSV stream, a thousand rows per pull: memory stays flat however many
 * millions there are, and the download starts at once. Bots and prefetches are included with
 * their kind so the file can be reconciled with the counts. No visitor hash, no IP.
 */
export function rawClicksCsv(db: Database, opts: { linkId: number | null; from: number; to: number; pageSize?: number }): ReadableStream<Uint8Array> {
  const pageSize = opts.pageSize ?? 1000;
  const repo = clickExportRepo(db);
  const encoder = new TextEncoder();
  let after = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(HEADER)));
      }
      const rows = repo.page(after, opts.from, opts.to, opts.linkId, pageSize);
      if (rows.length === 0) return controller.close();
      after = rows[rows.length - 1]!.id;
      let chunk = "";
      for (const r of rows) {
        chunk += csvLine([new Date(r.ts).toISOString(), r.slug, r.dest_key, r.kind, r.device, r.os, r.app, r.country, r.referrer, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_content, r.utm_term]);
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
}
