-- The outbox sender remembers which token a pixel was paused with (a SHA-256 prefix, never the
-- token), so a paused pixel resumes by itself once its token is changed, across restarts too.
ALTER TABLE pixel_state ADD COLUMN paused_token TEXT;

-- Delivery counters kept on write, so the delivery log never counts raw rows in a request
-- (what sank Shlink and YOURLS at tens of millions of rows). One tiny row update per event.
CREATE TABLE capi_counts (
  status TEXT PRIMARY KEY,
  n      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO capi_counts (status, n)
  SELECT s.status, (SELECT COUNT(*) FROM capi_events e WHERE e.status = s.status)
  FROM (SELECT 'pending' AS status UNION ALL SELECT 'sent' UNION ALL SELECT 'failed' UNION ALL SELECT 'expired') s;

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
