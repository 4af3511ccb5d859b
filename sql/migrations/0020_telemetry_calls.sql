-- Calls that clients reported only over HTTP telemetry (peer_session_added/removed,
-- peer_session_connection_state, peer_stream_added with data.sid) in the call views:
-- p2p_sessions, room_timeline, p2p_session_outcomes, room_calls and the P2P figures, so in
-- /v1/analytics/p2p, /v1/analytics/rooms and /v1/rooms/{id}/timeline.
--
-- The room report's fold (core/room_report.cpp) already decides what such a call is: its
-- start, end, initiator and responder, outcome (failed or interrupted from the reported
-- connection states) and media. A second definition in SQL would drift from it, so these
-- calls' rows in rollup_p2p_sessions are read from the fold's stored state
-- (rooms.report_state), which the materialiser writes in the batch's transaction and
-- `mucstreamd reports --recompute` rebuilds from events. A sid the room also saw in Jingle
-- (any p2p_session_started or p2p_session_ended of that sid in the room) is the Jingle
-- session's alone: one session, with the room's record.

-- source: 'jingle' (a row of mucstream_p2p_session_facts) or 'telemetry' (below).
-- outcome: the report's outcome of an ended telemetry call (completed, failed, interrupted),
--   which its reason alone cannot give (a client's `failed` state, a removal's reason);
--   NULL for Jingle rows, whose outcome follows from their reason as before.
-- media: what the clients reported streaming (peer_stream_added), for the timeline.
ALTER TABLE rollup_p2p_sessions
  ADD COLUMN source  text NOT NULL DEFAULT 'jingle',
  ADD COLUMN outcome text,
  ADD COLUMN media   jsonb;
-- A room's telemetry rows, for the batch that rewrites them and the timeline.
CREATE INDEX rollup_p2p_sessions_telemetry ON rollup_p2p_sessions (room_id, started) WHERE source = 'telemetry';

-- A uuid from text that should hold one, NULL otherwise (a malformed state must not fail a batch).
CREATE FUNCTION mucstream_uuid_or_null(t text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN t::uuid END
$$;

-- Milliseconds since the epoch (the report's times) as a timestamp.
CREATE FUNCTION mucstream_ms_time(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_timestamp(ms / 1000.0) $$;

-- The telemetry calls of each room's report state (core/room_report_state.cpp writes it:
-- version 1, p2p entries with sid, i, r, media, start, end, dur, reason, outcome, src), as
-- rollup_p2p_sessions rows. event_id names the entry by its place in the room's list (the
-- fold only appends), so a rewrite of an unchanged call leaves its row as it is.
CREATE VIEW mucstream_p2p_telemetry_facts AS
  SELECT rm.domain, rm.id AS room_id, c.v->>'sid' AS sid,
         md5(rm.id::text || '/telemetry/' || c.n)::uuid AS event_id,
         mucstream_ms_time((c.v->>'start')::bigint) AS started, true AS accepted,
         mucstream_uuid_or_null(c.v->>'i') AS initiator, mucstream_uuid_or_null(c.v->>'r') AS responder,
         mucstream_ms_time((c.v->>'end')::bigint) AS ended,
         CASE WHEN c.v->>'end' IS NOT NULL THEN c.v->>'reason' END AS reason,
         0::bigint AS samples, false AS relayed,
         CASE WHEN c.v->>'end' IS NOT NULL THEN (c.v->>'dur')::bigint / 1000.0 END::float8 AS duration_seconds,
         'telemetry'::text AS source,
         CASE WHEN c.v->>'end' IS NOT NULL THEN c.v->>'outcome' END AS outcome,
         CASE WHEN jsonb_typeof(c.v->'media') = 'array' THEN c.v->'media' ELSE '[]'::jsonb END AS media
  FROM rooms rm
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(rm.report_state->'p2p') = 'array'
                                               THEN rm.report_state->'p2p' ELSE '[]'::jsonb END)
    WITH ORDINALITY AS c(v, n)
  WHERE rm.report_state->>'v' = '1' AND c.v->>'src' = 'telemetry'
    AND jsonb_typeof(c.v->'sid') = 'string' AND jsonb_typeof(c.v->'start') = 'number'
    AND (c.v->>'end' IS NULL OR (jsonb_typeof(c.v->'end') = 'number' AND jsonb_typeof(c.v->'dur') = 'number'))
    AND NOT EXISTS (SELECT FROM events e
                    WHERE e.room_id = rm.id AND e.data->>'sid' = c.v->>'sid'
                      AND e.type IN ('p2p_session_started', 'p2p_session_ended'));

-- Rewrites the telemetry rows of these rooms from their stored report states: the rows
-- that changed go, the new and changed ones come (two statements, so the figures triggers
-- of 0018 take away and add what they must). Running it twice changes nothing.
CREATE FUNCTION mucstream_refresh_p2p_telemetry(room_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM rollup_p2p_sessions r
  USING (SELECT domain, room_id, sid, event_id, started, accepted, initiator, responder, ended, reason, samples,
                relayed, duration_seconds, source, outcome, media
         FROM rollup_p2p_sessions WHERE source = 'telemetry' AND room_id = ANY(room_ids)
         EXCEPT
         SELECT * FROM mucstream_p2p_telemetry_facts WHERE room_id = ANY(room_ids)) g
  WHERE r.domain = g.domain AND r.room_id = g.room_id AND r.event_id = g.event_id;
  INSERT INTO rollup_p2p_sessions (domain, room_id, sid, event_id, started, accepted, initiator, responder, ended,
                                   reason, samples, relayed, duration_seconds, source, outcome, media)
    SELECT * FROM (
      SELECT * FROM mucstream_p2p_telemetry_facts WHERE room_id = ANY(room_ids)
      EXCEPT
      SELECT domain, room_id, sid, event_id, started, accepted, initiator, responder, ended, reason, samples,
             relayed, duration_seconds, source, outcome, media
      FROM rollup_p2p_sessions WHERE source = 'telemetry' AND room_id = ANY(room_ids)) n
    ORDER BY 1, 2, 4;
END $$;

-- What one final session row adds to the P2P figures (0018's, with the stored outcome
-- first): a telemetry call counts with the report's outcome.
CREATE FUNCTION mucstream_p2p_session_figures(accepted boolean, ended timestamptz, reason text, outcome text,
                                              samples bigint, relayed boolean, duration_seconds float8)
RETURNS TABLE (metric text, value float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT m, v FROM (VALUES
    ('session', 0::float8, true),
    (coalesce(outcome, CASE WHEN accepted THEN mucstream_p2p_outcome(reason, true, true) ELSE 'failed' END), 0, true),
    ('with_stats', 0, samples > 0),
    ('relayed', 0, relayed),
    ('duration', duration_seconds, accepted)) x(m, v, keep)
  WHERE ended IS NOT NULL AND keep
$$;

CREATE OR REPLACE FUNCTION mucstream_p2p_sessions_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM mucstream_p2p_figures_add(array_agg(s.domain), array_agg(s.started), array_agg(f.metric),
                                      array_agg(f.value), array_agg(1::bigint))
    FROM new_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.outcome,
                                                                       s.samples, s.relayed, s.duration_seconds) f
    HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM mucstream_p2p_figures_add(array_agg(s.domain), array_agg(s.started), array_agg(f.metric),
                                      array_agg(f.value), array_agg(-1::bigint))
    FROM old_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.outcome,
                                                                       s.samples, s.relayed, s.duration_seconds) f
    HAVING count(*) > 0;
  ELSE
    PERFORM mucstream_p2p_figures_add(array_agg(d.domain), array_agg(d.started), array_agg(d.metric),
                                      array_agg(d.value), array_agg(d.n))
    FROM (SELECT x.domain, x.started, x.metric, x.value, sum(x.n)::bigint AS n FROM (
            SELECT s.domain, s.started, f.metric, f.value, 1 AS n
            FROM new_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.outcome,
                                                                               s.samples, s.relayed, s.duration_seconds) f
            UNION ALL
            SELECT s.domain, s.started, f.metric, f.value, -1
            FROM old_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.outcome,
                                                                               s.samples, s.relayed, s.duration_seconds) f) x
          GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0) d
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;

-- Sessions without an end event (0018's view): a telemetry call is open until the report
-- closes it (a removal, a party leaving after it began, the room's end: the fold does that
-- in the batch that stores the event), so it is ongoing; a Jingle one is closed by its
-- parties' or the room's end as before.
CREATE OR REPLACE VIEW p2p_open_session_outcomes AS
  SELECT r.domain, r.room_id, r.sid, r.initiator, r.responder, r.accepted, r.started,
         coalesce(c.closed, now()) AS ended,
         extract(epoch FROM coalesce(c.closed, now()) - r.started)::float8 AS duration_seconds,
         r.reason,
         mucstream_p2p_outcome(r.reason, false, c.closed IS NOT NULL) AS outcome,
         coalesce(l.samples, r.samples) AS samples,
         coalesce(l.relayed, r.relayed) AS relayed
  FROM rollup_p2p_sessions r
  LEFT JOIN users ui ON ui.sessionid = r.initiator
  LEFT JOIN users ur ON ur.sessionid = r.responder
  LEFT JOIN rooms rm ON rm.id = r.room_id
  CROSS JOIN LATERAL (SELECT CASE WHEN r.source = 'jingle' THEN coalesce(least(ui.ended, ur.ended), rm.ended) END
                      AS closed) c
  LEFT JOIN LATERAL (
    SELECT count(*) AS samples, coalesce(bool_or(mucstream_relayed(st.data)), false) AS relayed
    FROM events st
    WHERE st.room_id = r.room_id AND st.data->>'sid' = r.sid AND st.type = 'p2p_session_stats'
      AND st.time >= r.started AND st.time <= c.closed) l ON c.closed IS NOT NULL
  WHERE r.ended IS NULL;

-- 0015's view with the stored outcome first and the open sessions of the view above.
CREATE OR REPLACE VIEW p2p_session_outcomes AS
  SELECT r.domain, r.room_id, r.sid, r.initiator, r.responder, r.accepted, r.started,
         r.ended, r.duration_seconds,
         r.reason,
         coalesce(r.outcome,
                  CASE WHEN r.accepted THEN mucstream_p2p_outcome(r.reason, true, true) ELSE 'failed' END) AS outcome,
         r.samples, r.relayed
  FROM rollup_p2p_sessions r
  WHERE r.ended IS NOT NULL
UNION ALL
  SELECT * FROM p2p_open_session_outcomes;

-- 0018's every-room figures with the stored outcome of final sessions of the partial hours.
CREATE OR REPLACE FUNCTION p2p_quality_of_all(since timestamptz, until timestamptz)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  WITH v AS (
    SELECT f.metric, f.vals, f.cum, f.value_sum FROM mucstream_p2p_figure_rows(since, until) f
    WHERE f.metric IN ('session', 'completed', 'failed', 'interrupted', 'with_stats', 'relayed', 'duration')
    UNION ALL
    SELECT e.metric, (e.c).vals, (e.c).cum, (e.c).value_sum FROM (
      SELECT x.metric, mucstream_value_counts(array_agg(x.value), array_agg(1::bigint)) AS c FROM (
        SELECT f.metric, f.value FROM rollup_p2p_sessions r
          CROSS JOIN LATERAL mucstream_p2p_session_figures(r.accepted, r.ended, r.reason, r.outcome, r.samples,
                                                           r.relayed, r.duration_seconds) f
        WHERE r.ended IS NOT NULL
          AND ((r.started >= since AND r.started < least(mucstream_hour_ceil(since), until))
            OR (r.started >= greatest(mucstream_hour(until), mucstream_hour_ceil(since)) AND r.started < until))
        UNION ALL
        SELECT f.metric, f.value FROM p2p_open_session_outcomes p
          CROSS JOIN LATERAL (VALUES ('session', 0::float8, true), (p.outcome, 0, true),
                                     ('with_stats', 0, p.samples > 0), ('relayed', 0, p.relayed),
                                     ('duration', p.duration_seconds, p.accepted)) f(metric, value, keep)
        WHERE p.started >= since AND p.started < until AND f.keep) x
      GROUP BY x.metric) e),
  f AS (SELECT v.metric, sum(v.cum[cardinality(v.cum)]) AS total, sum(v.value_sum) AS s,
               array_agg(row(v.vals, v.cum, v.value_sum)::mucstream_value_counts) AS r
        FROM v GROUP BY v.metric),
  n AS (SELECT coalesce((SELECT total FROM f WHERE metric = 'session'), 0)::bigint AS sessions,
               coalesce((SELECT total FROM f WHERE metric = 'completed'), 0)::bigint AS completed,
               coalesce((SELECT total FROM f WHERE metric = 'failed'), 0)::bigint AS failed,
               coalesce((SELECT total FROM f WHERE metric = 'interrupted'), 0)::bigint AS interrupted,
               coalesce((SELECT total FROM f WHERE metric = 'ongoing'), 0)::bigint AS ongoing,
               coalesce((SELECT total FROM f WHERE metric = 'with_stats'), 0)::bigint AS with_stats,
               coalesce((SELECT total FROM f WHERE metric = 'relayed'), 0)::bigint AS relayed,
               (SELECT s / total FROM f WHERE metric = 'duration') AS duration_mean,
               (SELECT mucstream_quantile(r, 0.95) FROM f WHERE metric = 'duration') AS duration_p95,
               coalesce((SELECT s FROM f WHERE metric = 'duration'), 0) AS duration_total)
  SELECT n.sessions, n.completed, n.failed, n.interrupted, n.ongoing, n.with_stats, n.relayed,
         n.relayed::float8 / nullif(n.with_stats, 0), n.duration_mean, n.duration_p95, n.duration_total, q.*
  FROM n CROSS JOIN mucstream_p2p_sample_figures(since, until) q
$$;

-- 0018's rebuild of the figures with the stored outcome.
CREATE OR REPLACE FUNCTION mucstream_recompute_p2p_figures() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_p2p_sessions, rollup_p2p_figures_daily, rollup_p2p_figures_hourly IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_p2p_figures_daily;
  DELETE FROM rollup_p2p_figures_hourly;
  CREATE TEMP TABLE mucstream_figure_items ON COMMIT DROP AS
    SELECT mucstream_domain(e.room) AS domain, mucstream_hour(e.time) AS hour, m.metric, m.value, count(*) AS n
    FROM events e CROSS JOIN LATERAL mucstream_p2p_values(mucstream_num(e.data->'rtt_ms'),
      mucstream_num(e.data->'jitter_ms'), mucstream_num(e.data->'packet_loss')) m
    WHERE e.type = 'p2p_session_stats'
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT r.domain, mucstream_hour(r.started), f.metric, f.value, count(*)
    FROM rollup_p2p_sessions r CROSS JOIN LATERAL mucstream_p2p_session_figures(r.accepted, r.ended, r.reason,
      r.outcome, r.samples, r.relayed, r.duration_seconds) f
    GROUP BY 1, 2, 3, 4;
  INSERT INTO rollup_p2p_figures_daily (domain, day, metric, vals, cum, value_sum)
    SELECT g.domain, g.day, g.metric, (g.c).vals, (g.c).cum, (g.c).value_sum
    FROM (SELECT domain, mucstream_day(hour) AS day, metric, mucstream_value_counts(array_agg(value), array_agg(n)) AS c
          FROM mucstream_figure_items GROUP BY 1, 2, 3) g
    ORDER BY 2, 1, 3;
  INSERT INTO rollup_p2p_figures_hourly (domain, hour, metric, vals, cum, value_sum)
    SELECT g.domain, g.hour, g.metric, (g.c).vals, (g.c).cum, (g.c).value_sum
    FROM (SELECT domain, hour, metric, mucstream_value_counts(array_agg(value), array_agg(n)) AS c
          FROM mucstream_figure_items GROUP BY 1, 2, 3) g
    ORDER BY 2, 1, 3;
  DROP TABLE mucstream_figure_items;
END $$;

-- 0019's rebuild, with the telemetry calls of every room's stored report state after the
-- Jingle sessions (`mucstreamd reports --recompute --all` rebuilds the states first).
CREATE OR REPLACE FUNCTION mucstream_recompute_call_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_p2p_sessions, rollup_media_sessions IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_p2p_sessions;
  INSERT INTO rollup_p2p_sessions (domain, room_id, sid, event_id, started, accepted, initiator, responder, ended,
                                   reason, samples, relayed, duration_seconds)
    SELECT domain, room_id, sid, event_id, started, accepted, initiator, responder, ended, reason, samples, relayed,
           duration_seconds
    FROM mucstream_p2p_session_facts ORDER BY started;
  INSERT INTO rollup_p2p_sessions (domain, room_id, sid, event_id, started, accepted, initiator, responder, ended,
                                   reason, samples, relayed, duration_seconds, source, outcome, media)
    SELECT * FROM mucstream_p2p_telemetry_facts ORDER BY started;

  DELETE FROM rollup_media_sessions;
  INSERT INTO rollup_media_sessions (domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
                                     screen_share_seconds, screen_shares, audio_open, video_open, screen_open)
    SELECT domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
           screen_share_seconds, screen_shares, audio_open, video_open, screen_open
    FROM mucstream_media_session_facts ORDER BY joined;
  PERFORM mucstream_recompute_p2p_figures();
  PERFORM mucstream_recompute_media_daily();
END $$;

-- 0004's p2p_sessions (which room_timeline reads) with the telemetry calls: no stats samples
-- (the clients' telemetry carries none), media as the clients reported it, ended by an event
-- (the removal or a party's leave) or by the room's end.
CREATE OR REPLACE VIEW p2p_sessions AS
  SELECT s.room_id, s.data->>'sid' AS sid, s.actor AS initiator, s.peer AS responder, true AS accepted,
         s.time AS started,
         coalesce(x.time, c.closed, now()) AS ended,
         CASE WHEN x.time IS NOT NULL THEN 'event' WHEN c.closed IS NOT NULL THEN 'session_end' ELSE 'open' END AS end_source,
         extract(epoch FROM coalesce(x.time, c.closed, now()) - s.time)::float8 AS duration_seconds,
         s.data->'media' AS media,
         x.reason,
         mucstream_p2p_outcome(x.reason, x.time IS NOT NULL, c.closed IS NOT NULL) AS outcome,
         q.samples, q.rtt_median_ms, q.rtt_p95_ms, q.jitter_mean_ms, q.packet_loss_mean, q.packet_loss_p95,
         q.bitrate_in_mean, q.bitrate_out_mean, coalesce(q.relayed, false) AS relayed
  FROM events s
  LEFT JOIN LATERAL (
    SELECT e.time, e.data->>'reason' AS reason FROM events e
    WHERE e.room_id = s.room_id AND e.data->>'sid' = s.data->>'sid' AND e.type = 'p2p_session_ended'
      AND e.time >= s.time
    ORDER BY e.time LIMIT 1) x ON true
  LEFT JOIN users ui ON ui.sessionid = s.actor
  LEFT JOIN users ur ON ur.sessionid = s.peer
  LEFT JOIN rooms r ON r.id = s.room_id
  CROSS JOIN LATERAL (SELECT coalesce(least(ui.ended, ur.ended), r.ended) AS closed) c
  CROSS JOIN LATERAL (
    SELECT count(*) AS samples,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY st.rtt_ms) AS rtt_median_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY st.rtt_ms) AS rtt_p95_ms,
           avg(st.jitter_ms) AS jitter_mean_ms,
           avg(st.packet_loss) AS packet_loss_mean,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY st.packet_loss) AS packet_loss_p95,
           avg(st.bitrate_in) AS bitrate_in_mean, avg(st.bitrate_out) AS bitrate_out_mean,
           bool_or(st.relayed) AS relayed
    FROM p2p_stats_samples st
    WHERE st.room_id = s.room_id AND st.time >= s.time AND st.time <= coalesce(x.time, c.closed, 'infinity')
      AND st.sid = s.data->>'sid') q
  WHERE s.type = 'p2p_session_started'
UNION ALL
  SELECT e.room_id, e.data->>'sid', e.actor, e.peer, false, e.time, e.time, 'event', 0::float8, NULL::jsonb,
         e.data->>'reason', 'failed', 0::bigint, NULL::float8, NULL::float8, NULL::float8, NULL::float8,
         NULL::float8, NULL::float8, NULL::float8, false
  FROM events e
  WHERE e.type = 'p2p_session_ended'
    AND NOT EXISTS (SELECT FROM events s
                    WHERE s.room_id = e.room_id AND s.type = 'p2p_session_started' AND s.time <= e.time
                      AND s.data->>'sid' = e.data->>'sid')
UNION ALL
  SELECT t.room_id, t.sid, t.initiator, t.responder, true, t.started, coalesce(t.ended, now()),
         CASE WHEN t.ended IS NULL THEN 'open' WHEN t.reason = 'room_destroyed' THEN 'room_end' ELSE 'event' END,
         coalesce(t.duration_seconds, extract(epoch FROM now() - t.started)::float8), t.media, t.reason,
         coalesce(t.outcome, 'ongoing'), 0::bigint, NULL::float8, NULL::float8, NULL::float8, NULL::float8,
         NULL::float8, NULL::float8, NULL::float8, false
  FROM rollup_p2p_sessions t
  WHERE t.source = 'telemetry';

-- Analysts read rollup_p2p_sessions already; the facts read report states, which hold bare
-- JIDs (0013 gives analysts the reports without them): closed to them like 0015's facts.
GRANT EXECUTE ON FUNCTION mucstream_uuid_or_null(text), mucstream_ms_time(bigint),
  mucstream_p2p_session_figures(boolean, timestamptz, text, text, bigint, boolean, float8) TO analyst;
REVOKE ALL ON mucstream_p2p_telemetry_facts FROM analyst;

-- The telemetry calls already folded into stored reports.
SELECT mucstream_refresh_p2p_telemetry(array_agg(id)) FROM rooms WHERE report_state IS NOT NULL;
