#!/usr/bin/env bash
# PostgreSQL down for 30 s under `mucstreamd all` (embedded: PostgreSQL is the commit
# point): nothing is reflected that is not committed, actions are refused with
# resource-constraint/wait after the bound, and when PostgreSQL is back the chat resumes
# and nothing a client saw is lost; /readyz says 503 meanwhile.
# Usage: pg_down.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"
away=${FAULTS_AWAY_SECONDS:-30}

world_start
http_port=$(free_port)
start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" "${commit_flags[@]}" --kafka-spill-dir "$state/spill" \
  --http-listen "127.0.0.1:$http_port" --jwt-secret faults-jwt-secret-0123456789abcdef0123
wait_log all "connected: serving" 30 || fail "mucstreamd all did not connect"
load_start --rooms 3 --rate 5
wait_reflections 30 20 || fail "no chat before PostgreSQL went down"

t_down=$(now)
say "PostgreSQL down for $away s"
"$pgsh" stop "$state/pg"
sleep 3
ready_down=$(api_get "$http_port" /readyz)
sleep "$((away - 3))"
t_up=$(now)  # before the start: what is released then must fall after it
"$pgsh" start "$state/pg" >/dev/null || fail "PostgreSQL did not come back"
say "PostgreSQL back"
wait_reflections 30 60 || fail "the chat did not resume after PostgreSQL came back"
wait_http "$http_port" /readyz 200 20 || fail "/readyz not 200 after PostgreSQL came back"
load_stop

during=$(reflections_between "$(plus "$t_down" 1)" "$t_up")
refused=$(errors_between "$t_down" "$(plus "$t_up" 1)" resource-constraint)
not_wait=$(errors_between "$t_down" "$(plus "$t_up" 1)" resource-constraint not-wait)
first=$(first_error_after "$t_down" resource-constraint)
say "while PostgreSQL was down: $during reflections, $refused refusals (resource-constraint), the first after $first s"
[ "$ready_down" = 503 ] || fail "/readyz answered $ready_down while PostgreSQL was down"
[ "$during" = 0 ] || fail "$during messages reflected while nothing could be committed"
[ "$not_wait" = 0 ] || fail "$not_wait resource-constraint errors not of type wait"
[ "$refused" -gt 0 ] || fail "no action refused with resource-constraint while PostgreSQL was down"
verify_rooms
audit --wait 10
echo "PASS: PostgreSQL down ${away} s: refused after ${first} s, nothing lost"
