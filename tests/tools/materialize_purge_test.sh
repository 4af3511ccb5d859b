#!/usr/bin/env bash
# The scheduled retention purge runs inside `mucstreamd materialize`: against the PostgreSQL
# with_postgres.sh started and seeded with tests/tools/lifecycle_seed.sql (a January 2020
# partition), with `mucstreamd kafka-mock` as its Kafka, the materialiser started with
# retention.events_days drops that partition by itself and logs it.
#   materialize_purge_test.sh MUCSTREAMD   (MUCSTREAM_TEST_PG set by with_postgres.sh)
set -uo pipefail
mucstreamd=$1
: "${MUCSTREAM_TEST_PG:?run through with_postgres.sh}"
work=$(mktemp -d /tmp/materialize-purge.XXXXXX)
mock_pid="" m_pid=""
cleanup() {
  [ -n "$m_pid" ] && kill "$m_pid" 2>/dev/null && wait "$m_pid" 2>/dev/null
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# An array, not a function: a backgrounded function is a subshell whose $! is not the daemon's
# PID, so killing it would leave the daemon running.
env_clean=(env -u MUCSTREAM_PG -u MUCSTREAM_RETENTION_EVENTS_DAYS)
q() { psql "$MUCSTREAM_TEST_PG" -X -At -c "$1"; }
fail() { echo "FAIL: $*" >&2; echo "--- materialiser log:" >&2; cat "$work/m.log" >&2 2>/dev/null; exit 1; }

[ "$(q "SELECT to_regclass('events_2020m01') IS NOT NULL")" = t ] || fail "the seed has no events_2020m01"
"${env_clean[@]}" "$mucstreamd" kafka-mock --brokers 1 --partitions 2 >"$work/mock.log" 2>&1 &
mock_pid=$!
brokers=""
for _ in $(seq 1 100); do
  brokers=$(sed -n 's/^bootstrap=//p' "$work/mock.log" | head -1)
  [ -n "$brokers" ] && break
  sleep 0.1
done
[ -n "$brokers" ] || fail "kafka-mock printed no bootstrap= line"

"${env_clean[@]}" "$mucstreamd" materialize --pg "$MUCSTREAM_TEST_PG" --kafka-brokers "$brokers" \
  --retention-events-days 365 --retention-purge-interval-s 1 >"$work/m.log" 2>&1 &
m_pid=$!
for _ in $(seq 1 300); do
  [ "$(q "SELECT to_regclass('events_2020m01') IS NULL")" = t ] && break
  kill -0 "$m_pid" 2>/dev/null || fail "mucstreamd materialize exited"
  sleep 0.1
done
[ "$(q "SELECT to_regclass('events_2020m01') IS NULL")" = t ] || fail "events_2020m01 still there after 30 s"
grep -q "dropped partition events_2020m01 (4 events" "$work/m.log" || fail "no 'dropped partition' line in the log"
grep -q "purging every 1 s: events after 365 days" "$work/m.log" || fail "no start-up line naming the policy"
[ "$(q "SELECT count(*) FROM rooms WHERE jid = 'old@rooms.test' AND reports IS NOT NULL")" = 1 ] || fail "the report went"
echo "materialize purge: ok"
