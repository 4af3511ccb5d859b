# Sourced by the ghost scenarios after tests/faults/lib.sh: the clients of ghosts.py held
# open in the background, and what PostgreSQL and the API say about their rooms.
# shellcheck shell=bash
hostile=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jwt_secret=hostile-ghosts-secret

hold_start() {  # hold_start KIND: ghosts.py hold KIND in the background, waits for its rooms
  start "hold-$1" "$python" "$hostile/ghosts.py" "$state" hold "$state/out" "$1"
  for _ in $(seq 200); do
    [ -f "$state/out/$1.ready" ] && return 0
    alive "${PID[hold-$1]}" || break
    sleep 0.1
  done
  fail "the $1 clients did not join"
}

room_of() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$state/out/$1.json" "$2"; }

sql() { psql "$pg" -XAtqc "$1"; }

# open_rows JID: rows of the room's first lifetime still open: "ROOM_OPEN USERS_OPEN"
open_rows() {
  sql "WITH r AS (SELECT id, ended FROM rooms WHERE jid = '$1' ORDER BY created LIMIT 1)
       SELECT (SELECT count(*) FROM r WHERE ended IS NULL) || ' ' ||
              (SELECT count(*) FROM users u JOIN r ON u.room_id = r.id WHERE u.ended IS NULL)"
}

wait_rows() {  # wait_rows JID "ROOM_OPEN USERS_OPEN" SECONDS
  local end=$((SECONDS + $3)) got
  until got=$(open_rows "$1") && [ "$got" = "$2" ]; do
    [ $SECONDS -ge $end ] && fail "$1: open rows (room, users) '$got', expected '$2'"
    sleep 0.2
  done
}

# active_rooms: the JIDs GET /v1/rooms?active=true lists (an analyst's token, signed here)
active_rooms() {
  "$python" - "$http" "$jwt_secret" <<'PY'
import base64, hashlib, hmac, json, sys, time, urllib.request
port, secret = sys.argv[1], sys.argv[2].encode()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"role": "analyst", "iat": now, "nbf": now, "exp": now + 300, "sub": "hostile"}).encode())
sig = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
req = urllib.request.Request("http://127.0.0.1:%s/v1/rooms?active=true&per_page=100" % port,
                             headers={"Authorization": "Bearer " + (head + b"." + body + b"." + sig).decode()})
page = json.load(urllib.request.urlopen(req, timeout=5))
items = next(v for v in page.values() if isinstance(v, list))
print("\n".join(sorted(r["jid"] for r in items)))
PY
}

# all_start [flags]: `mucstreamd all` with the API; waits until it serves. The reconnect
# backoff is left at its default: the 2 s bound after Prosody's return is the default's.
all_start() {
  local from; from=$(log_lines all)
  start all "$mucstreamd" all $(xmpp_flags) --pg "$pg" --kafka-spill-dir "$state/spill" \
    --jwt-secret "$jwt_secret" --http-listen "127.0.0.1:$http" --xmpp-ghost-ping-timeout-ms 3000 "$@"
  wait_log all "connected: serving" 30 "$from" || fail "mucstreamd all did not connect"
}

check_newcomer() { (cd "$e2e" && "$python" "$hostile/ghosts.py" "$state" check "$state/out") || fail "newcomer check"; }
