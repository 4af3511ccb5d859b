-- P2P quality from one row per (domain, day or hour, metric) (GET /v1/analytics/p2p,
-- docs/benchmarks.md). 0015 kept a row per distinct stats value per day and per hour: 90 days
-- of 10M events read 115k rows (and the hourly table was about one row per sample, so it
-- cost the write path what the samples did), and the sessions' counts and duration p95 were
-- aggregated from every session of the period (93k rows, ~100 ms of the request).
--
-- Here each row holds a metric's distinct values in ascending order with their cumulative
-- counts (`cum[i]`: how many of the row's items have a value <= vals[i]) and the sum of
-- value x count. Means and counts come from the sums and the last `cum`; percentiles stay
-- exact (mucstream_quantile below) and read only a band of values around the rank asked for,
-- found by binary search (width_bucket) in each row.
--
-- Metrics, per UTC day and per hour:
--   of the stats samples, by the sample's time: 'sample' (value 0: every sample), 'rtt_ms',
--     'jitter_ms', 'packet_loss' (the values that were numbers, as mucstream_num reads them);
--   of the P2P sessions whose row in rollup_p2p_sessions is final (an end event, or never
--     accepted), by their start: 'session' (value 0), 'completed', 'failed', 'interrupted'
--     (value 0: the outcome), 'with_stats', 'relayed' (value 0), 'duration' (the accepted
--     ones' durations, for their mean, p95 and total: a session never accepted lasted 0 s).
--     Sessions without an end event are read live, as p2p_session_outcomes does: whether
--     they are ongoing depends on users and rooms.
CREATE TYPE mucstream_value_counts AS (vals float8[], cum bigint[], value_sum float8);

CREATE TABLE rollup_p2p_figures_daily (
  domain    text     NOT NULL,
  day       date     NOT NULL,
  metric    text     NOT NULL,
  vals      float8[] NOT NULL,
  cum       bigint[] NOT NULL,
  value_sum float8   NOT NULL,
  PRIMARY KEY (domain, day, metric)
);
CREATE INDEX rollup_p2p_figures_daily_day ON rollup_p2p_figures_daily (day);

CREATE TABLE rollup_p2p_figures_hourly (
  domain    text        NOT NULL,
  hour      timestamptz NOT NULL,
  metric    text        NOT NULL,
  vals      float8[]    NOT NULL,
  cum       bigint[]    NOT NULL,
  value_sum float8      NOT NULL,
  PRIMARY KEY (domain, hour, metric)
);
CREATE INDEX rollup_p2p_figures_hourly_hour ON rollup_p2p_figures_hourly (hour);
-- A day's rtt values are ~40 KB, stored out of line: uncompressed, a reader that subscripts
-- them (mucstream_quantile) does not decompress them again and again (a 30-day read took
-- 56 ms with the default compression, 35 ms without; 10M events).
ALTER TABLE rollup_p2p_figures_daily ALTER COLUMN vals SET STORAGE EXTERNAL, ALTER COLUMN cum SET STORAGE EXTERNAL;
ALTER TABLE rollup_p2p_figures_hourly ALTER COLUMN vals SET STORAGE EXTERNAL, ALTER COLUMN cum SET STORAGE EXTERNAL;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rollup_p2p_figures_daily', 'rollup_p2p_figures_hourly'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant ON %I USING (nullif(current_setting('mucstream.tenant', true), '') IS NULL
                    OR domain = nullif(current_setting('mucstream.tenant', true), ''))$p$, t);
    EXECUTE format('CREATE POLICY tenant_reader ON %I AS RESTRICTIVE FOR SELECT TO mucstream_tenant_reader'
                   ' USING (domain = (SELECT nullif(current_setting(''mucstream.tenant'', true), '''')))', t);
  END LOOP;
END $$;

-- Values with how many items had each (in any order, repeated, negative counts to take
-- items away) as one sorted row; values whose count comes to 0 are left out. The sum runs in
-- value order, so the same items give the same bits however they arrived.
CREATE FUNCTION mucstream_value_counts(vals float8[], ns bigint[]) RETURNS mucstream_value_counts
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(v ORDER BY v), '{}'), coalesce(array_agg(c ORDER BY v), '{}'),
         coalesce(sum(v * n ORDER BY v), 0)
  FROM (SELECT v, n, sum(n) OVER (ORDER BY v) AS c
        FROM (SELECT u.v, sum(u.n)::bigint AS n FROM unnest(vals, ns) AS u(v, n) GROUP BY u.v HAVING sum(u.n) <> 0) g) w
$$;

-- The counts of a row back from its cumulative counts.
CREATE FUNCTION mucstream_counts_of(cum bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(u.c - coalesce(cum[u.i - 1], 0) ORDER BY u.i), '{}')
  FROM unnest(cum) WITH ORDINALITY AS u(c, i)
$$;

-- Two rows as one (b's counts added to a's).
CREATE FUNCTION mucstream_value_counts_merge(a_vals float8[], a_cum bigint[], b_vals float8[], b_cum bigint[])
RETURNS mucstream_value_counts
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT mucstream_value_counts(a_vals || b_vals, mucstream_counts_of(a_cum) || mucstream_counts_of(b_cum))
$$;

-- The q-quantile of every item of the rows, as percentile_cont(q) over the items gives it
-- (mucstream_lerp of 0015 between the ranks floor and ceil of q * (N - 1)); NULL without items.
-- The two items it needs lie between L, the least of the rows' own values at rank
-- floor(q * (n - 1)), and U, the greatest at rank ceil(q * (n - 1)): fewer than
-- floor(q * (N - 1)) + 1 items are below L (each row has at most floor(q * (n - 1)) below its
-- own), and likewise above U. So only each row's values in (L, U] are read, with the count of
-- its items <= L from `cum`. Rows of similar days give a narrow band; rows that differ widely
-- give a wide one, at worst every value, which is what reading them all would cost anyway.
-- The ranks per row are taken one wider each way so that rounding of q * (n - 1) cannot
-- narrow the band.
CREATE FUNCTION mucstream_quantile(r mucstream_value_counts[], q float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH x AS (SELECT u.vals, u.cum, u.cum[cardinality(u.cum)] AS n FROM unnest(r) u WHERE cardinality(u.cum) > 0),
  t AS (SELECT sum(x.n)::float8 AS total,
               min(x.vals[width_bucket(greatest(floor(q * (x.n - 1))::bigint - 1, 0), x.cum) + 1]) AS lo,
               max(x.vals[width_bucket(least(ceil(q * (x.n - 1))::bigint + 1, x.n - 1), x.cum) + 1]) AS hi
        FROM x),
  s AS (SELECT x.vals, x.cum, width_bucket(t.lo, x.vals) AS jl, width_bucket(t.hi, x.vals) AS jh FROM x, t),
  b AS (SELECT coalesce(sum(s.cum[s.jl]), 0) AS below FROM s),
  h AS (SELECT s.vals[i] AS v, sum(s.cum[i] - coalesce(s.cum[i - 1], 0)) AS n
        FROM s CROSS JOIN LATERAL generate_series(s.jl + 1, s.jh) i GROUP BY 1),
  c AS (SELECT h.v, b.below + sum(h.n) OVER (ORDER BY h.v) AS cum FROM h, b),
  p AS (SELECT t.lo, b.below, q * (t.total - 1) AS pos FROM t, b)
  SELECT mucstream_lerp(
    CASE WHEN floor(p.pos) < p.below THEN p.lo ELSE (SELECT min(c.v) FROM c WHERE c.cum > floor(p.pos)) END,
    CASE WHEN ceil(p.pos) < p.below THEN p.lo ELSE (SELECT min(c.v) FROM c WHERE c.cum > ceil(p.pos)) END,
    p.pos)
  FROM p
$$;

-- What one final session row of rollup_p2p_sessions adds (the metrics above); nothing for
-- one without an end event.
CREATE FUNCTION mucstream_p2p_session_figures(accepted boolean, ended timestamptz, reason text, samples bigint,
                                              relayed boolean, duration_seconds float8)
RETURNS TABLE (metric text, value float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT m, v FROM (VALUES
    ('session', 0::float8, true),
    (CASE WHEN accepted THEN mucstream_p2p_outcome(reason, true, true) ELSE 'failed' END, 0, true),
    ('with_stats', 0, samples > 0),
    ('relayed', 0, relayed),
    ('duration', duration_seconds, accepted)) x(m, v, keep)
  WHERE ended IS NOT NULL AND keep
$$;

-- Adds items (domain, time, metric, value, count; counts may be negative) to the day and hour
-- rows of their times. Rows in key order (two writers of the same rows lock them in the same
-- order); ON CONFLICT merges into the row as committed, so concurrent writers both count. A
-- row left without items goes.
CREATE FUNCTION mucstream_p2p_figures_add(domains text[], times timestamptz[], metrics text[], item_values float8[],
                                          item_counts bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_p2p_figures_daily AS r (domain, day, metric, vals, cum, value_sum)
    SELECT g.domain, g.day, g.metric, (g.c).vals, (g.c).cum, (g.c).value_sum
    FROM (SELECT u.domain, mucstream_day(u.t) AS day, u.metric, mucstream_value_counts(array_agg(u.v), array_agg(u.n)) AS c
          FROM unnest(domains, times, metrics, item_values, item_counts) AS u(domain, t, metric, v, n) GROUP BY 1, 2, 3) g
    ORDER BY 1, 2, 3
    ON CONFLICT (domain, day, metric) DO UPDATE SET (vals, cum, value_sum) =
      (SELECT m.vals, m.cum, m.value_sum FROM mucstream_value_counts_merge(r.vals, r.cum, excluded.vals, excluded.cum) m);
  INSERT INTO rollup_p2p_figures_hourly AS r (domain, hour, metric, vals, cum, value_sum)
    SELECT g.domain, g.hour, g.metric, (g.c).vals, (g.c).cum, (g.c).value_sum
    FROM (SELECT u.domain, mucstream_hour(u.t) AS hour, u.metric, mucstream_value_counts(array_agg(u.v), array_agg(u.n)) AS c
          FROM unnest(domains, times, metrics, item_values, item_counts) AS u(domain, t, metric, v, n) GROUP BY 1, 2, 3) g
    ORDER BY 1, 2, 3
    ON CONFLICT (domain, hour, metric) DO UPDATE SET (vals, cum, value_sum) =
      (SELECT m.vals, m.cum, m.value_sum FROM mucstream_value_counts_merge(r.vals, r.cum, excluded.vals, excluded.cum) m);
  -- only taking items away empties a row (the session rows' trigger below)
  IF EXISTS (SELECT FROM unnest(item_counts) n WHERE n < 0) THEN
    DELETE FROM rollup_p2p_figures_daily r USING unnest(domains, times, metrics) AS u(domain, t, metric)
     WHERE r.domain = u.domain AND r.day = mucstream_day(u.t) AND r.metric = u.metric AND cardinality(r.vals) = 0;
    DELETE FROM rollup_p2p_figures_hourly r USING unnest(domains, times, metrics) AS u(domain, t, metric)
     WHERE r.domain = u.domain AND r.hour = mucstream_hour(u.t) AND r.metric = u.metric AND cardinality(r.vals) = 0;
  END IF;
END $$;

-- The session metrics follow rollup_p2p_sessions, whoever writes it (the materialiser's
-- recomputation of a touched session, its added samples, a forget): what the statement's old
-- rows added is taken away, what its new rows add is added; a change that moves no figure
-- (most added samples) writes nothing.
CREATE FUNCTION mucstream_p2p_sessions_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM mucstream_p2p_figures_add(array_agg(s.domain), array_agg(s.started), array_agg(f.metric),
                                      array_agg(f.value), array_agg(1::bigint))
    FROM new_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.samples,
                                                                       s.relayed, s.duration_seconds) f
    HAVING count(*) > 0;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM mucstream_p2p_figures_add(array_agg(s.domain), array_agg(s.started), array_agg(f.metric),
                                      array_agg(f.value), array_agg(-1::bigint))
    FROM old_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.samples,
                                                                       s.relayed, s.duration_seconds) f
    HAVING count(*) > 0;
  ELSE
    PERFORM mucstream_p2p_figures_add(array_agg(d.domain), array_agg(d.started), array_agg(d.metric),
                                      array_agg(d.value), array_agg(d.n))
    FROM (SELECT x.domain, x.started, x.metric, x.value, sum(x.n)::bigint AS n FROM (
            SELECT s.domain, s.started, f.metric, f.value, 1 AS n
            FROM new_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.samples,
                                                                               s.relayed, s.duration_seconds) f
            UNION ALL
            SELECT s.domain, s.started, f.metric, f.value, -1
            FROM old_rows s CROSS JOIN LATERAL mucstream_p2p_session_figures(s.accepted, s.ended, s.reason, s.samples,
                                                                               s.relayed, s.duration_seconds) f) x
          GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0) d
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER rollup_p2p_sessions_figures_insert AFTER INSERT ON rollup_p2p_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_p2p_sessions_figures();
CREATE TRIGGER rollup_p2p_sessions_figures_delete AFTER DELETE ON rollup_p2p_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_p2p_sessions_figures();
CREATE TRIGGER rollup_p2p_sessions_figures_update AFTER UPDATE ON rollup_p2p_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mucstream_p2p_sessions_figures();

-- A period's rows of one metric set: whole days [D0, D1) from the daily rows, the whole hours
-- before and after them from the hourly ones (the same bounds as 0015's readers).
CREATE FUNCTION mucstream_p2p_figure_rows(since timestamptz, until timestamptz)
RETURNS TABLE (metric text, vals float8[], cum bigint[], value_sum float8)
LANGUAGE sql STABLE AS $$
  SELECT r.metric, r.vals, r.cum, r.value_sum FROM rollup_p2p_figures_daily r
  WHERE r.day >= mucstream_day(mucstream_day_ceil(since)) AND r.day < mucstream_day(mucstream_day_start(until))
  UNION ALL
  SELECT r.metric, r.vals, r.cum, r.value_sum FROM rollup_p2p_figures_hourly r
  WHERE r.hour >= mucstream_hour_ceil(since) AND r.hour < least(mucstream_day_ceil(since), mucstream_hour(until))
  UNION ALL
  SELECT r.metric, r.vals, r.cum, r.value_sum FROM rollup_p2p_figures_hourly r
  WHERE r.hour >= greatest(mucstream_day_start(until), mucstream_day_ceil(since)) AND r.hour < mucstream_hour(until)
$$;

-- A period's stats samples (of every room), same columns and answers as 0015's: the rows
-- above, and for the partial hour at each end the samples themselves (through
-- p2p_stats_samples: analysts call this too, and may not read events.data).
CREATE OR REPLACE FUNCTION mucstream_p2p_sample_figures(since timestamptz, until timestamptz)
RETURNS TABLE (samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  WITH v AS (
    SELECT f.metric, f.vals, f.cum, f.value_sum FROM mucstream_p2p_figure_rows(since, until) f
    WHERE f.metric IN ('sample', 'rtt_ms', 'jitter_ms', 'packet_loss')
    UNION ALL
    SELECT e.metric, (e.c).vals, (e.c).cum, (e.c).value_sum FROM (
      SELECT m.metric, mucstream_value_counts(array_agg(m.value), array_agg(1::bigint)) AS c
      FROM p2p_stats_samples st CROSS JOIN LATERAL mucstream_p2p_values(st.rtt_ms, st.jitter_ms, st.packet_loss) m
      WHERE st.time >= since AND st.time < least(mucstream_hour_ceil(since), until)
      GROUP BY m.metric
      UNION ALL
      SELECT m.metric, mucstream_value_counts(array_agg(m.value), array_agg(1::bigint)) AS c
      FROM p2p_stats_samples st CROSS JOIN LATERAL mucstream_p2p_values(st.rtt_ms, st.jitter_ms, st.packet_loss) m
      WHERE st.time >= greatest(mucstream_hour(until), mucstream_hour_ceil(since)) AND st.time < until
      GROUP BY m.metric) e),
  f AS (SELECT v.metric, sum(v.cum[cardinality(v.cum)])::float8 AS total, sum(v.value_sum) AS s,
               array_agg(row(v.vals, v.cum, v.value_sum)::mucstream_value_counts) AS r
        FROM v GROUP BY v.metric)
  SELECT coalesce((SELECT total FROM f WHERE metric = 'sample'), 0)::bigint,
         (SELECT mucstream_quantile(r, 0.5) FROM f WHERE metric = 'rtt_ms'),
         (SELECT mucstream_quantile(r, 0.95) FROM f WHERE metric = 'rtt_ms'),
         (SELECT s / total FROM f WHERE metric = 'jitter_ms'),
         (SELECT s / total FROM f WHERE metric = 'packet_loss'),
         (SELECT mucstream_quantile(r, 0.95) FROM f WHERE metric = 'packet_loss')
$$;

-- The sessions of p2p_session_outcomes without an end event (its second branch), as a view
-- of their own so that a reader of only these walks rollup_p2p_sessions_open alone.
CREATE VIEW p2p_open_session_outcomes AS
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
  CROSS JOIN LATERAL (SELECT coalesce(least(ui.ended, ur.ended), rm.ended) AS closed) c
  LEFT JOIN LATERAL (
    SELECT count(*) AS samples, coalesce(bool_or(mucstream_relayed(st.data)), false) AS relayed
    FROM events st
    WHERE st.room_id = r.room_id AND st.data->>'sid' = r.sid AND st.type = 'p2p_session_stats'
      AND st.time >= r.started AND st.time <= c.closed) l ON c.closed IS NOT NULL
  WHERE r.ended IS NULL;

-- Every room's P2P quality (0004's p2p_quality, same columns and answers) from the rows above:
-- final sessions of whole hours from them, of the partial hour at each end from
-- rollup_p2p_sessions, sessions without an end event from p2p_session_outcomes (live).
CREATE FUNCTION p2p_quality_of_all(since timestamptz, until timestamptz)
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
    -- final sessions of the partial hours, and every session without an end event, as items
    SELECT e.metric, (e.c).vals, (e.c).cum, (e.c).value_sum FROM (
      SELECT x.metric, mucstream_value_counts(array_agg(x.value), array_agg(1::bigint)) AS c FROM (
        SELECT f.metric, f.value FROM rollup_p2p_sessions r
          CROSS JOIN LATERAL mucstream_p2p_session_figures(r.accepted, r.ended, r.reason, r.samples, r.relayed,
                                                           r.duration_seconds) f
        WHERE r.ended IS NOT NULL
          AND ((r.started >= since AND r.started < least(mucstream_hour_ceil(since), until))
            OR (r.started >= greatest(mucstream_hour(until), mucstream_hour_ceil(since)) AND r.started < until))
        UNION ALL
        SELECT f.metric, f.value FROM p2p_open_session_outcomes p
          CROSS JOIN LATERAL (VALUES ('session', 0::float8, true), (p.outcome, 0, true), ('with_stats', 0, p.samples > 0),
                                     ('relayed', 0, p.relayed), ('duration', p.duration_seconds, p.accepted)) f(metric, value, keep)
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

-- One room's P2P quality: its sessions from rollup_p2p_sessions (through its room index), its
-- samples from its events. 0015 read the sessions from p2p_sessions, whose pairing of every
-- P2P event of the room cost more to plan (~8 ms) than to run.
CREATE FUNCTION p2p_quality_of_room(since timestamptz, until timestamptz, room uuid)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  WITH s AS (SELECT * FROM p2p_session_outcomes p
             WHERE p.room_id = room AND p.started >= since AND p.started < until),
       q AS (SELECT * FROM p2p_stats_samples st
             WHERE st.room_id = room AND st.time >= since AND st.time < until)
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

-- The function analysts call (0004's signature): one of the two above. The API calls the one
-- it needs by name, so the planner never plans the other.
CREATE OR REPLACE FUNCTION p2p_quality(since timestamptz, until timestamptz, room uuid DEFAULT NULL)
RETURNS TABLE (sessions bigint, completed bigint, failed bigint, interrupted bigint, ongoing bigint,
               with_stats bigint, relayed bigint, relayed_share float8,
               duration_mean_seconds float8, duration_p95_seconds float8, duration_total_seconds float8,
               samples bigint, rtt_median_ms float8, rtt_p95_ms float8, jitter_mean_ms float8,
               packet_loss_mean float8, packet_loss_p95 float8)
LANGUAGE sql STABLE AS $$
  SELECT * FROM p2p_quality_of_room(p2p_quality.since, p2p_quality.until, p2p_quality.room)
  WHERE p2p_quality.room IS NOT NULL
  UNION ALL
  SELECT * FROM p2p_quality_of_all(p2p_quality.since, p2p_quality.until)
  WHERE p2p_quality.room IS NULL
$$;

-- 0015's tables of one row per distinct value, replaced by the rows above.
DROP TABLE rollup_p2p_values_daily, rollup_p2p_values_hourly;

-- Every row of the two tables again: the samples' metrics from events, the sessions' from
-- rollup_p2p_sessions (so after it). Beside a live materialiser as the other rebuilds: its
-- batch waits for the table locks, then merges what it stored on top.
CREATE FUNCTION mucstream_recompute_p2p_figures() RETURNS void
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
      r.samples, r.relayed, r.duration_seconds) f
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

-- 0015's rebuild without the dropped tables (rollup_p2p_sessions' trigger keeps the figures
-- while it runs; mucstream_recompute_p2p_figures then makes them again from scratch).
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
END $$;

-- GET /v1/analytics/media reads the media rows with an interval still open (a handful) apart
-- from the rest: without an index of their own that read walked every row of the table
-- (6.5 ms of a 30-day request on 10M events, for no row).
CREATE INDEX rollup_media_sessions_open ON rollup_media_sessions (joined)
  WHERE coalesce(audio_open, video_open, screen_open) IS NOT NULL;

GRANT SELECT ON rollup_p2p_figures_daily, rollup_p2p_figures_hourly, p2p_open_session_outcomes TO analyst;
GRANT EXECUTE ON FUNCTION mucstream_value_counts(float8[], bigint[]), mucstream_counts_of(bigint[]),
  mucstream_value_counts_merge(float8[], bigint[], float8[], bigint[]), mucstream_quantile(mucstream_value_counts[], float8),
  mucstream_p2p_session_figures(boolean, timestamptz, text, bigint, boolean, float8),
  mucstream_p2p_figure_rows(timestamptz, timestamptz), p2p_quality_of_all(timestamptz, timestamptz),
  p2p_quality_of_room(timestamptz, timestamptz, uuid) TO analyst;
GRANT USAGE ON TYPE mucstream_value_counts TO analyst;

SELECT mucstream_recompute_p2p_figures();
