#!/usr/bin/env bash
# Starts / stops the end-to-end world: a real Prosody (Debian package) on loopback with a
# temporary config and data directory, test users, and mucstreamd attached as the
# XEP-0114 component for rooms.localhost. Everything is stopped by PID.
#
#   fixture.sh start STATE_DIR MUCSTREAMD     -> writes STATE_DIR/env (ports, pids)
#   fixture.sh stop STATE_DIR
set -euo pipefail
cmd=$1 state=$2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT SECONDS
  local end=$((SECONDS + $2))
  while ! python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); s.connect(('127.0.0.1',$1))" 2>/dev/null; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.1
  done
}

alive() {  # a zombie (exited, not yet reaped by whoever adopted it) counts as gone
  [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

stop_pid() {  # stop_pid PIDFILE
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$1"
}

case "$cmd" in
start)
  mucstreamd=$3
  "$0" stop "$state" || true
  rm -rf "$state"; mkdir -p "$state/data"
  c2s=${E2E_C2S_PORT:-$(free_port)}; comp=${E2E_COMPONENT_PORT:-$(free_port)}
  while [ "$comp" = "$c2s" ]; do comp=$(free_port); done
  secret=e2e-secret
  cat > "$state/prosody.cfg.lua" <<CFG
pidfile = "$state/prosody.pid"
data_path = "$state/data"
log = { { levels = { min = "info" }, to = "file", filename = "$state/prosody.log" } }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $c2s }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
http_ports = { }
https_ports = { }
component_ports = { $comp }
component_interfaces = { "127.0.0.1" }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix" }
modules_disabled = { "s2s", "tls" }
VirtualHost "localhost"
-- for mucbench's c2s mode: throwaway SASL ANONYMOUS sessions
VirtualHost "anon.localhost"
  authentication = "anonymous"
Component "rooms.localhost"
  component_secret = "$secret"
Component "term.localhost"
  component_secret = "$secret"
Component "conference.localhost" "muc"
CFG
  chown -R prosody:prosody "$state"
  chmod 755 "$state"
  for u in alice bob carol dave eve; do
    runuser -u prosody -- prosodyctl --config "$state/prosody.cfg.lua" register "$u" localhost pw >/dev/null 2>&1
  done
  runuser -u prosody -- prosody --config "$state/prosody.cfg.lua" -F >"$state/prosody.out" 2>&1 &
  echo $! > "$state/prosody.pid.launcher"
  wait_port "$c2s" 20 || { echo "prosody did not open port $c2s" >&2; cat "$state/prosody.log" "$state/prosody.out" >&2; exit 1; }
  wait_port "$comp" 10 || { echo "prosody did not open component port $comp" >&2; exit 1; }
  # Prosody's own pidfile holds the real pid (runuser's child)
  for _ in $(seq 50); do [ -s "$state/prosody.pid" ] && break; sleep 0.1; done
  "$mucstreamd" component --xmpp-host 127.0.0.1 --xmpp-port "$comp" --domain rooms.localhost --secret "$secret" \
    ${E2E_COMPONENT_ARGS:---limits-max-stanza-bytes 16384 --limits-messages-per-second 20 --limits-burst 40} --xmpp-events stdout \
    >"$state/events.jsonl" 2>"$state/component.log" &
  echo $! > "$state/component.pid"
  for _ in $(seq 100); do grep -q "connected: serving" "$state/component.log" && break; sleep 0.1; done
  grep -q "connected: serving" "$state/component.log" || { echo "component did not connect" >&2; cat "$state/component.log" >&2; exit 1; }
  cat > "$state/env" <<ENV
C2S_PORT=$c2s
COMPONENT_PORT=$comp
COMPONENT_SECRET=$secret
MUC_DOMAIN=rooms.localhost
ENV
  echo "prosody c2s=$c2s component=$comp; mucstreamd pid $(cat "$state/component.pid")"
  ;;
stop)
  stop_pid "$state/component.pid"
  # A sanitizer build reports at exit: make the fixture fail loudly on any report.
  if [ -f "$state/component.log" ] && grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$state/component.log"; then
    echo "sanitizer report in $state/component.log:" >&2; grep -A20 -E "Sanitizer|runtime error:" "$state/component.log" >&2
    sanitizer_failed=1
  fi
  stop_pid "$state/prosody.pid"
  stop_pid "$state/prosody.pid.launcher"
  [ -z "${sanitizer_failed:-}" ] || exit 1
  ;;
*) echo "usage: fixture.sh start|stop STATE_DIR [MUCSTREAMD]" >&2; exit 2 ;;
esac
