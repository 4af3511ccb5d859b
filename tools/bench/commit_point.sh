#!/usr/bin/env bash
# What the durable commit point costs: mucbench drives `mucstreamd component --kafka-brokers`
# (mucbench plays the XMPP server) against one `mucstreamd kafka-mock` process, with
# commit.release=immediate (output sent at once: the baseline) and durable (output parked
# until Kafka acknowledged the events, acks=all), alternately in the same run, at a fixed
# rate and at the maximum (rate 0). Prints each run's send -> reflection p50/p99 and
# delivered stanzas per component CPU-second, then durable/immediate ratios.
#
#   tools/bench/commit_point.sh [BUILD_DIR]      (ROOMS=50 OCCUPANTS=10 RUN_SECONDS=10 RATE=2000)
# COMPONENT_ARGS="--kafka.linger.ms=0 …" adds settings to both modes' components.
set -euo pipefail
build=${1:-build}
mucstreamd=$build/tools/mucstreamd
mucbench=$build/tools/mucbench
rooms=${ROOMS:-50} occupants=${OCCUPANTS:-10} seconds=${RUN_SECONDS:-10} rate=${RATE:-2000}
for b in "$mucstreamd" "$mucbench"; do [ -x "$b" ] || { echo "missing $b (cmake --build $build --target mucstreamd mucbench)" >&2; exit 2; }; done

work=$(mktemp -d)
extra=()
for a in ${COMPONENT_ARGS:-}; do extra+=(--component-arg "$a"); done
kafka_pid=
cleanup() {
  [ -n "$kafka_pid" ] && kill "$kafka_pid" 2>/dev/null && wait "$kafka_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/kafka.out"
"$mucstreamd" kafka-mock --brokers 3 --partitions 64 >"$work/kafka.out" 2>"$work/kafka.err" &
kafka_pid=$!
exec 3<"$work/kafka.out"
read -r -t 20 first <&3 || { echo "kafka-mock did not start:" >&2; cat "$work/kafka.err" >&2; exit 1; }
brokers=${first#bootstrap=}
cat <&3 >/dev/null &  # keep its stdout drained
echo "kafka-mock at $brokers (3 brokers, 64 partitions); $rooms rooms x $occupants occupants, $seconds s per run"

run() {  # RELEASE RATE
  local out=$work/$1-$2.txt
  "$mucbench" --mucstreamd "$mucstreamd" --rooms "$rooms" --occupants "$occupants" --rate "$2" --seconds "$seconds" \
    --label "commit.release=$1" --component-arg --kafka-brokers --component-arg "$brokers" \
    --component-arg --commit-release --component-arg "$1" "${extra[@]}" >"$out"
  cat "$out"
  echo
}
field() {  # FILE WHAT -> number
  case $2 in
    p50) sed -n 's/^reflection *p50 \([0-9]*\) us.*/\1/p' "$1" ;;
    p99) sed -n 's/^reflection .*p99 \([0-9]*\) us.*/\1/p' "$1" ;;
    cpu) sed -n 's/.*-> \([0-9]*\) delivered per CPU-second.*/\1/p' "$1" ;;
    rate) sed -n 's/^delivered .*= \([0-9]*\)\/s$/\1/p' "$1" ;;
  esac
}
for r in "$rate" 0; do
  run immediate "$r"
  run durable "$r"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '%-10s | %-9s | %12s | %12s | %14s | %14s\n' rate release "refl p50 us" "refl p99 us" "delivered/s" "deliv/CPU-s"
for r in "$rate" 0; do
  for rel in immediate durable; do
    f=$work/$rel-$r.txt
    printf '%-10s | %-9s | %12s | %12s | %14s | %14s\n' "$([ "$r" = 0 ] && echo max || echo "$r/s")" "$rel" \
      "$(field "$f" p50)" "$(field "$f" p99)" "$(field "$f" rate)" "$(field "$f" cpu)"
  done
done
echo
for r in "$rate" 0; do
  i=$work/immediate-$r.txt d=$work/durable-$r.txt
  echo "$([ "$r" = 0 ] && echo "at the maximum" || echo "at $r msg/s"): durable/immediate reflection p50 x$(ratio "$(field "$d" p50)" "$(field "$i" p50)"), p99 x$(ratio "$(field "$d" p99)" "$(field "$i" p99)"), delivered per CPU-second x$(ratio "$(field "$d" cpu)" "$(field "$i" cpu)"), throughput x$(ratio "$(field "$d" rate)" "$(field "$i" rate)")"
done
