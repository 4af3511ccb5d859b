#!/usr/bin/env bash
# mucctl users forget and mucctl purge end to end: the built mucctl against the PostgreSQL
# that with_postgres.sh started, migrated and seeded with tests/tools/lifecycle_seed.sql.
# "Nothing left" is checked on a pg_dump of the whole database's data.
#   mucctl_lifecycle_test.sh MUCCTL   (MUCSTREAM_TEST_PG set by with_postgres.sh)
set -uo pipefail
mucctl=$1
: "${MUCSTREAM_TEST_PG:?run through with_postgres.sh}"
work=$(mktemp -d /tmp/mucctl-lifecycle.XXXXXX)
trap 'rm -rf "$work"' EXIT
unset MUCCTL_URL MUCCTL_TOKEN MUCCTL_CONFIG MUCSTREAM_PG MUCSTREAM_RETENTION_EVENTS_DAYS \
  MUCSTREAM_RETENTION_BODIES_DAYS MUCSTREAM_RETENTION_PERSONAL_DAYS
export HOME="$work/home" XDG_CONFIG_HOME=""
mkdir -p "$HOME"
# shellcheck source=checks.sh
. "$(dirname "$0")/checks.sh"
pg=$MUCSTREAM_TEST_PG
pg_dump=${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_dump
q() { psql "$pg" -X -At -c "$1"; }
# The whole database's data as text (into a file first: grep -q ending early would make
# pg_dump fail with SIGPIPE under pipefail).
dump() { "$pg_dump" --data-only "$pg" >"$work/dump.sql" && cat "$work/dump.sql"; }
totals() { q "SELECT concat_ws(',', (SELECT count(*) FROM events), (SELECT count(*) FROM users),
                (SELECT count(*) FROM archive), (SELECT count(*) FROM rooms),
                (SELECT string_agg(concat_ws(':', jid, sessions, participants, event_count), ' ' ORDER BY jid) FROM room_summary))"; }

# --- usage ---
run "purge help" 0 "$mucctl" purge --help;               has "purge help" "^usage: mucctl purge --dry-run\|--apply" "$out"
run "forget help" 0 "$mucctl" users forget --help;       has "forget help" "^usage: mucctl users forget JID" "$out"
run "main help" 0 "$mucctl" --help;                      has "main help" "^  purge " "$out"; has "main help" "^  users forget " "$out"
run "purge neither" 2 "$mucctl" purge --events-days 1 --pg "$pg"; has "purge neither" "say --dry-run .* or --apply" "$err"
run "purge both" 2 "$mucctl" purge --dry-run --apply --events-days 1 --pg "$pg"
run "purge no limit" 2 "$mucctl" purge --dry-run --pg "$pg"; has "purge no limit" "every limit is 0" "$err"
run "purge bad days" 2 "$mucctl" purge --dry-run --bodies-days -3 --pg "$pg"; has "purge bad days" "--bodies-days must be a whole number" "$err"
run "purge no pg" 2 "$mucctl" purge --dry-run --events-days 30; has "purge no pg" "no PostgreSQL connection string" "$err"
run "forget not bare" 2 "$mucctl" users forget zed@example.com/pc --pg "$pg"; has "forget not bare" "must be a bare JID" "$err"
run "forget no arg" 2 "$mucctl" users forget --pg "$pg"
run "unreachable" 3 "$mucctl" users forget zed@example.com --pg "host=127.0.0.1 port=1 connect_timeout=2"

# --- forget ---
before=$(totals)
if dump | grep -ci "zed@example.com" >/dev/null; then ok; else bad "seed holds no zed@example.com"; fi
run "forget" 0 "$mucctl" users forget Zed@Example.com --pg "$pg"
has "forget pseudonym" "^pseudonym +anon-[0-9a-f]{16}$" "$out"; has "forget sessions" "^sessions +1$" "$out"
has "forget archive" "^archive +1$" "$out"
if dump | grep -ciE "zed@example|zeddy|old words" >/dev/null; then bad "still in the database: $(dump | grep -iE 'zed@example|zeddy|old words' | head -3)"; else ok; fi
after=$(totals)
if [ "$after" = "$before" ]; then ok; else bad "counts changed: $before -> $after"; fi
run "forget again (json)" 0 "$mucctl" users forget zed@example.com --json --pg "$pg"
has "forget again json" '"sessions":0,"events":0,"archive":0,"rooms":0' "$out"

# --- purge ---
run "dry run" 0 "$mucctl" purge --dry-run --events-days 365 --bodies-days 30 --personal-days 30 --pg "$pg"
has "dry run partition" "^events +partition events_2020m01 .* 4 +would drop$" "$out"
has "dry run bodies" "^bodies +.* 0 +would clear$" "$out"  # forgetting took zed's body already
if [ "$(q 'SELECT count(*) FROM events')" = 7 ]; then ok; else bad "dry run changed events"; fi
run "dry run json (env limits)" 0 env MUCSTREAM_RETENTION_EVENTS_DAYS=365 MUCSTREAM_PG="$pg" "$mucctl" purge --dry-run --json
has "dry run json" '"applied":false,"partitions":\[\{"name":"events_2020m01",.*"events":4,"held_by":null\}\],"partitions_dropped":0' "$out"
run "apply" 0 "$mucctl" purge --apply --events-days 365 --bodies-days 30 --personal-days 30 --pg "$pg"
has "apply partition" "^events +partition events_2020m01 .* 4 +dropped$" "$out"
if [ "$(q "SELECT to_regclass('events_2020m01') IS NULL")" = t ]; then ok; else bad "events_2020m01 still there"; fi
if [ "$(q 'SELECT count(*) FROM events')" = 3 ]; then ok; else bad "events left: $(q 'SELECT count(*) FROM events')"; fi
if [ "$(q "SELECT count(*) FROM rooms WHERE reports IS NOT NULL")" = 2 ]; then ok; else bad "reports lost"; fi
if dump | grep -c "new words" >/dev/null; then ok; else bad "the recent body went"; fi
run "apply again" 0 "$mucctl" purge --apply --events-days 365 --pg "$pg"
has "apply again" "^events +partitions past 365 days +0" "$out"

echo "mucctl lifecycle: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
