-- Peak concurrency per hour (GET /v1/analytics/summary, docs/api.md "Rollups"). The summary's
-- peak is the highest number of sessions open at one instant of the period; over 30 days of
-- 10M events its sweep over every session edge was half of a 0.3-0.5 s summary
-- (docs/benchmarks.md). That maximum composes over hours if each hour keeps two figures:
--   delta: sessions that began in the hour minus those that ended in it;
--   peak:  the highest value of that running count at an instant of the hour, the hour's
--          first instant included (0 when nothing happens at it).
-- The count open at any instant of the period is then the count open just before the first
-- whole hour (from users), plus the deltas of the hours before, plus the running count in
-- the hour: the reader takes the partial hour at each end from users and the whole hours from
-- here (sql/pg_read_store.cpp), and gets exactly the sweep's answer.
--
-- Peaks of tenants do not add up, so every hour has a row per domain and a row for all
-- tenants together under domain '*' (no MUC domain is '*'). A session that ends at or before
-- the instant it began was open at no instant: its +1 and -1 fall on the same instant and
-- change no instant's count (mucstream_session_span of 0006 treats it as that instant too).
--
-- The materialiser recomputes, in the batch's transaction, the rows of every hour in which the
-- batch created or ended a session, from users as committed (so a redelivered batch, which
-- changes no users row, changes nothing, and a batch that fails changes nothing). An hour's row
-- depends on sessions other batches write: writers of one hour take a lock on it first, so
-- each computes after the other committed.
CREATE TABLE rollup_peak_hourly (
  domain text        NOT NULL,
  hour   timestamptz NOT NULL,
  delta  integer     NOT NULL,
  peak   integer     NOT NULL,
  PRIMARY KEY (domain, hour)
);

ALTER TABLE rollup_peak_hourly ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON rollup_peak_hourly USING (nullif(current_setting('mucstream.tenant', true), '') IS NULL
  OR domain = nullif(current_setting('mucstream.tenant', true), ''));

-- One hour of one domain ('*': every domain) from users: the instants' net changes in time
-- order, the running count from 0, its highest point (the hour's first instant counted).
CREATE FUNCTION mucstream_peak_of_hour(h timestamptz, dom text, OUT delta integer, OUT peak integer)
LANGUAGE sql STABLE AS $$
  WITH e AS (
    SELECT created AS t, 1 AS d FROM users
     WHERE created >= h AND created < h + interval '1 hour' AND (dom = '*' OR coalesce(domain, '') = dom)
    UNION ALL
    SELECT ended, -1 FROM users
     WHERE ended >= h AND ended < h + interval '1 hour' AND ended >= created AND (dom = '*' OR coalesce(domain, '') = dom)
    UNION ALL
    SELECT created, -1 FROM users
     WHERE created >= h AND created < h + interval '1 hour' AND ended < created AND (dom = '*' OR coalesce(domain, '') = dom)
    UNION ALL
    SELECT h, 0),
  i AS (SELECT t, sum(d) AS n FROM e GROUP BY t),
  r AS (SELECT n, sum(n) OVER (ORDER BY t) AS run FROM i)
  SELECT sum(n)::integer, max(run)::integer FROM r
$$;

-- The rows a change at these times in these domains moves: each time's hour in its domain
-- and in '*'.
CREATE FUNCTION mucstream_peak_keys(hours timestamptz[], domains text[])
RETURNS TABLE (domain text, hour timestamptz)
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(u.d, ''), mucstream_hour(u.h) FROM unnest(hours, domains) AS u(h, d) WHERE u.h IS NOT NULL
  UNION SELECT '*', mucstream_hour(x) FROM unnest(hours) x WHERE x IS NOT NULL
$$;

-- The rows of the given hours, for the given domains and for '*': locked hour by hour in time
-- order (two writers never wait on each other in a cycle), then computed again. In READ
-- COMMITTED each statement sees what was committed when it began, so the computation after
-- the lock sees every other writer of those hours that held it before. An hour with no
-- session edge keeps no row (a missing row reads as 0, 0).
CREATE FUNCTION mucstream_refresh_peak_hours(hours timestamptz[], domains text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  h timestamptz;
BEGIN
  FOR h IN SELECT DISTINCT mucstream_hour(x) FROM unnest(hours) x WHERE x IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('mucstream_peak_hourly'), (extract(epoch FROM h) / 3600)::integer);
  END LOOP;
  INSERT INTO rollup_peak_hourly (domain, hour, delta, peak)
    SELECT k.domain, k.hour, p.delta, p.peak FROM mucstream_peak_keys(hours, domains) k
    CROSS JOIN LATERAL mucstream_peak_of_hour(k.hour, k.domain) p
    ORDER BY 1, 2
    ON CONFLICT (domain, hour) DO UPDATE SET delta = excluded.delta, peak = excluded.peak;
  -- an hour left without any session edge (never by the materialiser's own changes) has no row
  DELETE FROM rollup_peak_hourly r USING mucstream_peak_keys(hours, domains) k
   WHERE r.domain = k.domain AND r.hour = k.hour AND r.delta = 0 AND r.peak = 0
     AND NOT EXISTS (SELECT FROM users u WHERE u.created >= k.hour AND u.created < k.hour + interval '1 hour'
                     AND (k.domain = '*' OR coalesce(u.domain, '') = k.domain))
     AND NOT EXISTS (SELECT FROM users u WHERE u.ended >= k.hour AND u.ended < k.hour + interval '1 hour'
                     AND (k.domain = '*' OR coalesce(u.domain, '') = k.domain));
END $$;

-- Every row again from users (the materialiser's definition, hour by hour); beside a live
-- materialiser as the other rebuilds: its batch waits for the table lock, then computes its
-- hours again on top.
CREATE FUNCTION mucstream_recompute_peak_rollup() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_peak_hourly IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_peak_hourly;
  INSERT INTO rollup_peak_hourly (domain, hour, delta, peak)
    WITH d AS (SELECT DISTINCT coalesce(domain, '') AS domain, mucstream_hour(created) AS hour FROM users
               UNION SELECT DISTINCT coalesce(domain, ''), mucstream_hour(ended) FROM users WHERE ended IS NOT NULL)
    SELECT k.domain, k.hour, p.delta, p.peak
    FROM (SELECT domain, hour FROM d UNION SELECT '*', hour FROM d) k
    CROSS JOIN LATERAL mucstream_peak_of_hour(k.hour, k.domain) p
    ORDER BY 1, 2;
END $$;

-- `mucstreamd reports --recompute --all` and the benchmark call mucstream_recompute_rollups():
-- it now rebuilds this one too.
CREATE OR REPLACE FUNCTION mucstream_recompute_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mucstream_recompute_base_rollups();
  PERFORM mucstream_recompute_call_rollups();
  PERFORM mucstream_recompute_peak_rollup();
END $$;

GRANT SELECT ON rollup_peak_hourly TO analyst;

SELECT mucstream_recompute_peak_rollup();
