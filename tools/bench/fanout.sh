#!/usr/bin/env bash
# What the host server pays for a MUC's fan-out: the server's own MUC against mucstream as
# an XEP-0114 component through the same server process, with one stanza per recipient
# (xmpp.multicast=off) and with XEP-0033 multicast (xmpp.multicast=auto), interleaved runs,
# the same load generator (mucbench's c2s mode: anonymous clients on loopback, every
# occupant joined with maxstanzas='0', 64-byte bodies). Per run: the server's and the
# component's CPU per delivered stanza, delivered/s, latency p50/p99, and their ratios to
# the built-in MUC of the same round. Two more modes put mucbench's minimal MUC
# (tools/mucbench/minimal_muc.hpp) in mucstream's place, relaying per recipient and as
# multicast: the server's cost of each way of delivering, whatever the component does.
#
#   tools/bench/fanout.sh [--quick] [--servers prosody,ejabberd] [BUILD_DIR]
#
# BUILD_DIR defaults to build/ (needs tools/mucbench and tools/mucstreamd). Environment:
#   FANOUT_SECONDS (30)  load time of each run (joins and the final drain come on top)
#   FANOUT_ROUNDS  (2)   rounds; each round runs every shape once in each mode, the mode
#                        order rotating per round so slow drift of a shared machine spreads
#   FANOUT_SHAPES        "ROOMSxOCCUPANTS@MSG_PER_S ..." (default below)
#   FANOUT_MODES         any of "builtin off auto minimal-direct minimal-multicast" (all)
#   FANOUT_OUT           where the raw mucbench outputs and results.tsv go
#   FANOUT_RESTART       "prosody" (default): the servers named here start afresh before
#                        every run; the others run all their rounds in one process ("" for none)
#   FANOUT_CALLGRIND=1   Prosody runs under valgrind's callgrind, and each run also reports the
#                        instructions Prosody executed per delivered stanza: unlike CPU time,
#                        the same on a busy or a quiet machine. About 50x slower: give low
#                        rates, e.g. FANOUT_SHAPES="1x100@2 10x10@10" (no ejabberd)
#   E2E_EJABBERD_ERL_FLAGS  more emulator flags for ejabberd's node (passed to its fixture),
#                        e.g. "+sbwt none +sbwtdcpu none +sbwtdio none": no scheduler spin
# --quick: Prosody only, one round, 10 rooms x 5 at 25 msg/s for 3 s, and every message must
# reach every occupant (mucbench --check): the smoke test ctest runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../tests/e2e/lib.sh
. "$root/tests/e2e/lib.sh"

quick="" servers="" build="$root/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --servers) servers=${2//,/ }; shift ;;
    --help|-h) sed -n '2,30p' "$0"; exit 0 ;;
    -*) echo "fanout.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done
mucbench=$build/tools/mucbench mucstreamd=$build/tools/mucstreamd
for b in "$mucbench" "$mucstreamd"; do
  [ -x "$b" ] || { echo "fanout.sh: $b not built" >&2; exit 2; }
done

# 0.5 msg/s per occupant in 50 x 10 (2,500 deliveries/s), 0.1 in 5 x 100 (5,000/s) and
# 0.01 in 1 x 500 (2,500/s): mucbench's rate is the total over all senders.
shapes=${FANOUT_SHAPES:-"50x10@250 5x100@50 1x500@5"}
seconds=${FANOUT_SECONDS:-30} rounds=${FANOUT_ROUNDS:-2} check=""
if [ -n "$quick" ]; then
  shapes=${FANOUT_SHAPES:-"10x5@25"} seconds=${FANOUT_SECONDS:-3} rounds=1 check=--check
  servers=${servers:-prosody}
  FANOUT_RESTART=${FANOUT_RESTART-}  # the smoke test measures nothing: one server process
fi
if [ -n "${FANOUT_CALLGRIND:-}" ]; then
  servers=${servers:-prosody}
  [ "$servers" = prosody ] || { echo "fanout.sh: FANOUT_CALLGRIND counts Prosody's instructions only" >&2; exit 2; }
  command -v callgrind_control >/dev/null || { echo "fanout.sh: FANOUT_CALLGRIND needs valgrind (apt-get install -y valgrind)" >&2; exit 2; }
fi
servers=${servers:-prosody ejabberd}
out=${FANOUT_OUT:-$build/fanout-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
results=$out/results.tsv
printf 'server\tshape\tround\tmode\tfile\n' > "$results"

# The setting comes with the component side of multicast; a build without it sends one
# stanza per recipient in both mucstream modes.
# (--help read whole first: with pipefail, grep -q closing the pipe early would fail the test)
help=$("$mucstreamd" --help 2>/dev/null || true)
if grep -q -- '--xmpp-multicast' <<< "$help"; then
  multicast_setting=1
else
  multicast_setting=""
  echo "note: $mucstreamd has no --xmpp-multicast: its 'auto' runs send one stanza per recipient too" | tee "$out/NOTE"
fi

state="" component_pid_file=""
cleanup() {
  [ -n "$component_pid_file" ] && stop_pid "$component_pid_file"
  if [ -n "$state" ] && [ -f "$state/env" ]; then stop_server; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ejabberd_ctl() {  # the same node, paths and port mapper as tests/e2e/fixture_ejabberd.sh
  runuser -u ejabberd -- env HOME="$state" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$(cat "$state/epmd.port")" ejabberdctl --ctl-config "$state/ejabberdctl.cfg" \
    --config-dir "$state" --config "$state/ejabberd.yml" --spool "$state/spool" --logs "$state/logs" \
    --node "mucstream-$(basename "$state")@localhost" "$@"
}

start_server() {  # start_server prosody|ejabberd: the fixture without mucstreamd, sets server_pid
  server=$1 state=/tmp/mucstream-fanout-$$-$1
  case "$server" in
    prosody)
      local wrap=""
      [ -n "${FANOUT_CALLGRIND:-}" ] && wrap="valgrind --tool=callgrind --callgrind-out-file=$state/callgrind.out.%p lua5.4"
      E2E_PROSODY_WRAP=$wrap E2E_NO_COMPONENT=1 E2E_MULTICAST=1 "$root/tests/e2e/fixture.sh" start "$state" none >/dev/null
      server_pid=$(cat "$state/prosody.pid") multicast_service=localhost ;;
    ejabberd)
      E2E_NO_COMPONENT=1 "$root/tests/e2e/fixture_ejabberd.sh" start "$state" none >/dev/null
      # ejabberd's MUC admits 200 occupants per room unless told otherwise: 1 x 500 needs more.
      sed -i 's|^\(  mod_muc:\)$|\1\n    max_users: 1000\n    default_room_options:\n      max_users: 1000|' "$state/ejabberd.yml"
      ejabberd_ctl reload_config >/dev/null
      server_pid=$(cat "$state/ejabberd.pid")
      # mod_multicast, when the fixture configures it for the component (its own subdomain)
      multicast_service=""
      if grep -q 'mod_multicast' "$state/ejabberd.yml"; then multicast_service=${FANOUT_EJABBERD_MULTICAST:-multicast.localhost}; fi ;;
    *) echo "fanout.sh: unknown server $server" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC1091
  . "$state/env"
}

stop_server() {
  case "$server" in
    prosody) "$root/tests/e2e/fixture.sh" stop "$state" ;;
    ejabberd) "$root/tests/e2e/fixture_ejabberd.sh" stop "$state" ;;
  esac
  rm -rf "$state"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

settle() {  # until the server used under 5 % of a core for a second (at most 60 s): the
  # previous run's clients leaving make the server send a presence storm in big rooms
  local a b
  for _ in $(seq 60); do
    a=$(cpu_ticks "$server_pid"); sleep 1; b=$(cpu_ticks "$server_pid")
    [ $((b - a)) -le $(( $(getconf CLK_TCK) / 20 )) ] && return 0
  done
  echo "   (the server was still busy after 60 s)"
}

start_mucstream() {  # start_mucstream off|auto: a fresh component (its discovery runs at connect)
  local mode=$1 log=$out/$run_name.mucstreamd.log
  local args=(component --xmpp-host 127.0.0.1 --xmpp-port "$COMPONENT_PORT" --domain rooms.localhost
              --secret "$COMPONENT_SECRET" --xmpp-events none --limits-messages-per-second 0)
  [ -n "$multicast_setting" ] && args+=(--xmpp-multicast "$mode")
  : > "$log"  # there before the first look below, whenever the child opens it
  "$mucstreamd" "${args[@]}" >/dev/null 2>>"$log" &
  component_pid_file=$state/component.pid
  echo $! > "$component_pid_file"
  for _ in $(seq 300); do grep -q "connected: serving" "$log" && break; sleep 0.1; done
  grep -q "connected: serving" "$log" || { echo "fanout.sh: mucstreamd did not connect" >&2; cat "$log" >&2; exit 1; }
  sleep 0.5  # discovery of the multicast service answers right after the handshake
}

run_one() {  # run_one SHAPE MODE ROUND
  local shape=$1 mode=$2 round=$3 rooms occupants rate domain file
  rooms=${shape%%x*} occupants=${shape#*x} occupants=${occupants%@*} rate=${shape#*@}
  run_name=$server-${shape%@*}-$mode-r$round
  file=$out/$run_name.txt
  local extra=()
  settle
  case "$mode" in
    builtin) domain=conference.localhost ;;
    minimal-direct) domain=rooms.localhost extra+=(--minimal-muc-port "$COMPONENT_PORT" --minimal-muc-secret "$COMPONENT_SECRET") ;;
    minimal-multicast)
      domain=rooms.localhost
      extra+=(--minimal-muc-port "$COMPONENT_PORT" --minimal-muc-secret "$COMPONENT_SECRET" --multicast-to "$multicast_service") ;;
    *)
      domain=rooms.localhost
      start_mucstream "$mode"
      extra+=(--component-pid "$(cat "$component_pid_file")") ;;
  esac
  [ -n "${FANOUT_CALLGRIND:-}" ] &&
    extra+=(--load-hook "$root/tools/bench/callgrind_hook.sh $server_pid $state $out/$run_name.callgrind.out")
  echo "== $server ${shape%@*} at $rate msg/s, $mode, round $round"
  "$mucbench" --c2s-port "$C2S_PORT" --muc-domain "$domain" --anon-domain anon.localhost --server-pid "$server_pid" \
    "${extra[@]}" --rooms "$rooms" --occupants "$occupants" --rate "$rate" --seconds "$seconds" --body-bytes 64 \
    $check > "$file" || { cat "$file"; echo "fanout.sh: mucbench failed ($file)" >&2; exit 1; }
  grep -E '^(joins|delivered|server CPU|server instr|component CPU|latency)' "$file" | sed 's/^/   /'
  if [ -n "$component_pid_file" ]; then grep -m1 -o 'multicast .*' "$out/$run_name.mucstreamd.log" | sed 's/^/   mucstreamd: /'; fi
  if [ -n "$component_pid_file" ]; then
    stop_pid "$component_pid_file"
    component_pid_file=""
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$server" "${shape%@*}" "$round" "$mode" "$file" >> "$results"
}

read -r -a modes <<< "${FANOUT_MODES:-builtin off auto minimal-direct minimal-multicast}"
echo "fanout: servers [$servers], shapes [$shapes], $seconds s per run, $rounds round(s); load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $servers; do
  start_server "$s"
  ran_once=""
  for round in $(seq "$rounds"); do
    for shape in $shapes; do
      for i in "${!modes[@]}"; do
        mode=${modes[$(( (i + round - 1) % ${#modes[@]} ))]}
        if [ "$mode" = minimal-multicast ] && [ -z "$multicast_service" ]; then continue; fi
        if [[ " ${FANOUT_RESTART-prosody} " == *" $s "* ]] && [ -n "$ran_once" ]; then
          # Prosody's CPU per stanza drifts upward over the life of one process, whichever MUC
          # runs: each run then meets the same fresh server.
          stop_server; start_server "$s"
        fi
        run_one "$shape" "$mode" "$round"
        ran_once=1
      done
    done
  done
  stop_server
  state=""
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$root/tools/bench/fanout_report.py" "$results" | tee "$out/report.md"
