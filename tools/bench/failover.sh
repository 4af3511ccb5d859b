#!/usr/bin/env bash
# Failover gap: two `mucstreamd component --kafka-brokers` processes against one Prosody and
# one `mucstreamd kafka-mock`; the first to connect serves, the other is a standby retrying
# the connection (Prosody refuses a second connection for the same domain). A client in a
# room sends a message every 20 ms; the active component gets SIGKILL; the figure is the
# time until one of the client's messages is reflected again (the standby connected,
# restored the rooms from Kafka and serves).
#
#   tools/bench/failover.sh [BUILD_DIR]   (RECONNECT_MAX_MS=500: the standby's retry cap;
#                                         FAILOVER_MAX_GAP_MS=N: fail above N ms, as ctest runs it)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/../../tests/e2e
mucstreamd=$build/tools/mucstreamd
state=$(mktemp -d /tmp/mucstream-failover.XXXXXX)
chmod 755 "$state"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  E2E_NO_COMPONENT=1 "$e2e/fixture.sh" stop "$state" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
. "$e2e/lib.sh"

E2E_NO_COMPONENT=1 "$e2e/fixture.sh" start "$state" "$mucstreamd" >/dev/null
. "$state/env"
mkfifo "$state/kafka.out"
"$mucstreamd" kafka-mock --brokers 3 --partitions 8 >"$state/kafka.out" 2>"$state/kafka.err" &
pids+=($!)
exec 3<"$state/kafka.out"
read -r -t 20 first <&3
brokers=${first#bootstrap=}
cat <&3 >/dev/null &

start() {  # NAME OPS_PORT: runs in this shell (not $(…)) so its PID reaches cleanup; sets started
  "$mucstreamd" component --xmpp-port "$COMPONENT_PORT" --domain rooms.localhost --secret "$COMPONENT_SECRET" \
    --kafka-brokers "$brokers" --ops-listen "127.0.0.1:$2" --xmpp-reconnect-max-ms "${RECONNECT_MAX_MS:-500}" \
    --snapshot-interval-ms 1000 >"$state/$1.out" 2>"$state/$1.log" &
  started=$!
  pids+=("$started")
}
ops_a=$(free_port) ops_b=$(free_port)
start a "$ops_a"; pid_a=$started
for _ in $(seq 100); do grep -q "connected: serving" "$state/a.log" && break; sleep 0.1; done
start b "$ops_b"; pid_b=$started
sleep 1  # the standby is now retrying
/usr/bin/python3 "$here/failover_client.py" "$state" "$pid_a" "$ops_a" "$pid_b" "$ops_b" || {
  echo "--- a.log"; tail -20 "$state/a.log"; echo "--- b.log"; tail -20 "$state/b.log"; exit 1; }
echo "standby's restore: $(grep 'kafka-restore: restored' "$state/b.log" | tail -1 | sed 's/^[^ ]* [A-Z]* *//')"
