-- Tenants (docs/operations.md, "Tenants"): a tenant is a MUC domain (rooms.acme.example).
-- Every row of rooms, users, events, archive and the rollups carries its room's domain, and
-- row-level security limits a transaction that names a tenant to that domain's rows:
--
--   SELECT set_config('mucstream.tenant', 'rooms.acme.example', true);  -- '' or unset: every tenant
--
-- The API's tenant-scoped reads (a token with a tenant claim) set it, and also the role the
-- policies apply to and the search path of the views below (sql/pg_read_pool.hpp), because
-- row-level security is passed by:
--   * superusers and the tables' owner (the service's own role): the API's unscoped reads
--     run as that role and pay nothing for the policies; a scoped read first becomes
--     mucstream_tenant_reader (SET LOCAL ROLE), which owns nothing and is not a superuser;
--   * views, which read their tables with their owner's rights: the scoped read finds
--     invoker-rights copies of every view first (schema mucstream_tenant, kept by
--     mucstream_refresh_tenant_views(), which the migrator runs after every migration so a
--     view added or changed later gets its copy);
--   * SECURITY DEFINER functions: mucstream defines none (a test checks).

-- The domain of a bare room JID: what follows the '@'.
-- events, rooms and archive hold the room JID: the column follows from it, always.
ALTER TABLE events ADD COLUMN domain text GENERATED ALWAYS AS (split_part(room, '@', 2)) STORED;
ALTER TABLE rooms ADD COLUMN domain text GENERATED ALWAYS AS (split_part(jid, '@', 2)) STORED;
ALTER TABLE archive ADD COLUMN domain text GENERATED ALWAYS AS (split_part(room, '@', 2)) STORED;

-- users hold the room's id only: the materialiser writes the joined room's domain, and a row
-- inserted without one (by hand, a bulk load) takes its room's.
ALTER TABLE users ADD COLUMN domain text;
UPDATE users u SET domain = r.domain FROM rooms r WHERE r.id = u.room_id;
UPDATE users u SET domain = (SELECT split_part(e.room, '@', 2) FROM events e WHERE e.room_id = u.room_id LIMIT 1)
  WHERE u.domain IS NULL;
CREATE FUNCTION mucstream_users_domain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.domain := (SELECT domain FROM rooms WHERE id = NEW.room_id);
  RETURN NEW;
END $$;
-- WHEN: the materialiser's inserts carry the domain and never call the function.
CREATE TRIGGER users_domain BEFORE INSERT ON users FOR EACH ROW WHEN (NEW.domain IS NULL)
  EXECUTE FUNCTION mucstream_users_domain();

-- Analysts read the domain like the other non-personal columns (0013).
GRANT SELECT (domain) ON events, rooms, users TO analyst;

-- Rollups: the domain is part of every key, so a tenant's figures are its own rows' sums
-- and the unscoped figures the sums over every domain.
ALTER TABLE rollup_events_hourly ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE rollup_events_hourly DROP CONSTRAINT rollup_events_hourly_pkey;
ALTER TABLE rollup_events_hourly ADD PRIMARY KEY (hour, domain, type);
ALTER TABLE rollup_daily ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE rollup_daily DROP CONSTRAINT rollup_daily_pkey;
ALTER TABLE rollup_daily ADD PRIMARY KEY (day, domain);
ALTER TABLE rollup_sessions_daily ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE rollup_sessions_daily DROP CONSTRAINT rollup_sessions_daily_pkey;
ALTER TABLE rollup_sessions_daily ADD PRIMARY KEY (day, domain, type, os, browser);
ALTER TABLE rollup_rooms ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE rollup_p2p_hourly ADD COLUMN domain text NOT NULL DEFAULT '';
ALTER TABLE rollup_p2p_hourly DROP CONSTRAINT rollup_p2p_hourly_pkey;
ALTER TABLE rollup_p2p_hourly ADD PRIMARY KEY (hour, domain);
-- Writers name the domain: a statement that forgets it fails instead of filing rows under ''.
ALTER TABLE rollup_events_hourly ALTER COLUMN domain DROP DEFAULT;
ALTER TABLE rollup_daily ALTER COLUMN domain DROP DEFAULT;
ALTER TABLE rollup_sessions_daily ALTER COLUMN domain DROP DEFAULT;
ALTER TABLE rollup_rooms ALTER COLUMN domain DROP DEFAULT;
ALTER TABLE rollup_p2p_hourly ALTER COLUMN domain DROP DEFAULT;

-- The rebuild of 0011 with the domain in every key (the same definitions otherwise).
CREATE OR REPLACE FUNCTION mucstream_recompute_rollups() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE rollup_events_hourly, rollup_daily, rollup_sessions_daily, rollup_rooms, rollup_p2p_hourly
    IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM rollup_events_hourly;
  INSERT INTO rollup_events_hourly (hour, domain, type, events)
    SELECT mucstream_hour(time), domain, type, count(*) FROM events GROUP BY 1, 2, 3;

  DELETE FROM rollup_daily;
  INSERT INTO rollup_daily (day, domain, rooms_created, rooms_ended, sessions_created, sessions_ended)
    SELECT day, domain, sum(rc), sum(re), sum(sc), sum(se) FROM (
      SELECT mucstream_day(created) AS day, domain, 1 AS rc, 0 AS re, 0 AS sc, 0 AS se FROM rooms
      UNION ALL SELECT mucstream_day(ended), domain, 0, 1, 0, 0 FROM rooms WHERE ended IS NOT NULL
      UNION ALL SELECT mucstream_day(created), coalesce(domain, ''), 0, 0, 1, 0 FROM users
      UNION ALL SELECT mucstream_day(ended), coalesce(domain, ''), 0, 0, 0, 1 FROM users WHERE ended IS NOT NULL) x
    GROUP BY day, domain;

  DELETE FROM rollup_sessions_daily;
  INSERT INTO rollup_sessions_daily (day, domain, type, os, browser, sessions)
    SELECT mucstream_day(created), coalesce(domain, ''), coalesce(type, 'unknown'), coalesce(os, 'unknown'),
           coalesce(browser, 'unknown'), count(*)
    FROM users GROUP BY 1, 2, 3, 4, 5;

  DELETE FROM rollup_rooms;
  INSERT INTO rollup_rooms (room_id, domain, created, ended, occupants, peak_occupants)
    SELECT r.id, r.domain, r.created, r.ended, coalesce(p.open, 0), greatest(coalesce(p.peak, 0), 0)
    FROM rooms r LEFT JOIN (
      SELECT room_id, sum(d) AS open, max(run) AS peak FROM (
        SELECT room_id, d, sum(d) OVER (PARTITION BY room_id ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS run
        FROM (SELECT room_id, created AS t, 1 AS d FROM users
              UNION ALL SELECT room_id, ended, -1 FROM users WHERE ended IS NOT NULL) e) w
      GROUP BY room_id) p ON p.room_id = r.id;

  DELETE FROM rollup_p2p_hourly;
  INSERT INTO rollup_p2p_hourly (hour, domain, samples, relayed_samples, rtt_sum, rtt_n, jitter_sum, jitter_n,
                                 loss_sum, loss_n, ended, failed)
    SELECT hour, e.domain, sum(samples), sum(relayed), sum(rtt_sum), sum(rtt_n), sum(jitter_sum), sum(jitter_n),
           sum(loss_sum), sum(loss_n), sum(ended), sum(failed)
    FROM events e CROSS JOIN LATERAL mucstream_p2p_contribution(e.time, e.type, e.data) c
    WHERE e.type IN ('p2p_session_stats', 'p2p_session_ended')
    GROUP BY hour, e.domain;
END $$;
SELECT mucstream_recompute_rollups();

-- The policy, on every table that carries a domain. Not FORCEd: the owner's reads (the
-- service's unscoped reads, the materialiser's writes) are not filtered and pay nothing.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'rooms', 'users', 'archive', 'rollup_events_hourly', 'rollup_daily',
                           'rollup_sessions_daily', 'rollup_rooms', 'rollup_p2p_hourly'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I USING (nullif(current_setting(''mucstream.tenant'', true), '''') IS NULL'
                   ' OR domain = nullif(current_setting(''mucstream.tenant'', true), ''''))', t);
  END LOOP;
END $$;

-- The role a tenant-scoped read runs as: it logs in as nobody, bypasses no policy and reads
-- what the API reads (not the secrets, snapshots, salt or bookkeeping). The migrating role
-- (the service's, which the API connects as) may become it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mucstream_tenant_reader') THEN
    CREATE ROLE mucstream_tenant_reader NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
GRANT mucstream_tenant_reader TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO mucstream_tenant_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO mucstream_tenant_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO mucstream_tenant_reader;
REVOKE ALL ON schema_migrations, room_secrets, room_snapshots, privacy_salt, retention_progress
  FROM mucstream_tenant_reader;

-- Invoker-rights copies of every view of public, in schema mucstream_tenant, for the scoped
-- reads. Each copy is the view's own definition (pg_get_viewdef), created after the copies
-- of the views it reads, with mucstream_tenant first on the search path so that it reads
-- those copies and never an owner-rights view. Rebuilt whole on each call.
CREATE SCHEMA IF NOT EXISTS mucstream_tenant;
GRANT USAGE ON SCHEMA mucstream_tenant TO mucstream_tenant_reader;

CREATE FUNCTION mucstream_refresh_tenant_views() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  saved text := current_setting('search_path');
  v record;
  n int;
BEGIN
  FOR v IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'mucstream_tenant'::regnamespace AND c.relkind = 'v'
  LOOP
    EXECUTE format('DROP VIEW IF EXISTS mucstream_tenant.%I CASCADE', v.relname);
  END LOOP;
  -- Deparsed with public alone on the path, so names of public objects come out unqualified.
  PERFORM set_config('search_path', 'public', true);
  CREATE TEMP TABLE mucstream_tenant_views ON COMMIT DROP AS
    SELECT c.oid, c.relname, pg_get_viewdef(c.oid) AS def, false AS done
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
      AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid
                      AND x.deptype = 'e');  -- an extension's views (pg_stat_statements) are its own
  -- The owner-rights originals are closed to the reader: a view without its copy fails a
  -- scoped read instead of showing it every tenant.
  FOR v IN SELECT relname FROM mucstream_tenant_views LOOP
    EXECUTE format('REVOKE ALL ON public.%I FROM mucstream_tenant_reader', v.relname);
  END LOOP;
  PERFORM set_config('search_path', 'mucstream_tenant, public', true);
  LOOP
    -- A view whose every view dependency has its copy already.
    SELECT t.oid, t.relname, t.def INTO v FROM mucstream_tenant_views t
    WHERE NOT t.done AND NOT EXISTS (
      SELECT FROM pg_rewrite rw JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
      JOIN mucstream_tenant_views u ON u.oid = d.refobjid
      WHERE rw.ev_class = t.oid AND u.oid <> t.oid AND NOT u.done)
    ORDER BY t.relname LIMIT 1;
    EXIT WHEN NOT FOUND;
    EXECUTE format('CREATE VIEW mucstream_tenant.%I WITH (security_invoker = true) AS %s', v.relname, v.def);
    UPDATE mucstream_tenant_views SET done = true WHERE oid = v.oid;
  END LOOP;
  SELECT count(*) INTO n FROM mucstream_tenant_views WHERE NOT done;
  IF n > 0 THEN
    RAISE EXCEPTION 'mucstream_refresh_tenant_views: % views depend on each other in a cycle', n;
  END IF;
  DROP TABLE mucstream_tenant_views;
  GRANT SELECT ON ALL TABLES IN SCHEMA mucstream_tenant TO mucstream_tenant_reader;
  PERFORM set_config('search_path', saved, true);
END $$;
SELECT mucstream_refresh_tenant_views();
