#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 (Debian's postgresql-15), started as the
# postgres user with initdb/pg_ctl on a temporary directory and a free port on 127.0.0.1,
# migrated with the fixture copy of the pipeline branch's sql/migrations and seeded:
#
#   with_postgres.sh MIGRATIONS_DIR SEED_SQL -- CMD ARGS…
#
# CMD sees MUCSTREAM_TEST_PG (a libpq connection string), and MUCSTREAM_TEST_PG_STOP /
# MUCSTREAM_TEST_PG_START (shell commands) for outage tests. The server is stopped by the PID
# in postmaster.pid whatever happens (trap on EXIT), and its directory removed.
set -euo pipefail
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || { echo "with_postgres.sh: $bin/initdb missing: apt-get install -y postgresql-15" >&2; exit 1; }
migrations=$1 seed=$2
shift 2
[ "${1:-}" = "--" ] && shift

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

dir=$(mktemp -d /tmp/mucstream-api-pg.XXXXXX)
chmod 755 "$dir"
mkdir -p "$dir/data" "$dir/sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    local pid
    pid=$(head -1 "$dir/data/postmaster.pid")
    if kill -INT "$pid" 2>/dev/null; then  # SIGINT = fast shutdown
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
started=0
for _ in 1 2 3 4 5; do  # a port found free can be taken before the server binds it: retry
  port=$(free_port)
  if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" start >/dev/null; then
    started=1
    break
  fi
done
[ "$started" = 1 ] || { cat "$dir/server.log" >&2; exit 1; }
conn="host=127.0.0.1 port=$port user=postgres dbname=postgres"

psql_do() { psql "$conn" -X -q -v ON_ERROR_STOP=1 "$@"; }
# What the pipeline's migrator does: a schema_migrations table, each file in a transaction.
psql_do -c "CREATE TABLE schema_migrations (version text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())"
for f in "$migrations"/*.sql; do
  psql_do -1 -f "$f" >/dev/null
  psql_do -c "INSERT INTO schema_migrations (version) VALUES ('$(basename "$f" .sql)')"
done
psql_do -1 -f "$seed" >/dev/null

export MUCSTREAM_TEST_PG="$conn"
# For outage tests: commands that stop the server and start it again on the same port.
pgctl="$bin/pg_ctl -D $dir/data -l $dir/server.log -w -t 60"
[ "$(id -u)" -eq 0 ] && pgctl="runuser -u postgres -- $pgctl"
export MUCSTREAM_TEST_PG_STOP="$pgctl -m fast stop >/dev/null"
export MUCSTREAM_TEST_PG_START="$pgctl -o '-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60' start >/dev/null"
status=0
"$@" || status=$?
exit $status
