-- Rollups: small tables the materialiser keeps in the transaction that stores the events
-- they summarise, so long-range analytics read a few hundred rows instead of millions of
-- events (docs/api.md, "Rollups"). Each batch adds only what it changed: the events it
-- stored new, the rooms and sessions rows it created or ended (a redelivered event adds
-- nothing, a batch that fails adds nothing). mucstream_recompute_rollups() rebuilds every
-- rollup from the base tables with the same definitions; `mucstreamd reports --recompute
-- --all` runs it, and so does this migration for the rows already stored.
--
-- Times are bucketed in UTC. Hours are timestamptz (the hour's start), days are dates.

-- Events per hour and type (events per day, the summary's messages, P2P sessions started).
CREATE TABLE rollup_events_hourly (
  hour   timestamptz NOT NULL,
  type   text        NOT NULL,
  events bigint      NOT NULL,
  PRIMARY KEY (hour, type)
);

-- Rooms and occupant sessions created and ended per day (by the day of created, of ended).
-- Rooms open at the start of a day = all created before it minus all ended before it.
CREATE TABLE rollup_daily (
  day              date   PRIMARY KEY,
  rooms_created    bigint NOT NULL DEFAULT 0,
  rooms_ended      bigint NOT NULL DEFAULT 0,
  sessions_created bigint NOT NULL DEFAULT 0,
  sessions_ended   bigint NOT NULL DEFAULT 0
);

-- Sessions created per day and client ('unknown' where the client did not say).
CREATE TABLE rollup_sessions_daily (
  day      date   NOT NULL,
  type     text   NOT NULL,
  os       text   NOT NULL,
  browser  text   NOT NULL,
  sessions bigint NOT NULL,
  PRIMARY KEY (day, type, os, browser)
);

-- Per room: its lifetime, occupants now (sessions not ended) and the most at once. The
-- peak is the running sum of +1 per session's created and -1 per ended, in time order
-- with a leave before a join at the same instant (as the summary's sweep counts).
CREATE TABLE rollup_rooms (
  room_id        uuid        PRIMARY KEY,
  created        timestamptz NOT NULL,
  ended          timestamptz,
  occupants      bigint      NOT NULL DEFAULT 0,
  peak_occupants bigint      NOT NULL DEFAULT 0
);
CREATE INDEX rollup_rooms_created ON rollup_rooms (created);

-- P2P quality per hour: stats samples taken in it (sums and counts of the numbers that
-- were numbers, as mucstream_num reads them), P2P sessions ended in it and how many failed.
CREATE TABLE rollup_p2p_hourly (
  hour            timestamptz PRIMARY KEY,
  samples         bigint NOT NULL DEFAULT 0,
  relayed_samples bigint NOT NULL DEFAULT 0,
  rtt_sum         float8 NOT NULL DEFAULT 0,
  rtt_n           bigint NOT NULL DEFAULT 0,
  jitter_sum      float8 NOT NULL DEFAULT 0,
  jitter_n        bigint NOT NULL DEFAULT 0,
  loss_sum        float8 NOT NULL DEFAULT 0,
  loss_n          bigint NOT NULL DEFAULT 0,
  ended           bigint NOT NULL DEFAULT 0,
  failed          bigint NOT NULL DEFAULT 0
);

-- Sessions still present (the overview's "now", /metrics): without it, a count over every
-- session ever.
CREATE INDEX users_open ON users (room_id) WHERE ended IS NULL;

CREATE FUNCTION mucstream_hour(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timezone('UTC', date_trunc('hour', timezone('UTC', t))) $$;

CREATE FUNCTION mucstream_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timezone('UTC', t)::date $$;

-- What one P2P event adds to rollup_p2p_hourly: the one definition the materialiser
-- (sql/rollups.cpp) and the rebuild below both use.
CREATE FUNCTION mucstream_p2p_contribution(t timestamptz, type text, data jsonb,
  OUT hour timestamptz, OUT samples bigint, OUT relayed bigint, OUT rtt_sum float8, OUT rtt_n bigint,
  OUT jitter_sum float8, OUT jitter_n bigint, OUT loss_sum float8, OUT loss_n bigint, OUT ended bigint, OUT failed bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT mucstream_hour(t),
         (type = 'p2p_session_stats')::int::bigint,
         (type = 'p2p_session_stats' AND coalesce(data->>'local_candidate_type' = 'relay'
                                                  OR data->>'remote_candidate_type' = 'relay', false))::int::bigint,
         CASE WHEN type = 'p2p_session_stats' THEN coalesce(mucstream_num(data->'rtt_ms'), 0) ELSE 0 END,
         (type = 'p2p_session_stats' AND mucstream_num(data->'rtt_ms') IS NOT NULL)::int::bigint,
         CASE WHEN type = 'p2p_session_stats' THEN coalesce(mucstream_num(data->'jitter_ms'), 0) ELSE 0 END,
         (type = 'p2p_session_stats' AND mucstream_num(data->'jitter_ms') IS NOT NULL)::int::bigint,
         CASE WHEN type = 'p2p_session_stats' THEN coalesce(mucstream_num(data->'packet_loss'), 0) ELSE 0 END,
         (type = 'p2p_session_stats' AND mucstream_num(data->'packet_loss') IS NOT NULL)::int::bigint,
         (type = 'p2p_session_ended')::int::bigint,
         (type = 'p2p_session_ended' AND mucstream_p2p_outcome(data->>'reason', true, true) = 'failed')::int::bigint
$$;

-- Rebuilds every rollup from events, rooms and users. The lock makes a materialiser's
-- rollup update wait until the rebuild commits, and its events (not yet visible to the
-- rebuild) are then added on top: running it beside a live materialiser loses nothing.
CREATE FUNCTION mucstream_recompute_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_events_hourly, rollup_daily, rollup_sessions_daily, rollup_rooms, rollup_p2p_hourly
    IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_events_hourly;
  INSERT INTO rollup_events_hourly (hour, type, events)
    SELECT mucstream_hour(time), type, count(*) FROM events GROUP BY 1, 2;

  DELETE FROM rollup_daily;
  INSERT INTO rollup_daily (day, rooms_created, rooms_ended, sessions_created, sessions_ended)
    SELECT day, sum(rc), sum(re), sum(sc), sum(se) FROM (
      SELECT mucstream_day(created) AS day, 1 AS rc, 0 AS re, 0 AS sc, 0 AS se FROM rooms
      UNION ALL SELECT mucstream_day(ended), 0, 1, 0, 0 FROM rooms WHERE ended IS NOT NULL
      UNION ALL SELECT mucstream_day(created), 0, 0, 1, 0 FROM users
      UNION ALL SELECT mucstream_day(ended), 0, 0, 0, 1 FROM users WHERE ended IS NOT NULL) x
    GROUP BY day;

  DELETE FROM rollup_sessions_daily;
  INSERT INTO rollup_sessions_daily (day, type, os, browser, sessions)
    SELECT mucstream_day(created), coalesce(type, 'unknown'), coalesce(os, 'unknown'), coalesce(browser, 'unknown'), count(*)
    FROM users GROUP BY 1, 2, 3, 4;

  DELETE FROM rollup_rooms;
  INSERT INTO rollup_rooms (room_id, created, ended, occupants, peak_occupants)
    SELECT r.id, r.created, r.ended, coalesce(p.open, 0), greatest(coalesce(p.peak, 0), 0)
    FROM rooms r LEFT JOIN (
      SELECT room_id, sum(d) AS open, max(run) AS peak FROM (
        SELECT room_id, d, sum(d) OVER (PARTITION BY room_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS run
        FROM (SELECT room_id, created AS t, 1 AS d FROM users
              UNION ALL SELECT room_id, ended, -1 FROM users WHERE ended IS NOT NULL) e) w
      GROUP BY room_id) p ON p.room_id = r.id;

  DELETE FROM rollup_p2p_hourly;
  INSERT INTO rollup_p2p_hourly
    SELECT hour, sum(samples), sum(relayed), sum(rtt_sum), sum(rtt_n), sum(jitter_sum), sum(jitter_n),
           sum(loss_sum), sum(loss_n), sum(ended), sum(failed)
    FROM events e CROSS JOIN LATERAL mucstream_p2p_contribution(e.time, e.type, e.data) c
    WHERE e.type IN ('p2p_session_stats', 'p2p_session_ended')
    GROUP BY hour;
END $$;

GRANT EXECUTE ON FUNCTION mucstream_hour(timestamptz), mucstream_day(timestamptz) TO analyst;
SELECT mucstream_recompute_rollups();
