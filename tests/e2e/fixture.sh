#!/usr/bin/env bash
# Starts / stops the end-to-end world: a real Prosody (Debian package) on loopback with a
# temporary config and data directory, test users, and mucstreamd attached as the
# XEP-0114 component for rooms.localhost. Everything is stopped by PID.
#
#   fixture.sh start STATE_DIR MUCSTREAMD     -> writes STATE_DIR/env (ports, pids)
#   fixture.sh stop STATE_DIR
set -euo pipefail
cmd=$1 state=$2

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

case "$cmd" in
start)
  mucstreamd=$3
  "$0" stop "$state" || true
  rm -rf "$state"; mkdir -p "$state/data"
  c2s=${E2E_C2S_PORT:-$(free_port)}; comp=${E2E_COMPONENT_PORT:-$(free_port)}
  while [ "$comp" = "$c2s" ]; do comp=$(free_port); done
  # E2E_WEBSOCKET=1: Prosody's own XMPP-over-WebSocket (RFC 7395, mod_websocket) on a free
  # HTTP port, for the browser client test; plain ws on loopback counts as secure so PLAIN
  # (the only SASL mechanism @xmpp/client has in a browser) is offered.
  http_ports="" ws_modules=""
  if [ -n "${E2E_WEBSOCKET:-}" ]; then
    http=$(free_port)
    while [ "$http" = "$c2s" ] || [ "$http" = "$comp" ]; do http=$(free_port); done
    http_ports=$http ws_modules=', "websocket"'
  fi
  # XEP-0033 multicast for the component (deploy/prosody/mod_mucstream_multicast.lua) on the
  # user host, as deploy/prosody/mucstream.cfg.lua sets it up; E2E_MULTICAST=0 leaves it out,
  # so the component falls back to one stanza per recipient.
  multicast_host=""
  if [ "${E2E_MULTICAST:-1}" != 0 ]; then
    multicast_host='  modules_enabled = { "mucstream_multicast" }
  mucstream_multicast_senders = { "rooms.localhost", "globex.localhost" }'
  fi
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
http_ports = { $http_ports }
http_interfaces = { "127.0.0.1" }
http_default_host = "localhost"
consider_websocket_secure = ${E2E_WEBSOCKET:+true}${E2E_WEBSOCKET:-false}
https_ports = { }
component_ports = { $comp }
component_interfaces = { "127.0.0.1" }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix"$ws_modules }
modules_disabled = { "s2s", "tls" }
plugin_paths = { "$(cd "$here/../../deploy/prosody" && pwd)" }
VirtualHost "localhost"
$multicast_host
-- for mucbench's c2s mode: throwaway SASL ANONYMOUS sessions
VirtualHost "anon.localhost"
  authentication = "anonymous"
Component "rooms.localhost"
  component_secret = "$secret"
Component "term.localhost"
  component_secret = "$secret"
Component "idle.localhost"
  component_secret = "$secret"
-- a second MUC domain (tenant) served by the same component process (tests/e2e_tenants)
Component "globex.localhost"
  component_secret = "$secret"
Component "conference.localhost" "muc"
CFG
  chown -R prosody:prosody "$state"
  chmod 755 "$state"
  for u in alice bob carol dave eve; do
    runuser -u prosody -- prosodyctl --config "$state/prosody.cfg.lua" register "$u" localhost pw >/dev/null 2>&1
  done
  # E2E_PROSODY_WRAP="valgrind --tool=callgrind … lua5.4": Prosody runs under that command
  # (tools/bench/fanout.sh with FANOUT_CALLGRIND=1 counts its instructions); it starts far slower then.
  wrap=() port_wait=20
  if [ -n "${E2E_PROSODY_WRAP:-}" ]; then read -r -a wrap <<< "$E2E_PROSODY_WRAP"; port_wait=180; fi
  runuser -u prosody -- "${wrap[@]}" "$(command -v prosody)" --config "$state/prosody.cfg.lua" -F >"$state/prosody.out" 2>&1 &
  echo $! > "$state/prosody.pid.launcher"
  wait_port "$c2s" "$port_wait" || { echo "prosody did not open port $c2s" >&2; cat "$state/prosody.log" "$state/prosody.out" >&2; exit 1; }
  wait_port "$comp" "$port_wait" || { echo "prosody did not open component port $comp" >&2; exit 1; }
  if [ -n "$http_ports" ]; then
    wait_port "$http_ports" 10 || { echo "prosody did not open HTTP port $http_ports" >&2; exit 1; }
  fi
  # Prosody's own pidfile holds the real pid (runuser's child)
  for _ in $(seq 50); do [ -s "$state/prosody.pid" ] && break; sleep 0.1; done
  # E2E_NO_COMPONENT=1: only Prosody (tools/up.sh attaches `mucstreamd all` itself).
  if [ -z "${E2E_NO_COMPONENT:-}" ]; then
    start_component "$state" "$mucstreamd" "$comp" "$secret" || exit 1
  fi
  cat > "$state/env" <<ENV
C2S_PORT=$c2s
COMPONENT_PORT=$comp
COMPONENT_SECRET=$secret
MUC_DOMAIN=rooms.localhost
MULTICAST=${E2E_MULTICAST:-1}
${http_ports:+WEBSOCKET_URL=ws://127.0.0.1:$http_ports/xmpp-websocket}
ENV
  echo "prosody c2s=$c2s component=$comp${E2E_NO_COMPONENT:+ (no component)}"
  ;;
stop)
  stop_component "$state" || sanitizer_failed=1
  stop_pid "$state/prosody.pid"
  stop_pid "$state/prosody.pid.launcher"
  [ -z "${sanitizer_failed:-}" ] || exit 1
  ;;
*) echo "usage: fixture.sh start|stop STATE_DIR [MUCSTREAMD]" >&2; exit 2 ;;
esac
