-- Least privilege for analysts (docs/operations.md, "Data lifecycle and privacy"):
--   analyst          reads the analytics without message bodies, real JIDs, user agents or
--                    password hashes;
--   analyst_content  (a member of analyst) reads those too: grant it only to who must.
-- Tables get column grants (a query naming a withheld column is refused); the views analysts
-- use keep their columns and show NULL in the withheld ones to a caller that is a member of
-- analyst and not of analyst_content (mucstream_may_read_personal). Views read their tables
-- with their owner's rights, but current_user inside them is the caller, so one view serves
-- the service's own role (the API: everything), content readers (everything) and analysts.
-- A pseudonym is not offered instead: a function analysts could call to make one would let
-- them test guessed JIDs against it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analyst_content') THEN
    CREATE ROLE analyst_content NOLOGIN;
  END IF;
END $$;
GRANT analyst TO analyst_content;

-- Superusers are members of every role: they read everything.
CREATE FUNCTION mucstream_may_read_personal() RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT pg_has_role('analyst_content', 'MEMBER') OR NOT pg_has_role('analyst', 'MEMBER') $$;

-- v without the given keys, at any depth (bodies and JIDs nested in reports).
CREATE FUNCTION mucstream_without_keys(v jsonb, keys text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r jsonb;
BEGIN
  CASE jsonb_typeof(v)
  WHEN 'object' THEN
    SELECT coalesce(jsonb_object_agg(key, mucstream_without_keys(value, keys)), '{}'::jsonb)
      INTO r FROM jsonb_each(v) WHERE NOT key = ANY(keys);
    RETURN r;
  WHEN 'array' THEN
    SELECT coalesce(jsonb_agg(mucstream_without_keys(value, keys) ORDER BY ord), '[]'::jsonb)
      INTO r FROM jsonb_array_elements(v) WITH ORDINALITY AS t(value, ord);
    RETURN r;
  ELSE
    RETURN v;
  END CASE;
END $$;

-- events: every column but data; events_analytics is events with data less what names a
-- person or holds a body (top-level keys as docs/events.md lists them, and the client's
-- user agent). New partitions are not readable by analysts either (they would bypass the
-- column grant): the partition function revokes them as it creates them.
REVOKE SELECT ON events FROM analyst;
GRANT SELECT (id, time, type, room, room_id, seq, actor, peer) ON events TO analyst;
DO $$
DECLARE
  p text;
BEGIN
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'events'::regclass LOOP
    EXECUTE format('REVOKE ALL ON %I FROM analyst', p);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION mucstream_ensure_event_partition(t timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('month', t AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  name text := 'events_' || to_char(t AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN; END IF;
  -- Two materialisers may race for a new month: serialise creation.
  PERFORM pg_advisory_xact_lock(hashtext('mucstream_event_partitions'));
  IF to_regclass(name) IS NOT NULL THEN RETURN; END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
  -- Analysts read events through the parent's column grant only (0013).
  EXECUTE format('REVOKE ALL ON %I FROM analyst', name);
END $$;

CREATE VIEW events_analytics AS
  SELECT id, time, type, room, room_id, seq, actor, peer,
         CASE WHEN mucstream_may_read_personal() THEN data
              ELSE data - ARRAY['payload', 'jid', 'bare_jid', 'creator', 'by', 'invitee', 'inviter', 'decliner',
                                'useragent'] #- '{client,useragent}' END AS data
  FROM events;

-- users: no bare JID (userid), full JID or user agent.
REVOKE SELECT ON users FROM analyst;
GRANT SELECT (sessionid, room_id, nick, role, affiliation, occupant_id, type, os, browser, created, ended, ended_reason)
  ON users TO analyst;

-- rooms: no creator (a bare JID) and no report or report state (they name participants by
-- bare JID): room_reports serves the reports without them.
REVOKE SELECT ON rooms FROM analyst;
GRANT SELECT (id, name, jid, created, ended, ended_reason, persistent, locked, config, last_seq, last_event, event_count)
  ON rooms TO analyst;
CREATE VIEW room_reports AS
  SELECT id AS room_id, jid, created, ended,
         CASE WHEN mucstream_may_read_personal() THEN reports ELSE mucstream_without_keys(reports, ARRAY['userid']) END
           AS reports
  FROM rooms;

-- The archive holds bodies and real JIDs: content readers only.
REVOKE ALL ON archive FROM analyst;

-- The views that show a bare JID or a body: the same columns, NULL for analysts.
CREATE OR REPLACE VIEW messages AS
  SELECT id, time, room, room_id, seq, actor AS sessionid, data->>'nick' AS nick,
         data->>'occupant_id' AS occupant_id,
         CASE WHEN mucstream_may_read_personal() THEN data->>'payload' END AS payload
  FROM events WHERE type = 'message_sent';

CREATE OR REPLACE VIEW session_summary AS
  SELECT sessionid, CASE WHEN mucstream_may_read_personal() THEN userid END AS userid, room_id, nick, type, os,
         browser, created, ended, ended_reason,
         extract(epoch FROM coalesce(ended, now()) - created) AS duration_seconds
  FROM users;

CREATE OR REPLACE VIEW room_timeline AS
  SELECT u.room_id, 'present'::text AS kind, u.sessionid AS session, u.nick, NULL::uuid AS peer, NULL::text AS peer_nick,
         u.created AS started, coalesce(u.ended, r.ended, now()) AS ended,
         CASE WHEN u.ended IS NOT NULL THEN 'event' WHEN r.ended IS NOT NULL THEN 'room_end' ELSE 'open' END AS end_source,
         extract(epoch FROM coalesce(u.ended, r.ended, now()) - u.created)::float8 AS duration_seconds,
         jsonb_strip_nulls(jsonb_build_object(
           'userid', CASE WHEN p.may THEN u.userid END, 'type', u.type, 'os', u.os, 'browser', u.browser,
           'useragent', CASE WHEN p.may THEN u.useragent END, 'reason', u.ended_reason)) AS detail
  FROM users u LEFT JOIN rooms r ON r.id = u.room_id
  CROSS JOIN (SELECT mucstream_may_read_personal() AS may) p
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

CREATE OR REPLACE VIEW media_usage AS
  SELECT u.sessionid AS session, u.room_id, CASE WHEN mucstream_may_read_personal() THEN u.userid END AS userid,
         u.nick, u.type, u.created AS joined, u.ended AS left_at,
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

GRANT SELECT ON events_analytics, room_reports, messages, session_summary, room_timeline, media_usage TO analyst;
GRANT EXECUTE ON FUNCTION mucstream_may_read_personal(), mucstream_without_keys(jsonb, text[]) TO analyst;

-- analyst_content: everything analysts had before, and what this migration withheld; never
-- the service's own tables (password hashes, snapshots, the pseudonym salt, bookkeeping).
GRANT USAGE ON SCHEMA public TO analyst_content;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst_content;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO analyst_content;
REVOKE ALL ON schema_migrations, room_secrets, room_snapshots, privacy_salt, retention_progress FROM analyst_content;
