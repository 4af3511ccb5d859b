-- Indexes for the analytics summary's peak-concurrency sweep (GET /v1/analytics/summary,
-- docs/benchmarks.md). The sweep needs every session that overlaps the period:
--   created < until AND (ended IS NULL OR ended > since)
-- With only btree indexes on created or ended, one side of that test selects every session
-- before (or after) the period: on 86k sessions over 30 days the summary of one day read
-- 41k users rows to keep 3k (0.25-0.3 s of its 0.31 s), and the cost grows with the
-- table's whole history, not with the period. A GiST index on the session's time span
-- finds the overlapping sessions directly (&&), in time proportional to the answer.

-- A session's span [created, ended], open-ended while it lasts. Defensive against an ended
-- before created (the materialiser must never fail an insert on this index): the span
-- then shrinks to the instant it was created.
CREATE FUNCTION mucstream_session_span(created timestamptz, ended timestamptz) RETURNS tstzrange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT tstzrange(created, CASE WHEN ended IS NULL THEN NULL ELSE greatest(created, ended) END, '[]') $$;

CREATE INDEX users_span ON users USING gist (mucstream_session_span(created, ended));

-- The sweep's other half: sessions that end inside the period (-1 edges).
CREATE INDEX users_ended ON users (ended) WHERE ended IS NOT NULL;
