#!/usr/bin/env bash
# Two MUC domains (rooms.localhost, globex.localhost) served by one `mucstreamd component
# --kafka-brokers` through Prosody's two Component entries, with a standby process of the
# same settings. flow_kafka.py fills a room of the same local name on each domain; halfway
# the active process is killed (-9) and the standby takes over both domains, each restored
# from its own snapshots and checkpoint in Kafka; the flow then checks each room came back
# once with its occupants and history, and that the domains still keep apart.
# Usage: run_kafka.sh MUCSTREAMD STATE_DIR. Everything it starts is stopped by PID on exit.
set -euo pipefail
mucstreamd=$1 state=$2
tenants=$(cd "$(dirname "$0")" && pwd)
. "$tenants/../faults/lib.sh"

A=rooms.localhost B=globex.localhost
world_start
kafka_mock_start 3
flags=(--xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain "$A,$B" --secret e2e-secret --kafka-brokers "$brokers"
       --snapshot-interval-ms 300 --xmpp-reconnect-max-ms 500)
serving_both() {  # serving_both NAME SECONDS: both domains connected in NAME's log
  wait_log "$1" "connected: serving $A" "$2" && wait_log "$1" "connected: serving $B" "$2"
}
start active "$mucstreamd" component "${flags[@]}"
serving_both active 30 || fail "the active component did not connect both domains"
ops=$(free_port)
start standby "$mucstreamd" component "${flags[@]}" --ops-listen "127.0.0.1:$ops"

export STATE_DIR=$state DOMAIN_A=$A DOMAIN_B=$B
rm -f "$state/phase1.done" "$state/restarted"
(cd "$e2e" && "$python" "$tenants/flow_kafka.py" "$state") &
flow=$!
for _ in $(seq 600); do [ -f "$state/phase1.done" ] || ! kill -0 "$flow" 2>/dev/null && break; sleep 0.1; done
if [ -f "$state/phase1.done" ]; then
  grep -q "connected: serving" "$state/standby.log" && fail "the standby connected while the active one served"
  say "kill -9 of the active component"
  kill9 active
  serving_both standby 40 || fail "the standby did not take over both domains"
  for d in $A $B; do
    grep -q "restored [1-9][0-9]* rooms from Kafka for $d" "$state/standby.log" || fail "no rooms of $d restored"
  done
  # Each domain started from a checkpoint of its own snapshot rounds.
  [ "$(grep -c "checkpoint: yes" "$state/standby.log")" -ge 2 ] || fail "a domain restored without its checkpoint"
  # /metrics: one series per domain; /readyz: ready once both domains are connected.
  metrics=$(curl -sf "http://127.0.0.1:$ops/metrics") || fail "no /metrics"
  for d in $A $B; do
    grep -q "^mucstream_component_connected{domain=\"$d\"} 1" <<<"$metrics" || fail "no connected series for $d"
    grep -q "^mucstream_sink_published_total{domain=\"$d\"} [0-9]" <<<"$metrics" || fail "no sink series for $d"
  done
  curl -sf "http://127.0.0.1:$ops/readyz" >/dev/null || fail "/readyz not ready with both domains connected"
  touch "$state/restarted"
fi
wait "$flow" || fail "tenants flow with Kafka"
echo "PASS: the standby took over both domains, each restored from its own snapshots and checkpoint, rooms apart"
