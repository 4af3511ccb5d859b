#!/usr/bin/env bash
# mucbench --load-hook for a server running under callgrind (FANOUT_CALLGRIND=1 in
# fanout.sh): `start` zeroes the server's instruction counters, `end` dumps them and prints
# the instructions executed in between, a line mucbench's report carries:
#
#   server instr     123456789 instructions (callgrind)
#
#   callgrind_hook.sh PID DUMP_DIR [KEEP_AS] start|end
#
# KEEP_AS: where the load phase's dump is copied (for callgrind_annotate). mucbench appends
# the phase to the command it is given.
set -euo pipefail
pid=$1 dir=$2 keep="" phase=${!#}
[ $# -eq 4 ] && keep=$3
# As the server's own user: callgrind_control talks to it through vgdb's per-user files.
ctl() {
  local said
  said=$(runuser -u "$(stat -c %U "/proc/$pid")" -- callgrind_control "$@" 2>&1) || { echo "$said" >&2; return 1; }
}
case "$phase" in
  start) ctl -z "$pid" ;;
  end)
    ctl -d "$pid"
    # The newest dump of that process; its "summary:" line holds the event counts (Ir first).
    dump=$(ls -t "$dir"/callgrind.out."$pid"* 2>/dev/null | head -n 1)
    [ -n "$dump" ] || { echo "callgrind_hook.sh: no dump of $pid in $dir" >&2; exit 1; }
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$dump")
    [ -n "$ir" ] || { echo "callgrind_hook.sh: no summary in $dump" >&2; exit 1; }
    [ -z "$keep" ] || cp "$dump" "$keep"
    echo "server instr     $ir instructions (callgrind)" ;;
  *) echo "callgrind_hook.sh: start or end, not $phase" >&2; exit 2 ;;
esac
