#!/usr/bin/env bash
# The same world as fixture.sh with ejabberd (Debian package) as the host server, to prove
# the component is not Prosody-only. Its own Erlang node name, config, spool and log
# directories under STATE_DIR; stopped through ejabberdctl and then by PID.
#
#   fixture_ejabberd.sh start STATE_DIR MUCSTREAMD
#   fixture_ejabberd.sh stop STATE_DIR
#
# Multicast as deploy/ejabberd/mucstream.yml sets it up: mod_mucstream_multicast (compiled
# here from deploy/ejabberd/ with Debian's erlc, loaded on localhost, where the component finds
# it first) and ejabberd's mod_multicast at multicast.localhost; only rooms.localhost may use
# them, up to 1000 recipients a stanza. E2E_EJABBERD_MODULE=0 leaves mucstream's module out
# (the component then uses mod_multicast); E2E_MULTICAST=0 leaves both out, so the component
# sends one stanza per recipient. refused.localhost is a component domain the service refuses
# (the fallback flow). STATE_DIR/env says which service the component should find.
# E2E_EJABBERD_ERL_FLAGS: more emulator flags for the node (the fan-out benchmark's
# scheduler experiments, e.g. "+sbwt none"); none by default.
set -euo pipefail
cmd=$1 state=$2
node="mucstream-$(basename "$state")@localhost"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

# Each fixture has its own Erlang port mapper (ERL_EPMD_PORT, chosen at start): with one shared
# mapper, another fixture's stop could kill it while this node was still starting (epmd -kill
# refuses only while nodes are registered), and ejabberd then never opened its ports.
epmd_port() { cat "$state/epmd.port" 2>/dev/null || echo 4369; }
ctl() { runuser -u ejabberd -- env HOME="$state" ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$(epmd_port)" ejabberdctl --ctl-config "$state/ejabberdctl.cfg" \
          --config-dir "$state" --config "$state/ejabberd.yml" --spool "$state/spool" --logs "$state/logs" --node "$node" "$@"; }

case "$cmd" in
start)
  mucstreamd=$3
  "$0" stop "$state" || true
  rm -rf "$state"; mkdir -p "$state/spool" "$state/logs"
  free_port > "$state/epmd.port"
  c2s=$(free_port); comp=$(free_port); comp2=$(free_port); comp3=$(free_port)
  multicast="" service="" code_path=""
  if [ "${E2E_MULTICAST:-1}" != 0 ]; then
    multicast='  mod_multicast:
    access: mucstream_multicast
    limits:
      remote:
        message: 1000
        presence: 1000'
    service=multicast.localhost
    if [ "${E2E_EJABBERD_MODULE:-1}" != 0 ]; then
      mkdir -p "$state/ebin"
      # ERL_LIBS as ejabberdctl sets it: erlc finds gen_mod and the xmpp headers there.
      ERL_LIBS=/usr/lib/x86_64-linux-gnu erlc +warnings_as_errors -o "$state/ebin" \
        "$here/../../deploy/ejabberd/mod_mucstream_multicast.erl" || { echo "erlc failed" >&2; exit 1; }
      multicast="$multicast
  mod_mucstream_multicast:
    senders:
      - \"rooms.localhost\"
    max_recipients: 1000"
      service=localhost code_path=" -pa $state/ebin"
    fi
  fi
  secret=e2e-secret
  cat > "$state/ejabberd.yml" <<CFG
hosts:
  - localhost
  - anon.localhost
host_config:
  anon.localhost:
    auth_method: anonymous
    anonymous_protocol: sasl_anon
loglevel: info
certfiles: []
auth_method: internal
auth_password_format: scram
acl:
  local:
    user_regexp: ""
  mucstream_multicast_senders:
    server:
      - "rooms.localhost"
      - "conference.localhost"
access_rules:
  mucstream_multicast:
    - allow: mucstream_multicast_senders
listen:
  -
    port: $c2s
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: false
    starttls_required: false
    max_stanza_size: 262144
    shaper: none
  -
    port: $comp
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      "rooms.localhost":
        password: "$secret"
  # One listener per domain: ejabberd routes every host of a listener to each connection on it.
  -
    port: $comp2
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      "term.localhost":
        password: "$secret"
  -
    port: $comp3
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      "refused.localhost":
        password: "$secret"
s2s_use_starttls: false
modules:
  mod_disco: {}
  mod_ping: {}
  mod_roster: {}
  mod_stream_mgmt: {}
  mod_admin_extra: {}
  mod_muc:
    host: "conference.@HOST@"
$multicast
CFG
  cat > "$state/ejabberdctl.cfg" <<CTL
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0$code_path${E2E_EJABBERD_ERL_FLAGS:+ $E2E_EJABBERD_ERL_FLAGS}"
INET_DIST_INTERFACE=127.0.0.1
EJABBERD_PID_PATH=$state/ejabberd.pid
EJABBERD_CONFIG_PATH=$state/ejabberd.yml
CTL
  echo "cookie-$(basename "$state")" > "$state/.erlang.cookie"
  chmod 400 "$state/.erlang.cookie"
  cp /etc/ejabberd/inetrc "$state/inetrc" 2>/dev/null || true
  chown -R ejabberd:ejabberd "$state"
  chmod 755 "$state"
  # Its own process group (setsid), so stop can end the launcher and the Erlang VM by PGID.
  setsid bash -c "$(declare -f epmd_port ctl); state='$state' node='$node' ctl foreground" >"$state/ejabberd.out" 2>&1 &
  echo $! > "$state/launcher.pgid"
  wait_port "$c2s" 60 || { echo "ejabberd did not open $c2s" >&2; tail -n 30 "$state/ejabberd.out" "$state/logs/ejabberd.log" >&2 || true; exit 1; }
  for _ in $(seq 60); do ctl status >/dev/null 2>&1 && break; sleep 0.5; done
  for u in alice bob carol dave eve; do ctl register "$u" localhost pw >/dev/null; done
  # E2E_NO_COMPONENT=1: only ejabberd (the caller attaches `mucstreamd all` itself).
  if [ -z "${E2E_NO_COMPONENT:-}" ]; then
    start_component "$state" "$mucstreamd" "$comp" "$secret" || exit 1
  fi
  cat > "$state/env" <<ENV
C2S_PORT=$c2s
COMPONENT_PORT=$comp
TERM_COMPONENT_PORT=$comp2
REFUSED_COMPONENT_PORT=$comp3
MULTICAST=${E2E_MULTICAST:-1}
MULTICAST_SERVICE=$service
COMPONENT_SECRET=$secret
MUC_DOMAIN=rooms.localhost
SERVER=ejabberd
ENV
  echo "ejabberd c2s=$c2s component=$comp${E2E_NO_COMPONENT:+ (no component)}"
  ;;
stop)
  stop_component "$state" || sanitizer_failed=1
  if [ -f "$state/ejabberd.yml" ]; then timeout 20 bash -c "$(declare -f epmd_port ctl); state='$state' node='$node' ctl stop" >/dev/null 2>&1 || true; fi
  stop_pid "$state/ejabberd.pid"
  if [ -f "$state/launcher.pgid" ]; then
    pg=$(cat "$state/launcher.pgid")
    kill -TERM -- "-$pg" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null || true
    rm -f "$state/launcher.pgid"
  fi
  # The Erlang port mapper our node started, on its own port (refuses while nodes are registered).
  [ -f "$state/ejabberd.yml" ] && { ERL_EPMD_PORT="$(epmd_port)" epmd -kill >/dev/null 2>&1 || true; }
  [ -z "${sanitizer_failed:-}" ] || exit 1
  ;;
*) echo "usage: fixture_ejabberd.sh start|stop STATE_DIR [MUCSTREAMD]" >&2; exit 2 ;;
esac
