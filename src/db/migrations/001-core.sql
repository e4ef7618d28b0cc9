-- Instance settings changed in the admin; environment variables win over these.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE links (
  id               INTEGER PRIMARY KEY,
  slug             TEXT NOT NULL UNIQUE,
  type             TEXT NOT NULL CHECK (type IN ('release', 'bio')),
  title            TEXT NOT NULL,
  artist           TEXT NOT NULL DEFAULT '',
  bio              TEXT NOT NULL DEFAULT '',
  artwork_url      TEXT,
  published        INTEGER NOT NULL DEFAULT 1,
  featured_slug    TEXT,
  pixel_id         TEXT,
  access_token     TEXT,
  extra_pixel_id   TEXT,
  click_event_name TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);

CREATE TABLE destinations (
  id       INTEGER PRIMARY KEY,
  link_id  INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  key      TEXT NOT NULL,
  service  TEXT,
  label    TEXT,
  url      TEXT NOT NULL,
  UNIQUE (link_id, key)
);

-- Raw events. No foreign key to links: deleting a link must not rewrite millions of rows,
-- and the history stays countable. event_id is unique so a repeated eid adds nothing.
CREATE TABLE clicks (
  id           INTEGER PRIMARY KEY,
  ts           INTEGER NOT NULL,
  link_id      INTEGER NOT NULL,
  dest_key     TEXT NOT NULL,
  event_id     TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  device       TEXT NOT NULL,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_content  TEXT,
  utm_term     TEXT
);

CREATE TABLE page_views (
  id           INTEGER PRIMARY KEY,
  ts           INTEGER NOT NULL,
  link_id      INTEGER NOT NULL,
  event_id     TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  device       TEXT NOT NULL,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_content  TEXT,
  utm_term     TEXT
);

-- Hourly rollup kept on write, so stats never scan raw rows. dest_key is '' for page views.
-- Hours (not days) so a day can start in any whole-hour time zone.
CREATE TABLE rollup_hourly (
  link_id  INTEGER NOT NULL,
  hour     INTEGER NOT NULL,
  metric   TEXT NOT NULL,
  dest_key TEXT NOT NULL,
  humans   INTEGER NOT NULL DEFAULT 0,
  others   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, hour, metric, dest_key)
) WITHOUT ROWID;

-- The Conversions API outbox: written in the same transaction as the click or view.
CREATE TABLE capi_events (
  id              INTEGER PRIMARY KEY,
  created_at      INTEGER NOT NULL,
  pixel_id        TEXT NOT NULL,
  link_id         INTEGER,
  event_name      TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  event_time      INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'expired')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status     INTEGER,
  last_response   TEXT,
  sent_at         INTEGER,
  UNIQUE (pixel_id, event_id, event_name)
);
CREATE INDEX capi_events_due ON capi_events (pixel_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX capi_events_status ON capi_events (status, id);

-- Per pixel delivery state: a token or permission error pauses the pixel until fixed.
CREATE TABLE pixel_state (
  pixel_id     TEXT PRIMARY KEY,
  paused_at    INTEGER,
  pause_reason TEXT
) WITHOUT ROWID;

-- Browser acknowledgements: the page tells us the Pixel fired this event id.
CREATE TABLE browser_acks (
  event_id TEXT PRIMARY KEY,
  ts       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
