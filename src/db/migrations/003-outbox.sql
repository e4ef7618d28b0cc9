-- The outbox sender remembers which token a pixel was paused with (a SHA-256 prefix, never the
-- token), so a paused pixel resumes by itself once its token is changed, across restarts too.
ALTER TABLE pixel_state ADD COLUMN paused_token TEXT;
