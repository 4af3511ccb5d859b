#!/usr/bin/env bash
# Kafka away for 30 s: the `mucstreamd kafka-mock` process is stopped (SIGSTOP) under chat
# load. Nothing is reflected while nothing can be made durable; after the bound
# (--commit-unavailable-ms 2000) actions are refused with resource-constraint/wait; after
# SIGCONT the chat resumes and nothing a client saw is lost; the component's /readyz says 503
# meanwhile.
# Usage: kafka_away.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"
away=${FAULTS_AWAY_SECONDS:-30}

world_start
kafka_mock_start 3
"$mucstreamd" migrate --pg "$pg" >"$state/migrate.log" 2>&1 || fail "migrate"
ops_port=$(free_port)
component_start component "${commit_flags[@]}" --ops-listen "127.0.0.1:$ops_port"
wait_http "$ops_port" /readyz 200 20 || fail "the component is not ready"
materialize_start mat1
# The materialiser in its group before Kafka goes away: one caught joining when the mock
# stopped took more than a minute to consume after it came back (a separate matter from
# what this scenario checks).
wait_log mat1 "partitions assigned" 30 || fail "the materialiser joined no group"
load_start --rooms 3 --rate 5
wait_reflections 30 20 || fail "no chat before Kafka went away"

t_stop=$(now)
say "SIGSTOP kafka-mock for $away s"
kill -STOP "${PID[kafka-mock]}"
sleep 3
ready_away=$(api_get "$ops_port" /readyz)
sleep "$((away - 3))"
t_cont=$(now)  # before SIGCONT: what is released then must fall after it
kill -CONT "${PID[kafka-mock]}"
say "SIGCONT kafka-mock"
wait_reflections 30 60 || fail "the chat did not resume after Kafka came back"
wait_http "$ops_port" /readyz 200 30 || fail "the component's /readyz not 200 after Kafka came back"
load_stop

during=$(reflections_between "$(plus "$t_stop" 1)" "$t_cont")
refused=$(errors_between "$t_stop" "$(plus "$t_cont" 1)" resource-constraint)
not_wait=$(errors_between "$t_stop" "$(plus "$t_cont" 1)" resource-constraint not-wait)
first=$(first_error_after "$t_stop" resource-constraint)
say "while Kafka was away: $during reflections, $refused refusals (resource-constraint), the first after $first s"
[ "$ready_away" = 503 ] || fail "the component's /readyz answered $ready_away while Kafka was away"
[ "$during" = 0 ] || fail "$during messages reflected while nothing could be made durable"
[ "$not_wait" = 0 ] || fail "$not_wait resource-constraint errors not of type wait"
[ "$refused" -gt 0 ] || fail "no action refused with resource-constraint while Kafka was away"
at_least "$first" 1.5 || fail "refused after $first s, before the 2 s bound"
verify_rooms
audit --wait 60
echo "PASS: Kafka away ${away} s: refused after ${first} s, nothing reflected that was not durable, nothing lost"
