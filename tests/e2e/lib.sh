# Shared by fixture.sh (Prosody) and fixture_ejabberd.sh: ports, processes, mucstreamd.
# shellcheck shell=bash

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT SECONDS
  local end=$((SECONDS + $2))
  while ! python3 -c "import socket; s=socket.socket(); s.settimeout(0.2); s.connect(('127.0.0.1',$1))" 2>/dev/null; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.1
  done
}

alive() {  # a zombie (exited, not yet reaped by whoever adopted it) counts as gone
  [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

stop_pid() {  # stop_pid PIDFILE: TERM, up to 10 s, then KILL
  # The file may vanish between the test and the read: ejabberd removes its own pid file
  # while `ejabberdctl stop` is shutting it down.
  local pid; pid=$(cat "$1" 2>/dev/null) || return 0
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$1"
}

start_component() {  # start_component STATE MUCSTREAMD PORT SECRET: rooms.localhost, waits for the handshake
  local state=$1 mucstreamd=$2 port=$3 secret=$4 ops
  # /metrics of the component, for flows that read its counters (STATE/ops_port).
  ops=$(free_port); echo "$ops" > "$state/ops_port"
  # shellcheck disable=SC2086  # E2E_COMPONENT_ARGS is a list of flags
  "$mucstreamd" component --xmpp-host 127.0.0.1 --xmpp-port "$port" --domain rooms.localhost --secret "$secret" \
    ${E2E_COMPONENT_ARGS:---limits-max-stanza-bytes 16384 --limits-messages-per-second 20 --limits-burst 40} \
    --ops-listen "127.0.0.1:$ops" --xmpp-events stdout >"$state/events.jsonl" 2>"$state/component.log" &
  echo $! > "$state/component.pid"
  for _ in $(seq 100); do grep -q "connected: serving" "$state/component.log" && break; sleep 0.1; done
  grep -q "connected: serving" "$state/component.log" || { echo "component did not connect" >&2; cat "$state/component.log" >&2; return 1; }
}

stop_component() {  # stop_component STATE: fails when a sanitizer build reported anything at exit
  local state=$1
  stop_pid "$state/component.pid"
  if [ -f "$state/component.log" ] && grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$state/component.log"; then
    echo "sanitizer report in $state/component.log:" >&2
    grep -A20 -E "Sanitizer|runtime error:" "$state/component.log" >&2
    return 1
  fi
}
