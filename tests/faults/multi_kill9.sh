#!/usr/bin/env bash
# The production topology as separate processes: `mucstreamd kafka-mock --brokers 3`, a
# component publishing to it, two materialisers in one consumer group, the API. Under chat
# load: kill -9 of the component (restarted: rooms and occupants restored from Kafka), of a
# materialiser (restarted) and of the API (restarted, healthy again); then the audit.
# Usage: multi_kill9.sh MUCSTREAMD STATE_DIR
set -euo pipefail
mucstreamd=$1 state=$2
. "$(dirname "$0")/lib.sh"

world_start
kafka_mock_start 3
"$mucstreamd" migrate --pg "$pg" >"$state/migrate.log" 2>&1 || fail "migrate"
component_start component "${commit_flags[@]}"
materialize_start mat1
materialize_start mat2
api_port=$(free_port)
api_start() { start api "$mucstreamd" api --pg "$pg" --jwt-secret faults-jwt-secret-0123456789abcdef0123 --http-listen "127.0.0.1:$api_port"; }
api_start
wait_http "$api_port" /healthz 200 20 || fail "the API is not healthy"
load_start --rooms 3 --rate 5
wait_reflections 30 20 || fail "no chat before the kills"

random_sleep() { local ms=$((200 + RANDOM % 2000)); say "waiting $ms ms"; sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"; }
random_sleep
say "kill -9 of the component"
kill9 component
sleep 0.5
component_start component "${commit_flags[@]}"
wait_reflections 30 30 || fail "the chat did not resume after the component's restart"

random_sleep
say "kill -9 of materialiser 1"
kill9 mat1
wait_reflections 20 20 || fail "the chat stopped when a materialiser died"
materialize_start mat1

random_sleep
say "kill -9 of the API"
kill9 api
api_start
wait_http "$api_port" /healthz 200 20 || fail "the API is not healthy after its restart"
wait_http "$api_port" /readyz 200 20 || fail "the API is not ready after its restart"
wait_reflections 20 20 || fail "the chat stopped"
load_stop
verify_rooms
audit --wait 60
echo "PASS: kill -9 of the component, a materialiser and the API under load; nothing a client saw was lost"
