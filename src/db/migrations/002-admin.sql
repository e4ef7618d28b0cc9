-- Admin sign-in sessions. Only the SHA-256 of the cookie's token is stored, so a leaked
-- database does not hand out sessions; csrf is the per-session token every form carries.
CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A bio hub's tour dates; the public page hides those in the past.
CREATE TABLE tour_dates (
  id         INTEGER PRIMARY KEY,
  link_id    INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  date       TEXT NOT NULL,
  city       TEXT NOT NULL,
  venue      TEXT NOT NULL DEFAULT '',
  ticket_url TEXT
);
CREATE INDEX tour_dates_link ON tour_dates (link_id, date);

-- Per-link options only the admin edits (the fan signup form comes with a later issue).
CREATE TABLE link_options (
  link_id      INTEGER PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
  email_signup INTEGER NOT NULL DEFAULT 0
);
