#!/usr/bin/env bash
# Two MUC domains (rooms.localhost, globex.localhost) served by one `mucstreamd all` through
# Prosody's two Component entries with one shared secret. flow.py drives slixmpp clients in a
# room of the same local name on each domain; halfway it waits while this script kills the
# process (-9) and starts it again, and checks both rooms came back once each with their
# occupants. Then the events and rows in PostgreSQL are checked per domain.
# Usage: run.sh MUCSTREAMD MUCCTL STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3
# shellcheck source=../e2e_pipeline/stack.sh
. "$(dirname "$0")/../e2e_pipeline/stack.sh"

A=rooms.localhost B=globex.localhost
stack_start
http=$(free_port)
secret=e2e-tenants-secret-0123456789abcdef0123
flags=(--domain "$A,$B" --jwt-secret "$secret" --http-listen "127.0.0.1:$http" --snapshot-interval-ms 500)

# Both domains connected (one "connected: serving" line per domain).
wait_both() {
  for _ in $(seq 150); do [ "$(grep -c "connected: serving" "$1")" -ge 2 ] && return 0; sleep 0.1; done
  fail "both domains did not connect ($1)"
}
start_all "$state/all.log" "${flags[@]}"
wait_both "$state/all.log"
grep -q "connected: serving $A" "$state/all.log" || fail "no connection for $A"
grep -q "connected: serving $B" "$state/all.log" || fail "no connection for $B"

export MUCCTL=$mucctl MUCCTL_URL=http://127.0.0.1:$http STATE_DIR=$state DOMAIN_A=$A DOMAIN_B=$B
MUCCTL_TOKEN=$(MUCSTREAM_JWT_SECRET=$secret "$mucctl" token create --role admin --ttl 10m --subject ops)
export MUCCTL_TOKEN HOME=/nonexistent
unset MUCCTL_CONFIG
rm -f "$state/phase1.done" "$state/restarted"
(cd "$e2e" && PYTHONPATH="$e2e" $python "$here/flow.py" "$state") &
flow=$!
# Halfway: a crash of the whole process, then a restart that restores both domains from PostgreSQL.
for _ in $(seq 600); do [ -f "$state/phase1.done" ] || ! kill -0 "$flow" 2>/dev/null && break; sleep 0.1; done
if [ -f "$state/phase1.done" ]; then
  kill -KILL "$all_pid"; wait "$all_pid" 2>/dev/null || true; all_pid=
  start_all "$state/all2.log" "${flags[@]}"
  wait_both "$state/all2.log"
  grep -q "restored [1-9][0-9]* rooms from PostgreSQL" "$state/all2.log" || fail "nothing restored after kill -9"
  touch "$state/restarted"
fi
wait "$flow" || fail "tenants flow"
local=$(cat "$state/local")
# /metrics of the restarted process: each domain's series, its fan-out through the server's
# multicast service (both domains are allowed senders in the fixture), nothing refused.
metrics=$(curl -sf -H "Authorization: Bearer $MUCCTL_TOKEN" "$MUCCTL_URL/metrics") || fail "no /metrics"
for d in $A $B; do
  grep -q "^mucstream_component_connected{domain=\"$d\"} 1" <<<"$metrics" || fail "$d not connected in /metrics"
  if [ "$(grep "^MULTICAST=" "$state/env" | cut -d= -f2)" = 1 ]; then
    grep -q "^mucstream_multicast_stanzas_total{domain=\"$d\"} [1-9]" <<<"$metrics" || fail "no multicast for $d"
    grep -q "^mucstream_multicast_fallbacks_total{domain=\"$d\"} 0" <<<"$metrics" || fail "multicast refused for $d"
  fi
done

stop_all  # drains into PostgreSQL
for d in $A $B; do
  # The same local name on both domains is two rooms, each one row (not re-created by the restart).
  [ "$(sql "SELECT count(*) FROM rooms WHERE jid = '$local@$d'")" = 1 ] || fail "one rooms row for $local@$d"
  rid=$(sql "SELECT id FROM rooms WHERE jid = '$local@$d'")
  # Every event of that room names the room of its own domain.
  [ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND split_part(room, '@', 2) <> '$d'")" = 0 ] \
    || fail "events of $local@$d naming another domain"
  [ "$(sql "SELECT count(*) FROM events WHERE room_id = '$rid' AND type = 'room_created'")" = 1 ] \
    || fail "$local@$d created once"
done
ridA=$(sql "SELECT id FROM rooms WHERE jid = '$local@$A'") ridB=$(sql "SELECT id FROM rooms WHERE jid = '$local@$B'")
[ "$ridA" != "$ridB" ] || fail "one room id for both domains"
msgs() { sql "SELECT string_agg(data->>'nick' || ':' || (data->>'payload'), ' | ' ORDER BY seq) FROM events
              WHERE room_id = '$1' AND type = 'message_sent'"; }
case "$(msgs "$ridA")" in *Bob*|*Dave*|*globex*) fail "a message of $B in $A's events: $(msgs "$ridA")" ;; esac
case "$(msgs "$ridB")" in *Alice*|*Carol*|*acme*) fail "a message of $A in $B's events: $(msgs "$ridB")" ;; esac
[ -n "$(msgs "$ridA")" ] && [ -n "$(msgs "$ridB")" ] || fail "messages missing: A=$(msgs "$ridA") B=$(msgs "$ridB")"
[ "$(sql "SELECT count(DISTINCT split_part(room, '@', 2)) FROM events WHERE room LIKE '$local@%'")" = 2 ] \
  || fail "events of both domains"
# Users (occupant sessions) stay in the room of their domain.
[ "$(sql "SELECT string_agg(DISTINCT userid, ',' ORDER BY userid) FROM users WHERE room_id = '$ridB'")" = \
  "bob@localhost,dave@localhost" ] || fail "users of $local@$B"
echo "PASS: two domains, one process: rooms, messages, disco, archive, mucctl --domain and PostgreSQL rows kept apart, both restored after kill -9"
