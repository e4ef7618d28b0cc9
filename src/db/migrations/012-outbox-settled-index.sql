-- Every outbox event entered the (status, id) index as it was written, in the click's own
-- transaction: two to three more WAL pages per batch and ~4 µs of the request thread per tracked
-- click or view (measured with bench/quick.ts, 7 interleaved rounds). Pending rows are already
-- in the partial index capi_events_due, so this one now holds settled rows only: a row enters
-- it when the sender records Meta's answer, off the request path.
DROP INDEX capi_events_status;
CREATE INDEX capi_events_settled ON capi_events (status, id) WHERE status <> 'pending';
