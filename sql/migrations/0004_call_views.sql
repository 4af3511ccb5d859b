-- Views for calls and media (the room timeline, P2P quality and media usage), over the
-- call events (docs/events.md):
--   p2p_session_started  actor = initiator, peer = responder; data {sid, media}
--   p2p_session_ended    data {sid, reason, duration_ms}
--   p2p_session_stats    actor = reporting session; data {sid, rtt_ms, jitter_ms,
--                        packet_loss (fraction 0..1), bitrate_in, bitrate_out, fps,
--                        resolution, local_candidate_type, remote_candidate_type (host|srflx|prflx|relay)}
--   audio_paused / audio_resumed, video_paused / video_resumed,
--   screencapture_started / screencapture_ended     actor = the session
--
-- Intervals pair a start event with the first matching end event after it. When the end
-- event is missing, the interval is closed by the end of the session concerned (its
-- users.ended: a leave, kick, ban or the room's destruction; for a P2P session the first of
-- its two sessions to end), else by the room's end, else by now() — still running.
-- `end_source` says which: 'event' | 'session_end' | 'room_end' | 'open'.
--
-- Every view keeps room_id (and the start time) as plain columns of the table they come
-- from and pairs events with LATERAL look-ups rather than window functions, so a
-- `WHERE room_id = …` or `WHERE started >= …` on a view reaches the index of the base
-- table (window functions would block that push-down and read every call event ever).

-- The look-ups, both partial like events_messages: call and media events are a small share
-- of all events, and message inserts would otherwise pay for more index entries. Created on
-- the partitioned parent, so every monthly partition (present and future) gets its own.
--   events_calls:   a room's events of one type (in time order); for pauses and screen
--                   shares also of one session, so "the first resume of this session after
--                   its pause" is one index probe, not a scan of the room's later events.
--   events_p2p_sid: the start, stats and end of one P2P session (room + Jingle sid).
CREATE INDEX events_calls ON events (room_id, type, actor, time)
  WHERE type IN ('p2p_session_started', 'p2p_session_ended', 'p2p_session_stats',
                 'audio_paused', 'audio_resumed', 'video_paused', 'video_resumed',
                 'screencapture_started', 'screencapture_ended');
CREATE INDEX events_p2p_sid ON events (room_id, (data->>'sid'), time)
  WHERE type IN ('p2p_session_started', 'p2p_session_ended', 'p2p_session_stats');

-- A JSON number as float8, NULL for anything else (a malformed sample must not make a
-- whole report fail on a cast error).
CREATE FUNCTION mucstream_num(v jsonb) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN v::text::float8 END $$;

-- What a P2P session's end means, from its reason (the Jingle <reason/> condition of a
-- session-terminate, or left / room_destroyed / shutdown when the service ended it):
--   completed    success, gone, cancel, or no reason given
--   interrupted  a party left (left, kicked, banned, room_destroyed, shutdown) or the
--                connection broke (connectivity-error); also a session whose end event
--                is missing once one of its sessions ended
--   failed       any other reason (failed-transport, failed-application, media-error,
--                timeout, general-error, security-error, decline, busy, …), and a
--                session that ended without ever being accepted (no p2p_session_started)
--   ongoing      no end yet and both sessions still present
CREATE FUNCTION mucstream_p2p_outcome(reason text, has_end_event boolean, closed boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN NOT has_end_event THEN CASE WHEN closed THEN 'interrupted' ELSE 'ongoing' END
    WHEN coalesce(reason, '') IN ('', 'success', 'gone', 'cancel') THEN 'completed'
    WHEN reason IN ('left', 'kicked', 'banned', 'room_destroyed', 'shutdown', 'connectivity-error') THEN 'interrupted'
    ELSE 'failed'
  END
$$;

-- One row per p2p_session_stats sample. Filter on time (or room_id): indexed.
CREATE VIEW p2p_stats_samples AS
  SELECT e.id, e.time, e.room_id, e.data->>'sid' AS sid, e.actor AS session, e.peer,
         mucstream_num(e.data->'rtt_ms') AS rtt_ms,
         mucstream_num(e.data->'jitter_ms') AS jitter_ms,
         mucstream_num(e.data->'packet_loss') AS packet_loss,
         mucstream_num(e.data->'bitrate_in') AS bitrate_in,
         mucstream_num(e.data->'bitrate_out') AS bitrate_out,
         mucstream_num(e.data->'fps') AS fps,
         e.data->>'resolution' AS resolution,
         e.data->>'local_candidate_type' AS local_candidate,
         e.data->>'remote_candidate_type' AS remote_candidate,
         coalesce(e.data->>'local_candidate_type' = 'relay' OR e.data->>'remote_candidate_type' = 'relay', false) AS relayed
  FROM events e
  WHERE e.type = 'p2p_session_stats';

-- One row per P2P session, with its quality from the stats samples taken between its
-- start and its end. `started` is the p2p_session_started time (filter on it: indexed);
-- a session ended without being accepted has started = ended and accepted = false.
-- relayed: any sample of the session had a relay candidate (local or remote).
CREATE VIEW p2p_sessions AS
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
  -- Ended, never accepted: a terminate for a sid that was never started.
  SELECT e.room_id, e.data->>'sid', e.actor, e.peer, false, e.time, e.time, 'event', 0::float8, NULL::jsonb,
         e.data->>'reason', 'failed', 0::bigint, NULL::float8, NULL::float8, NULL::float8, NULL::float8,
         NULL::float8, NULL::float8, NULL::float8, false
  FROM events e
  WHERE e.type = 'p2p_session_ended'
    AND NOT EXISTS (SELECT FROM events s
                    WHERE s.room_id = e.room_id AND s.type = 'p2p_session_started' AND s.time <= e.time
                      AND s.data->>'sid' = e.data->>'sid');

-- Paused audio, paused video and screen shares as intervals, one row per start event.
-- The core emits these only on change, so pauses and resumes of a session alternate.
CREATE VIEW media_intervals AS
  SELECT p.room_id, p.actor AS session,
         CASE p.type WHEN 'screencapture_started' THEN 'screen_share' ELSE p.type END AS kind,
         p.time AS started,
         coalesce(x.time, c.closed, now()) AS ended,
         CASE WHEN x.time IS NOT NULL THEN 'event' WHEN c.closed IS NOT NULL THEN 'session_end' ELSE 'open' END AS end_source,
         extract(epoch FROM coalesce(x.time, c.closed, now()) - p.time)::float8 AS duration_seconds
  FROM events p
  LEFT JOIN LATERAL (
    SELECT e.time FROM events e
    WHERE e.room_id = p.room_id
      AND e.type IN ('audio_resumed', 'video_resumed', 'screencapture_ended')
      AND e.type = CASE p.type WHEN 'audio_paused' THEN 'audio_resumed' WHEN 'video_paused' THEN 'video_resumed'
                               ELSE 'screencapture_ended' END
      AND e.actor = p.actor AND e.time >= p.time AND e.seq > p.seq
    ORDER BY e.time LIMIT 1) x ON true
  LEFT JOIN users u ON u.sessionid = p.actor
  LEFT JOIN rooms r ON r.id = p.room_id
  CROSS JOIN LATERAL (SELECT coalesce(u.ended, r.ended) AS closed) c
  WHERE p.type IN ('audio_paused', 'video_paused', 'screencapture_started');

-- Who was in a room when, with what media state and which calls: one row per interval.
--   kind 'present'                      a session from join to leave (detail: client info, leave reason)
--   kind 'audio_paused'|'video_paused'  a session's paused period
--   kind 'screen_share'                 a session sharing its screen
--   kind 'p2p'                          a P2P session: session = initiator, peer = responder
--                                       (detail: sid, media, reason, outcome, rtt, relayed)
-- nick is the nick at join. Query it with WHERE room_id = … (indexed) ORDER BY started.
CREATE VIEW room_timeline AS
  SELECT u.room_id, 'present'::text AS kind, u.sessionid AS session, u.nick, NULL::uuid AS peer, NULL::text AS peer_nick,
         u.created AS started, coalesce(u.ended, r.ended, now()) AS ended,
         CASE WHEN u.ended IS NOT NULL THEN 'event' WHEN r.ended IS NOT NULL THEN 'room_end' ELSE 'open' END AS end_source,
         extract(epoch FROM coalesce(u.ended, r.ended, now()) - u.created)::float8 AS duration_seconds,
         jsonb_strip_nulls(jsonb_build_object('userid', u.userid, 'type', u.type, 'os', u.os, 'browser', u.browser,
                                              'useragent', u.useragent, 'reason', u.ended_reason)) AS detail
  FROM users u LEFT JOIN rooms r ON r.id = u.room_id
UNION ALL
  SELECT m.room_id, m.kind, m.session, u.nick, NULL::uuid, NULL::text, m.started, m.ended, m.end_source,
         m.duration_seconds, '{}'::jsonb
  FROM media_intervals m LEFT JOIN users u ON u.sessionid = m.session
UNION ALL
  SELECT p.room_id, 'p2p', p.initiator, ui.nick, p.responder, ur.nick, p.started, p.ended, p.end_source,
         p.duration_seconds,
         jsonb_strip_nulls(jsonb_build_object('sid', p.sid, 'media', p.media, 'reason', p.reason, 'outcome', p.outcome,
                                              'accepted', p.accepted, 'samples', p.samples,
                                              'rtt_median_ms', p.rtt_median_ms, 'relayed', p.relayed))
  FROM p2p_sessions p
  LEFT JOIN users ui ON ui.sessionid = p.initiator
  LEFT JOIN users ur ON ur.sessionid = p.responder;

-- Time paused and sharing per occupant session (the sums of its media_intervals), with
-- how long it was present. Filter on joined (users.created, indexed) or room_id.
CREATE VIEW media_usage AS
  SELECT u.sessionid AS session, u.room_id, u.userid, u.nick, u.type, u.created AS joined, u.ended AS left_at,
         extract(epoch FROM coalesce(u.ended, r.ended, now()) - u.created)::float8 AS present_seconds,
         coalesce(m.audio_paused_seconds, 0) AS audio_paused_seconds,
         coalesce(m.video_paused_seconds, 0) AS video_paused_seconds,
         coalesce(m.screen_share_seconds, 0) AS screen_share_seconds,
         coalesce(m.screen_shares, 0) AS screen_shares
  FROM users u
  LEFT JOIN rooms r ON r.id = u.room_id
  LEFT JOIN LATERAL (
    SELECT sum(mi.duration_seconds) FILTER (WHERE mi.kind = 'audio_paused') AS audio_paused_seconds,
           sum(mi.duration_seconds) FILTER (WHERE mi.kind = 'video_paused') AS video_paused_seconds,
           sum(mi.duration_seconds) FILTER (WHERE mi.kind = 'screen_share') AS screen_share_seconds,
           count(*) FILTER (WHERE mi.kind = 'screen_share') AS screen_shares
    FROM media_intervals mi WHERE mi.room_id = u.room_id AND mi.session = u.sessionid) m ON true;

-- room_summary (0003) plus each room's calls. Filter on created (indexed).
CREATE VIEW room_calls AS
  SELECT rs.*, c.p2p_sessions, c.p2p_failed, c.p2p_interrupted, c.call_seconds
  FROM room_summary rs
  CROSS JOIN LATERAL (
    SELECT count(*) AS p2p_sessions,
           count(*) FILTER (WHERE p.outcome = 'failed') AS p2p_failed,
           count(*) FILTER (WHERE p.outcome = 'interrupted') AS p2p_interrupted,
           coalesce(sum(p.duration_seconds), 0) AS call_seconds
    FROM p2p_sessions p WHERE p.room_id = rs.room_id) c;

-- A period's P2P quality, the figures GET /v1/analytics/p2p serves: sessions started in
-- [since, until) (of one room when room is given) by outcome, relayed share of those that
-- reported stats, durations; rtt, jitter and loss over the stats samples taken in the period.
CREATE FUNCTION p2p_quality(since timestamptz, until timestamptz, room uuid DEFAULT NULL)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  WITH s AS (SELECT * FROM p2p_sessions p
             WHERE p.started >= p2p_quality.since AND p.started < p2p_quality.until
               AND (p2p_quality.room IS NULL OR p.room_id = p2p_quality.room)),
       q AS (SELECT * FROM p2p_stats_samples st
             WHERE st.time >= p2p_quality.since AND st.time < p2p_quality.until
               AND (p2p_quality.room IS NULL OR st.room_id = p2p_quality.room))
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

-- Analysts read all of this (0002's default privileges already cover new views; said
-- again here so the grant does not depend on who ran the migration).
GRANT SELECT ON p2p_stats_samples, p2p_sessions, media_intervals, room_timeline, media_usage, room_calls TO analyst;
GRANT EXECUTE ON FUNCTION mucstream_num(jsonb), mucstream_p2p_outcome(text, boolean, boolean),
  p2p_quality(timestamptz, timestamptz, uuid) TO analyst;
