-- Release day (issue 9, point 2). A release link may carry its release moment as the artist
-- typed it (local date, time and IANA zone) and the UTC instant that makes; released_at is set
-- once, by the scheduler, when the moment has been handled (notifications queued).
CREATE TABLE link_releases (
  link_id     INTEGER PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
  local_date  TEXT NOT NULL,
  local_time  TEXT NOT NULL,
  time_zone   TEXT NOT NULL,
  release_at  INTEGER NOT NULL,
  released_at INTEGER,
  -- Auto-fill runs again after the moment; kept apart so a crash between the two still refills.
  refilled_at INTEGER
);
CREATE INDEX link_releases_due ON link_releases (release_at) WHERE released_at IS NULL;

-- Pre-save / pre-add links, shown only before the release; clicked through /{slug}/go/{key}.
CREATE TABLE presave_links (
  id       INTEGER PRIMARY KEY,
  link_id  INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  key      TEXT NOT NULL,
  service  TEXT,
  label    TEXT NOT NULL,
  url      TEXT NOT NULL,
  UNIQUE (link_id, key)
);

-- Fans who asked to hear on release day (from the countdown page's form). base_url is where they
-- signed up, for the mail's links when PUBLIC_URL is not set.
CREATE TABLE release_subscribers (
  link_id    INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  fan_id     INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
  base_url   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (link_id, fan_id)
) WITHOUT ROWID;

-- The release-day mail queue. UNIQUE (link_id, fan_id): one mail per fan per release, ever.
-- 'sending' is written before the SMTP conversation: a row found in it after a restart may have
-- gone out, so it is never sent again ('unknown').
CREATE TABLE release_mails (
  id              INTEGER PRIMARY KEY,
  link_id         INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  fan_id          INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
  base_url        TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  last_error      TEXT,
  UNIQUE (link_id, fan_id)
);
CREATE INDEX release_mails_due ON release_mails (next_attempt_at) WHERE status = 'pending';

-- The webhook side of the same promise: a fan's release webhook is queued at most once.
CREATE TABLE release_webhooks (
  link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  fan_id  INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
  PRIMARY KEY (link_id, fan_id)
) WITHOUT ROWID;
