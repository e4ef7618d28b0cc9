-- Page views always carry an event id the server made, and so do click-outs without an eid:
-- unique by construction (time, counter, 72 random bits). A unique index over every raw row
-- only cost each insert an index write, so both tables are rebuilt without it. The ids a
-- client supplies (?eid= on a click-out) are kept unique in click_eids: a click with an eid
-- seen before adds nothing. Every id already stored goes there, whoever made it.
CREATE TABLE click_eids (event_id TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO click_eids (event_id) SELECT event_id FROM clicks;

CREATE TABLE clicks_new (
  id           INTEGER PRIMARY KEY,
  ts           INTEGER NOT NULL,
  link_id      INTEGER NOT NULL,
  dest_key     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  kind         TEXT NOT NULL,
  device       TEXT NOT NULL,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_content  TEXT,
  utm_term     TEXT,
  country      TEXT,
  os           TEXT,
  app          TEXT,
  visitor      INTEGER,
  route        TEXT
);
INSERT INTO clicks_new SELECT id, ts, link_id, dest_key, event_id, kind, device, referrer,
  utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, os, app, visitor, route FROM clicks;
DROP TABLE clicks;
ALTER TABLE clicks_new RENAME TO clicks;

CREATE TABLE page_views_new (
  id           INTEGER PRIMARY KEY,
  ts           INTEGER NOT NULL,
  link_id      INTEGER NOT NULL,
  event_id     TEXT NOT NULL,
  kind         TEXT NOT NULL,
  device       TEXT NOT NULL,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_content  TEXT,
  utm_term     TEXT,
  country      TEXT,
  os           TEXT,
  app          TEXT,
  visitor      INTEGER
);
INSERT INTO page_views_new SELECT id, ts, link_id, event_id, kind, device, referrer,
  utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, os, app, visitor FROM page_views;
DROP TABLE page_views;
ALTER TABLE page_views_new RENAME TO page_views;
