-- The totals of GET /v1/analytics/media (every room) from one row per (domain, UTC day)
-- (docs/benchmarks.md). They read every session of the period: its count and time present
-- from users, its media sums from rollup_media_sessions (86k sessions for 30 days of 10M
-- events, about 40 ms of SQL that grows with the period).
--
-- A row holds, of the sessions that joined that day, what no longer changes:
--   of the users rows with an end (`ended`): their count and time present;
--   of the rollup_media_sessions rows with no interval open (and a `joined`): their paused,
--   shared seconds and shares, and how many had audio paused, video paused, a share.
-- Sessions without an end and media rows with an interval still open depend on rooms and on
-- now(): readers take them live, with the partial day at each end of the period. Sums are
-- numeric so that taking a row's contribution away gives back exactly what was there.
CREATE TABLE rollup_media_daily (
  domain                text    NOT NULL,
  day                   date    NOT NULL,
  sessions              bigint  NOT NULL DEFAULT 0,
  present_seconds       numeric NOT NULL DEFAULT 0,
  audio_paused_seconds  numeric NOT NULL DEFAULT 0,
  video_paused_seconds  numeric NOT NULL DEFAULT 0,
  screen_share_seconds  numeric NOT NULL DEFAULT 0,
  screen_shares         bigint  NOT NULL DEFAULT 0,
  sessions_audio_paused bigint  NOT NULL DEFAULT 0,
  sessions_video_paused bigint  NOT NULL DEFAULT 0,
  sessions_sharing      bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (domain, day)
);
CREATE INDEX rollup_media_daily_day ON rollup_media_daily (day);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rollup_media_daily'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant ON %I USING (nullif(current_setting('mucstream.tenant', true), '') IS NULL
                    OR domain = nullif(current_setting('mucstream.tenant', true), ''))$p$, t);
    EXECUTE format('CREATE POLICY tenant_reader ON %I AS RESTRICTIVE FOR SELECT TO mucstream_tenant_reader'
                   ' USING (domain = (SELECT nullif(current_setting(''mucstream.tenant'', true), '''')))', t);
  END LOOP;
END $$;

-- Adds the rows' figures (negative to take away) to the day rows, in key order (two writers
-- of the same rows lock them in the same order); ON CONFLICT adds to the row as committed. A
-- row left with nothing goes.
CREATE FUNCTION mucstream_media_daily_add(d jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_media_daily AS r (domain, day, sessions, present_seconds, audio_paused_seconds,
    video_paused_seconds, screen_share_seconds, screen_shares, sessions_audio_paused, sessions_video_paused,
    sessions_sharing)
    SELECT x.domain, x.day, sum(x.sessions), sum(x.present_seconds), sum(x.audio_paused_seconds),
           sum(x.video_paused_seconds), sum(x.screen_share_seconds), sum(x.screen_shares),
           sum(x.sessions_audio_paused), sum(x.sessions_video_paused), sum(x.sessions_sharing)
    FROM (SELECT x0.domain, x0.day, coalesce(x0.sessions, 0) AS sessions,
                 coalesce(x0.present_seconds, 0) AS present_seconds,
                 coalesce(x0.audio_paused_seconds, 0) AS audio_paused_seconds,
                 coalesce(x0.video_paused_seconds, 0) AS video_paused_seconds,
                 coalesce(x0.screen_share_seconds, 0) AS screen_share_seconds,
                 coalesce(x0.screen_shares, 0) AS screen_shares,
                 coalesce(x0.sessions_audio_paused, 0) AS sessions_audio_paused,
                 coalesce(x0.sessions_video_paused, 0) AS sessions_video_paused,
                 coalesce(x0.sessions_sharing, 0) AS sessions_sharing
          FROM jsonb_to_recordset(d) AS x0(domain text, day date, sessions bigint, present_seconds numeric,
            audio_paused_seconds numeric, video_paused_seconds numeric, screen_share_seconds numeric,
            screen_shares bigint, sessions_audio_paused bigint, sessions_video_paused bigint, sessions_sharing bigint)) x
    GROUP BY 1, 2
    HAVING sum(x.sessions) <> 0 OR sum(x.present_seconds) <> 0 OR sum(x.audio_paused_seconds) <> 0
        OR sum(x.video_paused_seconds) <> 0 OR sum(x.screen_share_seconds) <> 0 OR sum(x.screen_shares) <> 0
        OR sum(x.sessions_audio_paused) <> 0 OR sum(x.sessions_video_paused) <> 0 OR sum(x.sessions_sharing) <> 0
    ORDER BY 1, 2
    ON CONFLICT (domain, day) DO UPDATE SET
      sessions = r.sessions + excluded.sessions,
      present_seconds = r.present_seconds + excluded.present_seconds,
      audio_paused_seconds = r.audio_paused_seconds + excluded.audio_paused_seconds,
      video_paused_seconds = r.video_paused_seconds + excluded.video_paused_seconds,
      screen_share_seconds = r.screen_share_seconds + excluded.screen_share_seconds,
      screen_shares = r.screen_shares + excluded.screen_shares,
      sessions_audio_paused = r.sessions_audio_paused + excluded.sessions_audio_paused,
      sessions_video_paused = r.sessions_video_paused + excluded.sessions_video_paused,
      sessions_sharing = r.sessions_sharing + excluded.sessions_sharing;
  DELETE FROM rollup_media_daily r USING jsonb_to_recordset(d) AS x(domain text, day date)
   WHERE r.domain = x.domain AND r.day = x.day AND r.sessions = 0 AND r.present_seconds = 0
     AND r.audio_paused_seconds = 0 AND r.video_paused_seconds = 0 AND r.screen_share_seconds = 0
     AND r.screen_shares = 0 AND r.sessions_audio_paused = 0 AND r.sessions_video_paused = 0 AND r.sessions_sharing = 0;
END $$;

-- The figures of users rows with an end (a json array of rows; '[]' for NULL), sign +1 or -1.
CREATE FUNCTION mucstream_users_media_items(rows jsonb, sign int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('domain', coalesce(u.domain, ''), 'day', mucstream_day(u.created),
                                               'sessions', sign, 'present_seconds',
                                               sign * extract(epoch FROM u.ended - u.created))), '[]')
  FROM jsonb_to_recordset(rows) AS u(domain text, created timestamptz, ended timestamptz)
$$;

-- The figures of rollup_media_sessions rows with a join time and nothing open, likewise.
CREATE FUNCTION mucstream_media_session_items(rows jsonb, sign int) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('domain', m.domain, 'day', mucstream_day(m.joined),
    'audio_paused_seconds', sign * m.audio_paused_seconds::numeric,
    'video_paused_seconds', sign * m.video_paused_seconds::numeric,
    'screen_share_seconds', sign * m.screen_share_seconds::numeric,
    'screen_shares', sign * m.screen_shares,
    'sessions_audio_paused', sign * (m.audio_paused_seconds > 0)::int,
    'sessions_video_paused', sign * (m.video_paused_seconds > 0)::int,
    'sessions_sharing', sign * (m.screen_shares > 0)::int)), '[]')
  FROM jsonb_to_recordset(rows) AS m(domain text, joined timestamptz, audio_paused_seconds float8,
    video_paused_seconds float8, screen_share_seconds float8, screen_shares bigint)
$$;

-- The day rows follow users and rollup_media_sessions, whoever writes them (the
-- materialiser's batches, a recomputation, a forget, the retention's pseudonyms): what the
-- statement's old rows added is taken away, what its new rows add is added. Only the columns
-- the figures read are compared, so an update that moves none (a pseudonym, a role, a media
-- row still open) writes nothing.
CREATE FUNCTION mucstream_users_media_daily() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  added jsonb;
  taken jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(to_jsonb(n)) INTO added
    FROM (SELECT n.domain, n.created, n.ended FROM new_rows n WHERE n.ended IS NOT NULL) n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(to_jsonb(o)) INTO taken
    FROM (SELECT o.domain, o.created, o.ended FROM old_rows o WHERE o.ended IS NOT NULL) o;
  ELSE
    SELECT jsonb_agg(to_jsonb(n)) INTO added
    FROM (SELECT n.sessionid, n.domain, n.created, n.ended FROM new_rows n WHERE n.ended IS NOT NULL
          EXCEPT ALL SELECT o.sessionid, o.domain, o.created, o.ended FROM old_rows o WHERE o.ended IS NOT NULL) n;
    SELECT jsonb_agg(to_jsonb(o)) INTO taken
    FROM (SELECT o.sessionid, o.domain, o.created, o.ended FROM old_rows o WHERE o.ended IS NOT NULL
          EXCEPT ALL SELECT n.sessionid, n.domain, n.created, n.ended FROM new_rows n WHERE n.ended IS NOT NULL) o;
  END IF;
  IF added IS NOT NULL OR taken IS NOT NULL THEN
    PERFORM mucstream_media_daily_add(mucstream_users_media_items(added, 1) || mucstream_users_media_items(taken, -1));
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION mucstream_media_sessions_daily() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  added jsonb;
  taken jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(to_jsonb(n)) INTO added FROM (
      SELECT n.domain, n.joined, n.audio_paused_seconds, n.video_paused_seconds, n.screen_share_seconds, n.screen_shares
      FROM new_rows n WHERE n.joined IS NOT NULL AND n.audio_open IS NULL AND n.video_open IS NULL AND n.screen_open IS NULL) n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(to_jsonb(o)) INTO taken FROM (
      SELECT o.domain, o.joined, o.audio_paused_seconds, o.video_paused_seconds, o.screen_share_seconds, o.screen_shares
      FROM old_rows o WHERE o.joined IS NOT NULL AND o.audio_open IS NULL AND o.video_open IS NULL AND o.screen_open IS NULL) o;
  ELSE
    SELECT jsonb_agg(to_jsonb(n)) INTO added FROM (
      SELECT n.session, n.room_id, n.domain, n.joined, n.audio_paused_seconds, n.video_paused_seconds,
             n.screen_share_seconds, n.screen_shares
      FROM new_rows n WHERE n.joined IS NOT NULL AND n.audio_open IS NULL AND n.video_open IS NULL AND n.screen_open IS NULL
      EXCEPT ALL
      SELECT o.session, o.room_id, o.domain, o.joined, o.audio_paused_seconds, o.video_paused_seconds,
             o.screen_share_seconds, o.screen_shares
      FROM old_rows o WHERE o.joined IS NOT NULL AND o.audio_open IS NULL AND o.video_open IS NULL AND o.screen_open IS NULL) n;
    SELECT jsonb_agg(to_jsonb(o)) INTO taken FROM (
      SELECT o.session, o.room_id, o.domain, o.joined, o.audio_paused_seconds, o.video_paused_seconds,
             o.screen_share_seconds, o.screen_shares
      FROM old_rows o WHERE o.joined IS NOT NULL AND o.audio_open IS NULL AND o.video_open IS NULL AND o.screen_open IS NULL
      EXCEPT ALL
      SELECT n.session, n.room_id, n.domain, n.joined, n.audio_paused_seconds, n.video_paused_seconds,
             n.screen_share_seconds, n.screen_shares
      FROM new_rows n WHERE n.joined IS NOT NULL AND n.audio_open IS NULL AND n.video_open IS NULL AND n.screen_open IS NULL) o;
  END IF;
  IF added IS NOT NULL OR taken IS NOT NULL THEN
    PERFORM mucstream_media_daily_add(mucstream_media_session_items(added, 1) || mucstream_media_session_items(taken, -1));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER users_media_daily_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_users_media_daily();
CREATE TRIGGER users_media_daily_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_users_media_daily();
CREATE TRIGGER users_media_daily_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_users_media_daily();
CREATE TRIGGER rollup_media_sessions_daily_insert AFTER INSERT ON rollup_media_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_media_sessions_daily();
CREATE TRIGGER rollup_media_sessions_daily_delete AFTER DELETE ON rollup_media_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_media_sessions_daily();
CREATE TRIGGER rollup_media_sessions_daily_update AFTER UPDATE ON rollup_media_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_media_sessions_daily();

-- Every room's media totals (the totals of GET /v1/analytics/media without a room; same
-- answers as summing every session of the period): whole days from the day rows; the
-- partial day at each end, sessions without an end and media rows with an interval open
-- from users and rollup_media_sessions, an open interval finished at the session's or the
-- room's end (or now) as media_intervals does.
CREATE FUNCTION media_totals_of_all(since timestamptz, until timestamptz)
RETURNS TABLE (sessions bigint, present_seconds float8, audio_paused_seconds float8, video_paused_seconds float8,
               screen_share_seconds float8, screen_shares bigint, sessions_audio_paused bigint,
               sessions_video_paused bigint, sessions_sharing bigint)
LANGUAGE sql STABLE AS $$
  -- The bounds inline (not in a CTE) so that they are index conditions.
  WITH d AS (SELECT r.sessions, r.present_seconds, r.audio_paused_seconds AS audio, r.video_paused_seconds AS video,
                    r.screen_share_seconds AS screen, r.screen_shares, r.sessions_audio_paused AS s_audio,
                    r.sessions_video_paused AS s_video, r.sessions_sharing AS s_sharing
             FROM rollup_media_daily r
             WHERE r.day >= mucstream_day(mucstream_day_ceil(since)) AND r.day < mucstream_day(mucstream_day_start(until))),
  u AS (SELECT extract(epoch FROM u.ended - u.created) AS present FROM users u
        WHERE u.ended IS NOT NULL AND u.created >= since AND u.created < least(mucstream_day_ceil(since), until)
        UNION ALL
        SELECT extract(epoch FROM u.ended - u.created) FROM users u
        WHERE u.ended IS NOT NULL AND u.created >= greatest(mucstream_day_start(until), mucstream_day_ceil(since))
          AND u.created < until
        UNION ALL
        SELECT extract(epoch FROM coalesce((SELECT r.ended FROM rooms r WHERE r.id = u.room_id), now()) - u.created)
        FROM users u WHERE u.ended IS NULL AND u.created >= since AND u.created < until),
  m AS (SELECT m.audio_paused_seconds AS audio, m.video_paused_seconds AS video, m.screen_share_seconds AS screen,
               m.screen_shares
        FROM rollup_media_sessions m
        WHERE m.audio_open IS NULL AND m.video_open IS NULL AND m.screen_open IS NULL
          AND m.joined >= since AND m.joined < least(mucstream_day_ceil(since), until)
        UNION ALL
        SELECT m.audio_paused_seconds, m.video_paused_seconds, m.screen_share_seconds, m.screen_shares
        FROM rollup_media_sessions m
        WHERE m.audio_open IS NULL AND m.video_open IS NULL AND m.screen_open IS NULL
          AND m.joined >= greatest(mucstream_day_start(until), mucstream_day_ceil(since)) AND m.joined < until
        UNION ALL
        SELECT m.audio_paused_seconds + mucstream_open_seconds(m.audio_open, c.closed),
               m.video_paused_seconds + mucstream_open_seconds(m.video_open, c.closed),
               m.screen_share_seconds + mucstream_open_seconds(m.screen_open, c.closed), m.screen_shares
        FROM rollup_media_sessions m
        LEFT JOIN LATERAL (SELECT coalesce(u.ended, r.ended, now()) AS closed FROM users u
                           LEFT JOIN rooms r ON r.id = m.room_id WHERE u.sessionid = m.session) c ON true
        WHERE m.joined >= since AND m.joined < until AND coalesce(m.audio_open, m.video_open, m.screen_open) IS NOT NULL),
  t AS (SELECT sum(d.sessions) AS sessions, sum(d.present_seconds) AS present, sum(d.audio) AS audio,
               sum(d.video) AS video, sum(d.screen) AS screen, sum(d.screen_shares) AS shares,
               sum(d.s_audio) AS s_audio, sum(d.s_video) AS s_video, sum(d.s_sharing) AS s_sharing FROM d
        UNION ALL
        SELECT count(*), sum(u.present), 0, 0, 0, 0, 0, 0, 0 FROM u
        UNION ALL
        SELECT 0, 0, sum(m.audio::numeric), sum(m.video::numeric), sum(m.screen::numeric), sum(m.screen_shares),
               count(*) FILTER (WHERE m.audio > 0), count(*) FILTER (WHERE m.video > 0),
               count(*) FILTER (WHERE m.screen_shares > 0) FROM m)
  SELECT coalesce(sum(t.sessions), 0)::bigint, coalesce(sum(t.present), 0)::float8, coalesce(sum(t.audio), 0)::float8,
         coalesce(sum(t.video), 0)::float8, coalesce(sum(t.screen), 0)::float8, coalesce(sum(t.shares), 0)::bigint,
         coalesce(sum(t.s_audio), 0)::bigint, coalesce(sum(t.s_video), 0)::bigint, coalesce(sum(t.s_sharing), 0)::bigint
  FROM t
$$;

-- Every row of the table again, from users and rollup_media_sessions (so after those).
-- Beside a live materialiser as the other rebuilds: its batch waits for the table locks.
CREATE FUNCTION mucstream_recompute_media_daily() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE users, rollup_media_sessions, rollup_media_daily IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_media_daily;
  INSERT INTO rollup_media_daily (domain, day, sessions, present_seconds, audio_paused_seconds, video_paused_seconds,
                                  screen_share_seconds, screen_shares, sessions_audio_paused, sessions_video_paused,
                                  sessions_sharing)
    SELECT x.domain, x.day, sum(x.sessions), sum(x.present), sum(x.audio), sum(x.video), sum(x.screen), sum(x.shares),
           sum(x.s_audio), sum(x.s_video), sum(x.s_sharing)
    FROM (SELECT coalesce(u.domain, '') AS domain, mucstream_day(u.created) AS day, count(*) AS sessions,
                 sum(extract(epoch FROM u.ended - u.created)) AS present, 0 AS audio, 0 AS video, 0 AS screen,
                 0 AS shares, 0 AS s_audio, 0 AS s_video, 0 AS s_sharing
          FROM users u WHERE u.ended IS NOT NULL GROUP BY 1, 2
          UNION ALL
          SELECT m.domain, mucstream_day(m.joined), 0, 0, sum(m.audio_paused_seconds::numeric),
                 sum(m.video_paused_seconds::numeric), sum(m.screen_share_seconds::numeric), sum(m.screen_shares),
                 count(*) FILTER (WHERE m.audio_paused_seconds > 0), count(*) FILTER (WHERE m.video_paused_seconds > 0),
                 count(*) FILTER (WHERE m.screen_shares > 0)
          FROM rollup_media_sessions m
          WHERE m.joined IS NOT NULL AND m.audio_open IS NULL AND m.video_open IS NULL AND m.screen_open IS NULL
          GROUP BY 1, 2) x
    GROUP BY 1, 2 ORDER BY 2, 1;
END $$;

-- 0018's rebuild, then the day rows from scratch (the triggers kept them while it ran).
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

  DELETE FROM rollup_media_sessions;
  INSERT INTO rollup_media_sessions (domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
                                     screen_share_seconds, screen_shares, audio_open, video_open, screen_open)
    SELECT domain, session, room_id, joined, audio_paused_seconds, video_paused_seconds,
           screen_share_seconds, screen_shares, audio_open, video_open, screen_open
    FROM mucstream_media_session_facts ORDER BY joined;
  PERFORM mucstream_recompute_p2p_figures();
  PERFORM mucstream_recompute_media_daily();
END $$;

GRANT SELECT ON rollup_media_daily TO analyst;
GRANT EXECUTE ON FUNCTION media_totals_of_all(timestamptz, timestamptz) TO analyst;

SELECT mucstream_recompute_media_daily();
