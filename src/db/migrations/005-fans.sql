-- The artist's own fan list. One row per address (normalised), merged across signups.
CREATE TABLE fans (
  id                INTEGER PRIMARY KEY,
  email             TEXT NOT NULL UNIQUE,
  name              TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  unsubscribed_at   INTEGER,
  unsubscribe_token TEXT NOT NULL UNIQUE
);

-- Each signup as it happened: where, when, the landing UTMs and the consent text as shown.
CREATE TABLE fan_signups (
  id           INTEGER PRIMARY KEY,
  fan_id       INTEGER NOT NULL REFERENCES fans(id) ON DELETE CASCADE,
  link_id      INTEGER,
  ts           INTEGER NOT NULL,
  consent_text TEXT NOT NULL,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_content  TEXT,
  utm_term     TEXT
);
CREATE INDEX fan_signups_fan ON fan_signups (fan_id);
CREATE INDEX fan_signups_link ON fan_signups (link_id, fan_id);

-- Durable queue of webhook deliveries (each new fan, as JSON, signed).
CREATE TABLE fan_webhooks (
  id              INTEGER PRIMARY KEY,
  fan_id          INTEGER REFERENCES fans(id) ON DELETE CASCADE,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  last_status     INTEGER,
  last_error      TEXT
);
CREATE INDEX fan_webhooks_due ON fan_webhooks (next_attempt_at) WHERE status = 'pending';

-- A signup's Meta event carries the hashed address: erasing a fan must find it.
ALTER TABLE capi_events ADD COLUMN fan_id INTEGER;
CREATE INDEX capi_events_fan ON capi_events (fan_id) WHERE fan_id IS NOT NULL;
