-- Dead-link monitor (issue 9.3). One row per destination URL, not per destination: the editor
-- rewrites a link's destination rows on every save, and two links may share a URL.
CREATE TABLE link_health (
  url          TEXT PRIMARY KEY,
  verdict      TEXT NOT NULL CHECK (verdict IN ('ok', 'broken', 'unknown')),
  -- The last answer seen: the final HTTP status after redirects, or NULL for a network error.
  status_code  INTEGER,
  answer       TEXT NOT NULL,
  checked_at   INTEGER NOT NULL,
  -- Consecutive failed checks (404/410, 5xx, other 4xx, timeouts, connection errors).
  failures     INTEGER NOT NULL DEFAULT 0,
  broken_since INTEGER
) WITHOUT ROWID;

-- One row per full run; the next is due an interval after the newest one started. A run without
-- finished_at was interrupted (restart) and is resumed with the URLs it had not checked yet.
CREATE TABLE monitor_runs (
  id          INTEGER PRIMARY KEY,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'admin', 'api')),
  checked     INTEGER NOT NULL DEFAULT 0,
  broken      INTEGER NOT NULL DEFAULT 0
);
