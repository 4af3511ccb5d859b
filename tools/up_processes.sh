# The processes `tools/dev up` starts, as recorded in its state directory, so that a later
# `up`, `down` or `status` finds them even when the `up` that started them was killed
# (kill -9 leaves PostgreSQL, Prosody and mucstreamd running without a parent).
#
# $state/processes has a line per process: NAME PID START, START being the process's start
# time (field 22 of /proc/PID/stat, clock ticks since boot). A PID is only acted on while
# the process with that PID still has that start time: a PID reused by another program is
# never signalled.
# shellcheck shell=bash disable=SC2154  # $state is the sourcing script's state directory

processes_file() { echo "$state/processes"; }

start_time() {  # start_time PID: empty when there is no such process (or it is a zombie)
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  rest=${stat##*) }  # the command name may hold spaces and parentheses: cut after the last ") "
  # shellcheck disable=SC2086  # split the fields on purpose
  set -- $rest
  [ "$1" = Z ] && return 0
  echo "${20}"
}

record_process() {  # record_process NAME PID
  local start file; start=$(start_time "$2"); file=$(processes_file)
  [ -n "$start" ] || return 0
  touch "$file"
  grep -v "^$1 " "$file" >"$file.new" || true
  echo "$1 $2 $start" >>"$file.new"
  mv "$file.new" "$file"
}

forget_process() {  # forget_process NAME
  local file; file=$(processes_file)
  [ -f "$file" ] || return 0
  grep -v "^$1 " "$file" >"$file.new" || true
  mv "$file.new" "$file"
}

recorded() {  # recorded NAME -> "PID START" or nothing
  local file; file=$(processes_file)
  [ -f "$file" ] && awk -v n="$1" '$1 == n { print $2, $3 }' "$file"
}

# recorded_alive NAME: prints the PID while the recorded process still runs as recorded.
recorded_alive() {
  local pid start
  read -r pid start < <(recorded "$1") || return 1
  [ -n "$pid" ] && [ "$(start_time "$pid")" = "$start" ] && echo "$pid"
}

command_of() {  # command_of PID: its command line, shortened
  tr '\0\n' '  ' <"/proc/$1/cmdline" 2>/dev/null | cut -c1-100 || true
}

# end_process NAME SIGNAL SECONDS: signals the recorded process, waits, then SIGKILL.
# Prints what it did; returns 1 when there was nothing of that name to end.
end_process() {
  local name=$1 sig=$2 secs=$3 pid start
  read -r pid start < <(recorded "$name") || return 1
  if [ -z "$pid" ]; then forget_process "$name"; return 1; fi
  if [ "$(start_time "$pid")" != "$start" ]; then
    forget_process "$name"
    return 1
  fi
  kill "-$sig" "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < secs * 10; i++)); do
    [ "$(start_time "$pid")" = "$start" ] || break
    sleep 0.1
  done
  if [ "$(start_time "$pid")" = "$start" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
    echo "  $name (pid $pid) did not stop within ${secs} s of SIG$sig: killed"
  else
    echo "  stopped $name (pid $pid)"
  fi
  forget_process "$name"
}

# end_recorded: ends every recorded process, the daemon first (it drains its events into
# PostgreSQL), PostgreSQL last; prints one line per process ended.
end_recorded() {
  end_process mucstreamd TERM 20 || true
  end_process prosody TERM 10 || true
  end_process prosody-launcher TERM 5 || true
  end_process postgresql INT 30 || true
}

# port_pid PORT: the PID listening on PORT (empty when none, or not visible to this user).
port_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true
}

# port_holder PORT: "pid N (COMMAND)" of whoever listens on PORT, else nothing.
port_holder() {
  [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] || return 0
  local pid; pid=$(port_pid "$1")
  if [ -n "$pid" ]; then echo "pid $pid ($(command_of "$pid"))"; else echo "a process this user cannot see"; fi
}

# adopt NAME PID: records PID as NAME when nothing is recorded under that name and the
# process's command line names this state directory (so it was started for it). An `up`
# from before PIDs were recorded left only PostgreSQL's and Prosody's own pid files.
adopt() {
  [ -n "$2" ] && [ -z "$(recorded "$1")" ] || return 0
  tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -qF "$state/" && record_process "$1" "$2"
  return 0
}
adopt_unrecorded() {  # adopt_unrecorded HTTP_PORT
  adopt postgresql "$(head -1 "$state/pg/data/postmaster.pid" 2>/dev/null)"
  adopt prosody "$(cat "$state/xmpp/prosody.pid" 2>/dev/null)"
  local pid; pid=$(port_pid "$1")
  [ -z "$pid" ] || [[ "$(command_of "$pid")" != *mucstreamd* ]] || adopt mucstreamd "$pid"
}
