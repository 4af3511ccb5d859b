#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests (Debian's postgresql-15), as the postgres user, on a
# temporary data directory and a free port, listening on 127.0.0.1 only.
#
#   pg.sh run -- CMD ARGS…   start a server, run CMD with MUCSTREAM_TEST_PG (libpq string),
#                            MUCSTREAM_TEST_PGDATA and MUCSTREAM_TEST_PGCTL set, then stop the
#                            server by its PID whatever happened; exits with CMD's status.
#   pg.sh start DIR [PORT]   initdb DIR if needed and start; prints the connection string.
#   pg.sh stop DIR           stops the server of DIR by the PID in DIR/postmaster.pid.
set -euo pipefail
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$bin/initdb" ] || { echo "pg.sh: $bin/initdb missing: apt-get install -y postgresql-15" >&2; exit 1; }

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The data directory every server starts from: initdb runs once per machine and PostgreSQL
# version (1.2 s on a quiet machine, 5 s at load 8, against 0.06-0.9 s to copy), and a suite
# starts about a hundred servers. The first to finish renames its directory into place; the
# others drop theirs.
template() {
  local version t tmp
  version=$("$bin/initdb" --version | tr -c 'A-Za-z0-9.\n' '_')
  t=/tmp/mucstream-pg-template-$(id -u)-$version
  if [ ! -f "$t/data/PG_VERSION" ]; then
    tmp=$(mktemp -d /tmp/mucstream-pg-template.XXXXXX)
    chmod 755 "$tmp"
    mkdir -p "$tmp/data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$tmp/data"
    as_pg "$bin/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
      || { cat "$tmp/initdb.log" >&2; rm -rf "$tmp"; exit 1; }
    mv -T "$tmp" "$t" 2>/dev/null || rm -rf "$tmp"
  fi
  echo "$t/data"
}

start() {  # start DIR [PORT]
  local dir=$1 port=${2:-}
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir/sock"
    rm -rf "$dir/data"
    cp -a "$(template)" "$dir/data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
  fi
  [ -n "$port" ] || port=$(cat "$dir/port" 2>/dev/null || free_port)
  echo "$port" >"$dir/port"
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
}

stop() {  # stop DIR: SIGINT (fast shutdown) to the postmaster PID, then wait for it to go
  local dir=$1 pid
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pid=$(head -1 "$dir/data/postmaster.pid")
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd=${1:-}; shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  run)
    [ "${1:-}" = "--" ] && shift
    dir=$(mktemp -d /tmp/mucstream-pg.XXXXXX)
    chmod 755 "$dir"
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    trap 'exit 130' INT TERM
    conn=$(start "$dir")
    export MUCSTREAM_TEST_PG="$conn" MUCSTREAM_TEST_PGDATA="$dir" MUCSTREAM_TEST_PGCTL="$0"
    status=0
    "$@" || status=$?
    exit $status
    ;;
  *) echo "usage: pg.sh run -- CMD… | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
