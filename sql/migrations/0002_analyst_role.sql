-- A read-only role for analysts (NOLOGIN: grant it to login roles, e.g.
-- CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE analyst). Roles are cluster-wide, so it is
-- created only when missing. Event partitions created later inherit the grant through
-- ALTER DEFAULT PRIVILEGES (for tables the migrating/materialising role creates).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analyst') THEN
    CREATE ROLE analyst NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO analyst;
REVOKE ALL ON schema_migrations FROM analyst;
