-- The delivery log looks an event up by its id (GET /api/events/{eventId}, the dedup proof), but
-- the outbox's unique key led with pixel_id, so that lookup scanned every row. Rebuilt with the
-- same key led by event_id, which serves both; event ids ascend, so inserts still land at the
-- right edge of the index. Dropping the old table drops its indexes and triggers: made again below.
CREATE TABLE capi_events_new (
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
  fan_id          INTEGER,
  UNIQUE (event_id, pixel_id, event_name)
);
INSERT INTO capi_events_new (id, created_at, pixel_id, link_id, event_name, event_id, event_time, payload,
    status, attempts, next_attempt_at, last_status, last_response, sent_at, fan_id)
  SELECT id, created_at, pixel_id, link_id, event_name, event_id, event_time, payload,
    status, attempts, next_attempt_at, last_status, last_response, sent_at, fan_id FROM capi_events;
DROP TABLE capi_events;
ALTER TABLE capi_events_new RENAME TO capi_events;

CREATE INDEX capi_events_due ON capi_events (pixel_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX capi_events_status ON capi_events (status, id);
CREATE INDEX capi_events_fan ON capi_events (fan_id) WHERE fan_id IS NOT NULL;

CREATE TRIGGER capi_counts_insert AFTER INSERT ON capi_events BEGIN
  UPDATE capi_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER capi_counts_update AFTER UPDATE OF status ON capi_events WHEN OLD.status <> NEW.status BEGIN
  UPDATE capi_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE capi_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER capi_counts_delete AFTER DELETE ON capi_events BEGIN
  UPDATE capi_counts SET n = n - 1 WHERE status = OLD.status;
END;
