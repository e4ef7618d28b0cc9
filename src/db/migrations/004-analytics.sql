-- Analytics dimensions on the raw rows. visitor is a daily-salted hash of IP + user agent (the
-- first 52 bits of a SHA-256, as an integer): the raw IP is never stored, and once a day's salt
-- is deleted nobody can link a fan's visits across days.
ALTER TABLE clicks ADD COLUMN country TEXT;
ALTER TABLE clicks ADD COLUMN os TEXT;
ALTER TABLE clicks ADD COLUMN app TEXT;
ALTER TABLE clicks ADD COLUMN visitor INTEGER;
ALTER TABLE page_views ADD COLUMN country TEXT;
ALTER TABLE page_views ADD COLUMN os TEXT;
ALTER TABLE page_views ADD COLUMN app TEXT;
ALTER TABLE page_views ADD COLUMN visitor INTEGER;

-- One random salt per day of the instance time zone; days before today are deleted.
CREATE TABLE visitor_salts (
  day  TEXT PRIMARY KEY,
  salt BLOB NOT NULL
) WITHOUT ROWID;

-- Where the incremental rollup job stopped in each raw table (the last id it folded in).
CREATE TABLE rollup_progress (
  source  TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO rollup_progress (source, last_id) VALUES ('clicks', 0), ('page_views', 0);

-- link_id 0 is the whole instance. Keyed by dimension first, so each chart reads one range of rows.
-- Fans only, except dim "excluded" (value: bot, prefetch, head): what is counted apart.
-- metric: view | click | visitor (a fan first seen that day, counted in the hour of the sighting).
-- dim: utm_source, utm_medium, utm_campaign, referrer, app, country, device, os, service; '' for visitor.
CREATE TABLE rollup_dims (
  link_id INTEGER NOT NULL,
  hour    INTEGER NOT NULL,
  metric  TEXT NOT NULL,
  dim     TEXT NOT NULL,
  value   TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (link_id, dim, hour, metric, value)
) WITHOUT ROWID;

-- The same counts per local day of the instance time zone (day: days since 1970-01-01 of the
-- local date). Dashboards read these: a 90-day range is 90 rows per value, not 2160. Each event
-- is given its day from its exact time, so half-hour zones are exact here too. rollup_zone says
-- which zone the days are in; when the setting changes, the job rebuilds them from rollup_dims.
CREATE TABLE rollup_dims_daily (
  link_id INTEGER NOT NULL,
  dim     TEXT NOT NULL,
  day     INTEGER NOT NULL,
  metric  TEXT NOT NULL,
  value   TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (link_id, dim, day, metric, value)
) WITHOUT ROWID;
CREATE TABLE rollup_zone (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  zone TEXT NOT NULL
);
INSERT INTO rollup_zone (id, zone) VALUES (1, 'UTC');

-- The day's distinct visitors per link (and link 0), so a fan counts once a day. Days that can no
-- longer get a new sighting are pruned: the counts stay in rollup_dims, the hashes go.
CREATE TABLE visitor_days (
  link_id INTEGER NOT NULL,
  day     TEXT NOT NULL,
  visitor INTEGER NOT NULL,
  PRIMARY KEY (link_id, day, visitor)
) WITHOUT ROWID;
