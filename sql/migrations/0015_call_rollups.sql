-- Call and media rollups: what GET /v1/analytics/p2p, /media and /rooms read instead of
-- pairing every P2P and media event of the period (docs/benchmarks.md: 4-95 s, 0.3-5.7 s
-- and 1-3 s on 10 million events before). Kept by the materialiser in the batch's
-- transaction like those of 0011 (sql/rollups.cpp), rebuilt by mucstream_recompute_rollups().
-- They are tables of their own, so a retention purge of events leaves them whole.
--
-- Each carries the tenant (the MUC domain of the room's JID) in its key, and the tenant
-- policy: a transaction that sets mucstream.tenant sees that domain's rows only.

CREATE FUNCTION mucstream_domain(room text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT split_part(room, '@', 2) $$;

CREATE FUNCTION mucstream_relayed(data jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(data->>'local_candidate_type' = 'relay' OR data->>'remote_candidate_type' = 'relay', false) $$;

CREATE FUNCTION mucstream_day_start(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timezone('UTC', date_trunc('day', timezone('UTC', t))) $$;

-- The first whole hour at or after t.
CREATE FUNCTION mucstream_hour_ceil(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN mucstream_hour(t) = t THEN t ELSE mucstream_hour(t) + interval '1 hour' END $$;

-- The first UTC midnight at or after t.
CREATE FUNCTION mucstream_day_ceil(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN mucstream_day_start(t) = t THEN t ELSE mucstream_day_start(t) + interval '1 day' END $$;

-- What one stats sample adds to rollup_p2p_values_daily (below): the one definition the
-- materialiser, the rebuild and the readers of partial days use.
CREATE FUNCTION mucstream_p2p_values(rtt_ms float8, jitter_ms float8, packet_loss float8)
RETURNS TABLE (metric text, value float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT m, v FROM (VALUES ('sample', 0::float8), ('rtt_ms', rtt_ms), ('jitter_ms', jitter_ms),
                           ('packet_loss', packet_loss)) x(m, v)
  WHERE v IS NOT NULL
$$;

-- percentile_cont's interpolation, as PostgreSQL computes it: between the values at the
-- ranks floor(pos) and ceil(pos), pos = fraction * (count - 1).
CREATE FUNCTION mucstream_lerp(lo float8, hi float8, pos float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN ceil(pos) > floor(pos) THEN lo + (hi - lo) * (pos - floor(pos)) ELSE lo END $$;

-- One row per P2P session as the p2p_sessions view of 0004 counts them: per
-- p2p_session_started event (accepted), and per p2p_session_ended event with no start
-- before it (not accepted: started = ended = its time). `ended` and `reason` come from the
-- first end event at or after the start (NULL without one). `samples` and `relayed` cover
-- the stats samples from the start to that end, or to any later time while there is no
-- end event: when a session without an end event was closed by its occupants leaving,
-- the readers (p2p_session_outcomes below) count its samples up to that close from events.
CREATE TABLE rollup_p2p_sessions (
  domain    text        NOT NULL,
  room_id   uuid        NOT NULL,
  sid       text,
  event_id  uuid        NOT NULL,
  started   timestamptz NOT NULL,
  accepted  boolean     NOT NULL,
  initiator uuid,
  responder uuid,
  ended     timestamptz,
  reason    text,
  samples   bigint      NOT NULL DEFAULT 0,
  relayed   boolean     NOT NULL DEFAULT false,
  -- ended - started in seconds when `ended` is known (0 when not accepted): computing it
  -- for every session of a month at read time cost a third of the read.
  duration_seconds float8,
  PRIMARY KEY (domain, room_id, event_id)
);
-- Period reads aggregate every session of the period: covering, they read the index only.
CREATE INDEX rollup_p2p_sessions_started ON rollup_p2p_sessions (started)
  INCLUDE (accepted, ended, reason, samples, relayed, duration_seconds, domain);
CREATE INDEX rollup_p2p_sessions_room ON rollup_p2p_sessions (room_id, sid, started);
-- The few without an end event (ongoing, or closed by their occupants leaving).
CREATE INDEX rollup_p2p_sessions_open ON rollup_p2p_sessions (started) WHERE ended IS NULL;

-- The stats samples' values per UTC day, to give exact percentiles and means without the
-- samples: metric 'rtt_ms', 'jitter_ms', 'packet_loss' (the numbers that were numbers, as
-- mucstream_num reads them) with how many samples had each value, and 'sample' (value 0):
-- every sample. Real values repeat (rtt in 0.1 ms, loss in 0.0001), so a day is a few
-- thousand rows however many samples it had.
CREATE TABLE rollup_p2p_values_daily (
  domain  text   NOT NULL,
  day     date   NOT NULL,
  metric  text   NOT NULL,
  value   float8 NOT NULL,
  samples bigint NOT NULL,
  PRIMARY KEY (domain, day, metric, value)
);
CREATE INDEX rollup_p2p_values_daily_day ON rollup_p2p_values_daily (day) INCLUDE (metric, value, samples, domain);

-- The same per hour, for the whole hours of a period's partial first and last days (the
-- API's default period, the last 7 days, starts and ends mid-day): without it those read
-- every sample of up to two days (1.7 s on 10M events).
CREATE TABLE rollup_p2p_values_hourly (
  domain  text        NOT NULL,
  hour    timestamptz NOT NULL,
  metric  text        NOT NULL,
  value   float8      NOT NULL,
  samples bigint      NOT NULL,
  PRIMARY KEY (domain, hour, metric, value)
);
CREATE INDEX rollup_p2p_values_hourly_hour ON rollup_p2p_values_hourly (hour) INCLUDE (metric, value, samples, domain);

-- Per occupant session with media events: the sums of its paused audio, paused video and
-- screen-share intervals (media_intervals of 0004) that an event ended, and the start times
-- of those still open. An open interval ends when the session or the room does (or now), so
-- readers finish it from users and rooms; without media events a session has no row.
-- `joined`: the session's users.created (NULL if that row did not exist when computed).
CREATE TABLE rollup_media_sessions (
  domain               text        NOT NULL,
  session              uuid        NOT NULL,
  room_id              uuid        NOT NULL,
  joined               timestamptz,
  audio_paused_seconds float8      NOT NULL DEFAULT 0,
  video_paused_seconds float8      NOT NULL DEFAULT 0,
  screen_share_seconds float8      NOT NULL DEFAULT 0,
  screen_shares        bigint      NOT NULL DEFAULT 0,
  audio_open           timestamptz[],
  video_open           timestamptz[],
  screen_open          timestamptz[],
  PRIMARY KEY (domain, session, room_id)
);
CREATE INDEX rollup_media_sessions_joined ON rollup_media_sessions (joined)
  INCLUDE (room_id, domain, audio_paused_seconds, video_paused_seconds, screen_share_seconds, screen_shares,
           audio_open, video_open, screen_open);
CREATE INDEX rollup_media_sessions_room ON rollup_media_sessions (room_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rollup_p2p_sessions', 'rollup_p2p_values_daily', 'rollup_p2p_values_hourly',
                           'rollup_media_sessions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant ON %I USING (nullif(current_setting('mucstream.tenant', true), '') IS NULL
                    OR domain = nullif(current_setting('mucstream.tenant', true), ''))$p$, t);
  END LOOP;
END $$;

-- The definitions, from events (and users for `joined`): the materialiser recomputes the
-- rows of the P2P and media sessions a batch touched with them, the rebuild all rows.
-- The pairing is that of 0004's views, index for index (events_p2p_sid, events_calls).
CREATE VIEW mucstream_p2p_session_facts AS
  SELECT mucstream_domain(s.room) AS domain, s.room_id, s.data->>'sid' AS sid, s.id AS event_id, s.time AS started,
         true AS accepted, s.actor AS initiator, s.peer AS responder, x.time AS ended, x.reason,
         q.samples, q.relayed, extract(epoch FROM x.time - s.time)::float8 AS duration_seconds
  FROM events s
  LEFT JOIN LATERAL (
    SELECT e.time, e.data->>'reason' AS reason FROM events e
    WHERE e.room_id = s.room_id AND e.data->>'sid' = s.data->>'sid' AND e.type = 'p2p_session_ended'
      AND e.time >= s.time
    ORDER BY e.time LIMIT 1) x ON true
  CROSS JOIN LATERAL (
    SELECT count(*) AS samples, coalesce(bool_or(mucstream_relayed(st.data)), false) AS relayed
    FROM events st
    WHERE st.room_id = s.room_id AND st.data->>'sid' = s.data->>'sid' AND st.type = 'p2p_session_stats'
      AND st.time >= s.time AND st.time <= coalesce(x.time, 'infinity')) q
  WHERE s.type = 'p2p_session_started'
UNION ALL
  SELECT mucstream_domain(e.room), e.room_id, e.data->>'sid', e.id, e.time, false, e.actor, e.peer, e.time,
         e.data->>'reason', 0::bigint, false, 0::float8
  FROM events e
  WHERE e.type = 'p2p_session_ended'
    AND NOT EXISTS (SELECT FROM events s
                    WHERE s.room_id = e.room_id AND s.type = 'p2p_session_started' AND s.time <= e.time
                      AND s.data->>'sid' = e.data->>'sid');

CREATE VIEW mucstream_media_session_facts AS
  SELECT mucstream_domain(min(p.room)) AS domain, p.actor AS session, p.room_id,
         (SELECT u.created FROM users u WHERE u.sessionid = p.actor) AS joined,
         coalesce(sum(extract(epoch FROM x.time - p.time)::float8)
                  FILTER (WHERE p.type = 'audio_paused' AND x.time IS NOT NULL), 0) AS audio_paused_seconds,
         coalesce(sum(extract(epoch FROM x.time - p.time)::float8)
                  FILTER (WHERE p.type = 'video_paused' AND x.time IS NOT NULL), 0) AS video_paused_seconds,
         coalesce(sum(extract(epoch FROM x.time - p.time)::float8)
                  FILTER (WHERE p.type = 'screencapture_started' AND x.time IS NOT NULL), 0) AS screen_share_seconds,
         count(*) FILTER (WHERE p.type = 'screencapture_started') AS screen_shares,
         array_agg(p.time ORDER BY p.time) FILTER (WHERE p.type = 'audio_paused' AND x.time IS NULL) AS audio_open,
         array_agg(p.time ORDER BY p.time) FILTER (WHERE p.type = 'video_paused' AND x.time IS NULL) AS video_open,
         array_agg(p.time ORDER BY p.time) FILTER (WHERE p.type = 'screencapture_started' AND x.time IS NULL) AS screen_open
  FROM events p
  LEFT JOIN LATERAL (
    SELECT e.time FROM events e
    WHERE e.room_id = p.room_id
      AND e.type IN ('audio_resumed', 'video_resumed', 'screencapture_ended')
      AND e.type = CASE p.type WHEN 'audio_paused' THEN 'audio_resumed' WHEN 'video_paused' THEN 'video_resumed'
                               ELSE 'screencapture_ended' END
      AND e.actor = p.actor AND e.time >= p.time AND e.seq > p.seq
    ORDER BY e.time LIMIT 1) x ON true
  WHERE p.type IN ('audio_paused', 'video_paused', 'screencapture_started') AND p.actor IS NOT NULL
  GROUP BY p.room_id, p.actor;

-- Seconds from each start in `starts` to `closed`, summed (an open interval's length).
CREATE FUNCTION mucstream_open_seconds(starts timestamptz[], closed timestamptz) RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(sum(extract(epoch FROM closed - s)::float8), 0) FROM unnest(starts) s $$;

-- P2P sessions with their outcome and duration, as p2p_sessions gives them, from the
-- rollup. A session with an end event (or never accepted) is final in its row; only one
-- without looks at users and rooms (was it closed?), and only one closed that way counts its
-- samples from events. Two branches, so the planner knows the look-ups are for a few rows
-- (one branch with per-row look-ups was estimated costly enough to be JIT-compiled: 1.7 s).
CREATE VIEW p2p_session_outcomes AS
  SELECT r.domain, r.room_id, r.sid, r.initiator, r.responder, r.accepted, r.started,
         r.ended, r.duration_seconds,
         r.reason,
         CASE WHEN r.accepted THEN mucstream_p2p_outcome(r.reason, true, true) ELSE 'failed' END AS outcome,
         r.samples, r.relayed
  FROM rollup_p2p_sessions r
  WHERE r.ended IS NOT NULL
UNION ALL
  SELECT r.domain, r.room_id, r.sid, r.initiator, r.responder, r.accepted, r.started,
         coalesce(c.closed, now()),
         extract(epoch FROM coalesce(c.closed, now()) - r.started)::float8,
         r.reason,
         mucstream_p2p_outcome(r.reason, false, c.closed IS NOT NULL),
         coalesce(l.samples, r.samples),
         coalesce(l.relayed, r.relayed)
  FROM rollup_p2p_sessions r
  LEFT JOIN users ui ON ui.sessionid = r.initiator
  LEFT JOIN users ur ON ur.sessionid = r.responder
  LEFT JOIN rooms rm ON rm.id = r.room_id
  CROSS JOIN LATERAL (SELECT coalesce(least(ui.ended, ur.ended), rm.ended) AS closed) c
  LEFT JOIN LATERAL (
    SELECT count(*) AS samples, coalesce(bool_or(mucstream_relayed(st.data)), false) AS relayed
    FROM events st
    WHERE st.room_id = r.room_id AND st.data->>'sid' = r.sid AND st.type = 'p2p_session_stats'
      AND st.time >= r.started AND st.time <= c.closed) l ON c.closed IS NOT NULL
  WHERE r.ended IS NULL;

-- A period's stats samples (of every room): count, rtt median and p95, jitter mean, loss
-- mean and p95, as percentile_cont and avg over the samples give them, from the values
-- rollups and, for the partial hour at each end, the samples themselves (through
-- p2p_stats_samples: analysts call this too, and may not read events.data).
CREATE FUNCTION mucstream_p2p_sample_figures(since timestamptz, until timestamptz)
RETURNS TABLE (samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  -- Whole days [D0, D1) from the daily rollup, the whole hours before and after them from
  -- the hourly one, the partial hour at each end from the samples. The bounds are written
  -- out (not a CTE) so that they fold into constants and the planner sees how little each
  -- part reads: a CTE hid that, the planner expected a million samples and JIT-compiled the
  -- query for 1.7 s.
  WITH v AS (
    SELECT r.metric, r.value, r.samples AS n FROM rollup_p2p_values_daily r
    WHERE r.day >= mucstream_day(mucstream_day_ceil(since)) AND r.day < mucstream_day(mucstream_day_start(until))
    UNION ALL
    SELECT r.metric, r.value, r.samples FROM rollup_p2p_values_hourly r
    WHERE r.hour >= mucstream_hour_ceil(since) AND r.hour < least(mucstream_day_ceil(since), mucstream_hour(until))
    UNION ALL
    SELECT r.metric, r.value, r.samples FROM rollup_p2p_values_hourly r
    WHERE r.hour >= greatest(mucstream_day_start(until), mucstream_day_ceil(since)) AND r.hour < mucstream_hour(until)
    UNION ALL
    SELECT m.metric, m.value, 1 FROM p2p_stats_samples st
      CROSS JOIN LATERAL mucstream_p2p_values(st.rtt_ms, st.jitter_ms, st.packet_loss) m
    WHERE st.time >= since AND st.time < least(mucstream_hour_ceil(since), until)
    UNION ALL
    SELECT m.metric, m.value, 1 FROM p2p_stats_samples st
      CROSS JOIN LATERAL mucstream_p2p_values(st.rtt_ms, st.jitter_ms, st.packet_loss) m
    WHERE st.time >= greatest(mucstream_hour(until), mucstream_hour_ceil(since)) AND st.time < until),
  h AS (SELECT metric, value, sum(n)::float8 AS n FROM v GROUP BY metric, value),
  c AS (SELECT metric, value, n, sum(n) OVER (PARTITION BY metric ORDER BY value) AS cum,
               sum(n) OVER (PARTITION BY metric) AS total
        FROM h),
  f AS (SELECT metric, max(total) AS total, sum(value * n) / sum(n) AS mean,
               min(value) FILTER (WHERE cum > floor(0.5 * (total - 1))) AS lo50,
               min(value) FILTER (WHERE cum > ceil(0.5 * (total - 1))) AS hi50,
               min(value) FILTER (WHERE cum > floor(0.95 * (total - 1))) AS lo95,
               min(value) FILTER (WHERE cum > ceil(0.95 * (total - 1))) AS hi95
        FROM c GROUP BY metric)
  SELECT coalesce((SELECT total FROM f WHERE metric = 'sample'), 0)::bigint,
         (SELECT mucstream_lerp(lo50, hi50, 0.5 * (total - 1)) FROM f WHERE metric = 'rtt_ms'),
         (SELECT mucstream_lerp(lo95, hi95, 0.95 * (total - 1)) FROM f WHERE metric = 'rtt_ms'),
         (SELECT mean FROM f WHERE metric = 'jitter_ms'),
         (SELECT mean FROM f WHERE metric = 'packet_loss'),
         (SELECT mucstream_lerp(lo95, hi95, 0.95 * (total - 1)) FROM f WHERE metric = 'packet_loss')
$$;

-- GET /v1/analytics/p2p's figures (0004's p2p_quality, same columns and answers): every
-- room's from the rollups; one room's from its events (p2p_quality_from_events, the
-- definition of 0004), which its indexes make quick. A copy, not a rename of 0004's
-- function: its body names its parameters by the function's name (p2p_quality.since).
CREATE FUNCTION p2p_quality_from_events(since timestamptz, until timestamptz, room uuid DEFAULT NULL)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  WITH s AS (SELECT * FROM p2p_sessions p
             WHERE p.started >= p2p_quality_from_events.since AND p.started < p2p_quality_from_events.until
               AND (p2p_quality_from_events.room IS NULL OR p.room_id = p2p_quality_from_events.room)),
       q AS (SELECT * FROM p2p_stats_samples st
             WHERE st.time >= p2p_quality_from_events.since AND st.time < p2p_quality_from_events.until
               AND (p2p_quality_from_events.room IS NULL OR st.room_id = p2p_quality_from_events.room))
  SELECT count(*), count(*) FILTER (WHERE outcome = 'completed'), count(*) FILTER (WHERE outcome = 'failed'),
         count(*) FILTER (WHERE outcome = 'interrupted'), count(*) FILTER (WHERE outcome = 'ongoing'),
         count(*) FILTER (WHERE s.samples > 0), count(*) FILTER (WHERE s.relayed),
         (count(*) FILTER (WHERE s.relayed))::float8 / nullif(count(*) FILTER (WHERE s.samples > 0), 0),
         avg(duration_seconds) FILTER (WHERE accepted),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE accepted),
         coalesce(sum(duration_seconds), 0),
         (SELECT count(*) FROM q),
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY rtt_ms) FROM q),
         (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY rtt_ms) FROM q),
         (SELECT avg(jitter_ms) FROM q),
         (SELECT avg(packet_loss) FROM q),
         (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY packet_loss) FROM q)
  FROM s
$$;
CREATE OR REPLACE FUNCTION p2p_quality(since timestamptz, until timestamptz, room uuid DEFAULT NULL)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  SELECT * FROM p2p_quality_from_events(p2p_quality.since, p2p_quality.until, p2p_quality.room)
  WHERE p2p_quality.room IS NOT NULL
  UNION ALL
  SELECT s.*, q.* FROM (
    SELECT count(*), count(*) FILTER (WHERE outcome = 'completed'), count(*) FILTER (WHERE outcome = 'failed'),
           count(*) FILTER (WHERE outcome = 'interrupted'), count(*) FILTER (WHERE outcome = 'ongoing'),
           count(*) FILTER (WHERE p.samples > 0), count(*) FILTER (WHERE p.relayed),
           (count(*) FILTER (WHERE p.relayed))::float8 / nullif(count(*) FILTER (WHERE p.samples > 0), 0),
           avg(duration_seconds) FILTER (WHERE accepted),
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_seconds) FILTER (WHERE accepted),
           coalesce(sum(duration_seconds), 0)
    FROM p2p_session_outcomes p
    WHERE p.started >= p2p_quality.since AND p.started < p2p_quality.until) s
  CROSS JOIN mucstream_p2p_sample_figures(p2p_quality.since, p2p_quality.until) q
  WHERE p2p_quality.room IS NULL
$$;

-- room_calls (0004) from the rollup: the same columns and answers, without pairing every
-- P2P event of the room. Its options (security_invoker, if a migration set them) stay.
DO $$
DECLARE
  opts text[] := (SELECT reloptions FROM pg_class WHERE oid = to_regclass('room_calls'));
BEGIN
  CREATE OR REPLACE VIEW room_calls AS
    SELECT rs.*, c.p2p_sessions, c.p2p_failed, c.p2p_interrupted, c.call_seconds
    FROM room_summary rs
    CROSS JOIN LATERAL (
      SELECT count(*) AS p2p_sessions,
             count(*) FILTER (WHERE p.outcome = 'failed') AS p2p_failed,
             count(*) FILTER (WHERE p.outcome = 'interrupted') AS p2p_interrupted,
             coalesce(sum(p.duration_seconds), 0) AS call_seconds
      FROM p2p_session_outcomes p WHERE p.room_id = rs.room_id) c;
  IF opts IS NOT NULL THEN
    EXECUTE format('ALTER VIEW room_calls SET (%s)', array_to_string(opts, ', '));
  END IF;
END $$;

-- Rebuilds these rollups from events and users, like mucstream_recompute_rollups() the
-- 0011 ones (and the same way beside a live materialiser: its batch waits for the lock,
-- then recomputes or adds what it stored on top).
CREATE FUNCTION mucstream_recompute_call_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_p2p_sessions, rollup_p2p_values_daily, rollup_p2p_values_hourly, rollup_media_sessions
    IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_p2p_sessions;
  INSERT INTO rollup_p2p_sessions (domain, room_id, sid, event_id, started, accepted, initiator, responder, ended,
                                   reason, samples, relayed, duration_seconds)
    SELECT domain, room_id, sid, event_id, started, accepted, initiator, responder, ended, reason, samples, relayed,
           duration_seconds
    FROM mucstream_p2p_session_facts ORDER BY started;

  DELETE FROM rollup_p2p_values_daily;
  INSERT INTO rollup_p2p_values_daily (domain, day, metric, value, samples)
    SELECT mucstream_domain(e.room), mucstream_day(e.time), m.metric, m.value, count(*)
    FROM events e CROSS JOIN LATERAL mucstream_p2p_values(mucstream_num(e.data->'rtt_ms'),
      mucstream_num(e.data->'jitter_ms'), mucstream_num(e.data->'packet_loss')) m
    WHERE e.type = 'p2p_session_stats'
    GROUP BY 1, 2, 3, 4 ORDER BY 2, 1, 3, 4;

  DELETE FROM rollup_p2p_values_hourly;
  INSERT INTO rollup_p2p_values_hourly (domain, hour, metric, value, samples)
    SELECT mucstream_domain(e.room), mucstream_hour(e.time), m.metric, m.value, count(*)
    FROM events e CROSS JOIN LATERAL mucstream_p2p_values(mucstream_num(e.data->'rtt_ms'),
      mucstream_num(e.data->'jitter_ms'), mucstream_num(e.data->'packet_loss')) m
    WHERE e.type = 'p2p_session_stats'
    GROUP BY 1, 2, 3, 4 ORDER BY 2, 1, 3, 4;

  DELETE FROM rollup_media_sessions;
  INSERT INTO rollup_media_sessions (domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
                                     screen_share_seconds, screen_shares, audio_open, video_open, screen_open)
    SELECT domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
           screen_share_seconds, screen_shares, audio_open, video_open, screen_open
    FROM mucstream_media_session_facts ORDER BY joined;
END $$;

-- `mucstreamd reports --recompute --all` and the analytics benchmark call this one name:
-- it now rebuilds the rollups of 0011 (whatever a later definition of them is) and these.
ALTER FUNCTION mucstream_recompute_rollups() RENAME TO mucstream_recompute_base_rollups;
CREATE FUNCTION mucstream_recompute_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mucstream_recompute_base_rollups();
  PERFORM mucstream_recompute_call_rollups();
END $$;

-- Analysts read rollups directly (docs/api.md, "Rollups"); nothing here names a person
-- or holds a body. The service role writes them as the owner of what it migrated.
GRANT SELECT ON rollup_p2p_sessions, rollup_p2p_values_daily, rollup_p2p_values_hourly, rollup_media_sessions,
  p2p_session_outcomes TO analyst;
GRANT EXECUTE ON FUNCTION mucstream_domain(text), mucstream_relayed(jsonb), mucstream_day_start(timestamptz),
  mucstream_day_ceil(timestamptz), mucstream_hour_ceil(timestamptz),
  mucstream_p2p_values(float8, float8, float8), mucstream_lerp(float8, float8, float8),
  mucstream_open_seconds(timestamptz[], timestamptz), mucstream_p2p_sample_figures(timestamptz, timestamptz),
  p2p_quality(timestamptz, timestamptz, uuid), p2p_quality_from_events(timestamptz, timestamptz, uuid) TO analyst;
REVOKE ALL ON mucstream_p2p_session_facts, mucstream_media_session_facts FROM analyst;

SELECT mucstream_recompute_call_rollups();
