-- Tenant-scoped reads that use indexes (docs/operations.md, "Tenants").
--
-- 0014's policy `tenant` is one expression for every role: "no tenant set, or this row's
-- domain". PostgreSQL cannot use an index for an OR whose first arm names no column, so a
-- scoped read filtered every row it walked, calling current_setting() twice per row: the
-- first page of /v1/events for a tenant with 1% of the events walked ~32,000 rows of the
-- others (235 ms on 1M events, where the same page unscoped takes under 1 ms).
--
-- A tenant token's reads run as mucstream_tenant_reader with mucstream.tenant set (always:
-- an empty tenant opens no scope). For that role alone a RESTRICTIVE policy adds
-- "domain = (the setting)", ANDed with `tenant`: the sub-SELECT is evaluated once per query
-- (an InitPlan), and an equality on `domain` can lead an index. With no tenant set it shows
-- nothing, which is the safe way to be wrong. Other roles (analysts who SET mucstream.tenant
-- themselves) keep `tenant` alone, as before.
DO $$
DECLARE
  t text;
BEGIN
  -- Every table that has the `tenant` policy (0014, 0015 and whatever came before this).
  FOR t IN SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
           WHERE p.polname = 'tenant' AND c.relnamespace = 'public'::regnamespace ORDER BY 1 LOOP
    EXECUTE format('CREATE POLICY tenant_reader ON %I AS RESTRICTIVE FOR SELECT TO mucstream_tenant_reader'
                   ' USING (domain = (SELECT nullif(current_setting(''mucstream.tenant'', true), '''')))', t);
  END LOOP;
END $$;

-- The indexes those reads need, each led by the domain the policy now names, then the
-- column the scoped queries order or range on (checked with EXPLAIN on a seeded database):
--   events (domain, time): /v1/events and a tenant's event pages (keyset on time, id), the
--     summary's and events-per-day's partial hours;
--   rooms (domain, created): the rooms list (newest first) and the summary's rooms;
--   users (domain, created): the summary's sessions, the dashboard's histograms and overview.
-- Not archive: every archive read names a room (archive_room_time / the primary key). Not
-- the rollups: their keys already hold the domain and they are small. Each index is written
-- by every insert, and events take most of the writes, so there is one per table only.
CREATE INDEX events_domain_time ON events (domain, time);
CREATE INDEX rooms_domain_created ON rooms (domain, created);
CREATE INDEX users_domain_created ON users (domain, created);
