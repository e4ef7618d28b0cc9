-- The query a release link was auto-filled from (a UPC, an ISRC or a pasted link), so the
-- release-day re-run asks the catalogues the same question instead of guessing from a destination.
CREATE TABLE link_autofill (
  link_id    INTEGER PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('url', 'upc', 'isrc')),
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
