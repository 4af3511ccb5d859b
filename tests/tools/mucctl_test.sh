#!/usr/bin/env bash
# mucctl end to end: runs the built mucctl against `mucstreamd api` serving the PostgreSQL
# that with_postgres.sh started and seeded (tests/analytics/fixtures/seed.sql), and checks
# what a user sees: output, formats, and exit codes.
#   mucctl_test.sh MUCCTL MUCSTREAMD      (MUCSTREAM_TEST_PG set by with_postgres.sh)
set -uo pipefail
mucctl=$1 mucstreamd=$2
: "${MUCSTREAM_TEST_PG:?run through with_postgres.sh}"
work=$(mktemp -d /tmp/mucctl-test.XXXXXX)
api_pid=""
tail_pid=""
cleanup() {
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
unset MUCCTL_URL MUCCTL_TOKEN MUCCTL_CONFIG MUCSTREAM_JWT_SECRET
export HOME="$work/home" XDG_CONFIG_HOME=""
mkdir -p "$HOME"

# shellcheck source=checks.sh
. "$(dirname "$0")/checks.sh"

secret="mucctl-test-secret-0123456789abcdef"
standup=00000000-0000-7000-8000-000000000001
bob=00000000-0000-7000-8000-0000000000b1

# --- help and usage errors (no server needed) ---
run "help" 0 "$mucctl" --help;                      has "help" "^Commands:" "$out"; has "help exit codes" "Exit status" "$out"
run "no command" 2 "$mucctl"
run "unknown command" 2 "$mucctl" frobnicate;       has "unknown command" "unknown command 'frobnicate'" "$err"
run "group without sub" 2 "$mucctl" rooms;          has "group without sub" "needs a subcommand" "$err"
run "group help" 0 "$mucctl" rooms --help;          has "group help" "list" "$out"
for c in "token create" "rooms list" "rooms show" "rooms create" "rooms lock" "rooms unlock" "rooms destroy" \
         "rooms kick" "rooms ban" "users show" "events tail" "report summary" "report rooms" "report p2p" \
         "report media" "migrate"; do
  run "$c --help" 0 "$mucctl" $c --help;            has "$c --help" "^usage: mucctl $c" "$out"
done
run "unknown option" 2 "$mucctl" rooms list --colour blue; has "unknown option" "unknown option --colour" "$err"
run "missing argument" 2 "$mucctl" rooms show;      has "missing argument" "takes 1 argument" "$err"
run "json and csv" 2 "$mucctl" rooms list --json --csv
run "switch with a value" 2 "$mucctl" rooms list --json=yes; has "switch with a value" "--json takes no value" "$err"
run "option twice" 2 "$mucctl" rooms list --page 1 --page 2; has "option twice" "--page given twice" "$err"
run "missing value" 2 "$mucctl" rooms list --page;  has "missing value" "--page" "$err"
run "two commands" 2 "$mucctl" rooms show x report summary; has "two commands" "takes 1 argument" "$err"
# An argument that names a command is still the argument (here: reaches the token check).
run "argument named like a command" 4 "$mucctl" rooms lock report; has "argument named like a command" "no API token" "$err"
run "version" 0 "$mucctl" --version;               has "version" "^mucctl [0-9]+\.[0-9]+\.[0-9]+" "$out"

# --- token create ---
run "token without secret" 2 "$mucctl" token create --role analyst; has "token without secret" "no JWT secret" "$err"
run "token bad role" 2 "$mucctl" token create --role root --jwt-secret "$secret"
run "token bad ttl" 2 "$mucctl" token create --role admin --ttl soon --jwt-secret "$secret"
run "token by flag" 0 "$mucctl" token create --role analyst --ttl 1h --jwt-secret "$secret"
has "token shape" "^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$" "$out"
# The reads below include message bodies and people's rooms: an analyst token with content.
NUMBERS_TOKEN=$(MUCSTREAM_JWT_SECRET="$secret" "$mucctl" token create --role analyst --ttl 1h)
TOKEN=$(MUCSTREAM_JWT_SECRET="$secret" "$mucctl" token create --role analyst --content --ttl 1h)
has "token from env secret" "^ey" "$TOKEN"
run "token content not for admin" 2 "$mucctl" token create --role admin --content --jwt-secret "$secret"
has "token content not for admin" "for --role analyst" "$err"
run "token content json" 0 env MUCSTREAM_JWT_SECRET="$secret" "$mucctl" token create --role analyst --content --json
has "token content json" '"content":true' "$out"
run "token json" 0 env MUCSTREAM_JWT_SECRET="$secret" "$mucctl" token create --role admin --ttl 15m --json
has "token json" '"role":"admin","expires":"20' "$out"
run "tenant token json" 0 "$mucctl" token create --role analyst --tenant rooms.localhost --jwt-secret "$secret" --json
has "tenant token json" '"tenant":"rooms.localhost"' "$out"
run "tenant not a domain" 2 "$mucctl" token create --role analyst --tenant alice@rooms.localhost --jwt-secret "$secret"
has "tenant not a domain" "MUC domain" "$err"

# --- the daemon ---
run "api without secret" 2 "$mucstreamd" api --pg "$MUCSTREAM_TEST_PG" --http-listen 127.0.0.1:0
has "api without secret" "jwt-secret" "$err"
run "api without pg" 2 "$mucstreamd" api --jwt-secret "$secret" --http-listen 127.0.0.1:0
"$mucstreamd" api --http-listen 127.0.0.1:0 --pg "$MUCSTREAM_TEST_PG" --jwt-secret "$secret" 2>"$work/api.log" &
api_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$work/api.log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  kill -0 "$api_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then bad "mucstreamd api did not start: $(cat "$work/api.log")"; echo "$passed passed, $failed failed"; exit 1; fi
url="http://127.0.0.1:$port"
export MUCCTL_URL="$url"

# --- where the token comes from ---
run "no token" 4 "$mucctl" rooms list;                 has "no token" "no API token" "$err"
run "bad token" 4 "$mucctl" rooms list --token nonsense; has "bad token" "HTTP 401 unauthorized" "$err"
run "token flag" 0 "$mucctl" rooms list --token "$TOKEN"
run "token env" 0 env MUCCTL_TOKEN="$TOKEN" "$mucctl" rooms list
run "flag beats env" 0 env MUCCTL_TOKEN=nonsense "$mucctl" rooms list --token "$TOKEN"
# A tenant's token lists that tenant's rooms: the seeded ones for rooms.localhost, none for another.
run "tenant rooms" 0 "$mucctl" rooms list --json \
  --token "$("$mucctl" token create --role analyst --tenant rooms.localhost --jwt-secret "$secret")"
has "tenant rooms" '"total":3' "$out"
run "other tenant rooms" 0 "$mucctl" rooms list --json \
  --token "$("$mucctl" token create --role analyst --tenant rooms.elsewhere.example --jwt-secret "$secret")"
has "other tenant rooms" '"total":0' "$out"
# --domain D: the server lists D's rooms (GET /v1/rooms?domain=D); a domain it has no room of lists none.
run "domain rooms" 0 "$mucctl" --domain rooms.localhost rooms list --json --token "$TOKEN"
has "domain rooms" '"total":3' "$out"
run "other domain rooms" 0 "$mucctl" --domain rooms.elsewhere.example rooms list --json --token "$TOKEN"
has "other domain rooms" '"total":0' "$out"
printf 'url = "%s"\ntoken = "%s"\n' "$url" "$TOKEN" >"$work/conf.toml"
run "config file" 0 env -u MUCCTL_URL "$mucctl" --config "$work/conf.toml" rooms list
mkdir -p "$HOME/.config/mucctl" && cp "$work/conf.toml" "$HOME/.config/mucctl/config.toml"
run "default config file" 0 env -u MUCCTL_URL "$mucctl" rooms list
rm "$HOME/.config/mucctl/config.toml"
printf 'url = "%s"\ncolour = "blue"\n' "$url" >"$work/bad.toml"
run "bad config key" 2 "$mucctl" --config "$work/bad.toml" rooms list; has "bad config key" "unknown key 'colour'" "$err"
run "missing config" 2 "$mucctl" --config "$work/none.toml" rooms list
run "unreachable" 3 "$mucctl" rooms list --token "$TOKEN" --url http://127.0.0.1:1; has "unreachable" "cannot reach" "$err"
run "bad url" 2 "$mucctl" rooms list --token "$TOKEN" --url ftp://x
export MUCCTL_TOKEN="$TOKEN"

# --- rooms ---
run "rooms list" 0 "$mucctl" rooms list
has "rooms list header" "^ID +NAME +JID +CREATED +ENDED +ACTIVE +OCCUPANTS +EVENTS$" "$out"
has "rooms list row" "^$standup +standup +standup@rooms.localhost +2026-11-20T10:00:00.000Z +- +yes +1 +254$" "$out"
has "rooms list footer" "^page 1 of 1, 3 rooms$" "$out"
lines "rooms list lines" 5 "$out"
run "rooms list csv" 0 "$mucctl" rooms list --csv --active
has "csv header" "^id,name,jid,created,ended,active,occupants,event_count$" "$out"
has "csv row" "^$standup,standup,standup@rooms.localhost,2026-11-20T10:00:00.000Z,,yes,1,254$" "$out"
lines "csv lines" 2 "$out"
run "rooms list json" 0 "$mucctl" rooms list --json --ended --per-page 1
has "json total" '"total":2' "$out"; has "json per_page" '"per_page":1' "$out"
run "rooms by name and time" 0 "$mucctl" rooms list --csv --name standup --since 2026-10-01T00:00:00Z --until 2026-11-01T00:00:00Z
lines "rooms by name and time" 2 "$out"; has "rooms by name and time" "^00000000-0000-7000-8000-000000000003," "$out"
run "rooms bad since" 1 "$mucctl" rooms list --since yesterday; has "rooms bad since" "'since'" "$err"; has "rooms bad since code" "HTTP 400 invalid_parameter" "$err"
run "rooms show" 0 "$mucctl" rooms show "$standup"
has "rooms show jid" "^jid +standup@rooms.localhost$" "$out"; has "rooms show config" '^config +\{"name":"Daily standup"' "$out"
hasnt "rooms show no hash" "pbkdf2" "$out"
has "rooms show report" "^usable_time +29m58s$" "$out"; has "rooms show live" "^ended +no, live$" "$out"
has "rooms show participant" "^alice +- +1 +2026-11-20T10:00:01.000Z +29m59s +-$" "$out"
hasnt "rooms show no calls" "^P2P sessions$" "$out"
run "rooms show csv" 0 "$mucctl" rooms show "$standup" --csv; lines "rooms show csv" 2 "$out"
has "rooms show csv report" ",1800000,2,2,2,2,2000,1798000,0,0,0,0,0,0$" "$out"
run "rooms show json" 0 "$mucctl" rooms show "$standup" --json; has "rooms show json" "^\{\"id\":\"$standup\"" "$out"
# One naming rule: the id, the bare JID and the local part; a reused JID means the live room.
run "rooms show by name" 0 "$mucctl" rooms show standup; has "rooms show by name" "^id +$standup$" "$out"
run "rooms show by jid" 0 "$mucctl" rooms show standup@rooms.localhost; has "rooms show by jid" "^id +$standup$" "$out"
run "rooms show ended by name" 0 "$mucctl" rooms show retro; has "rooms show ended" "^active +no$" "$out"
run "rooms show missing" 1 "$mucctl" rooms show 00000000-0000-7000-8000-0000000000ff; has "rooms show missing" "no room with id" "$err"
run "rooms show missing name" 1 "$mucctl" rooms show nosuch; has "rooms show missing name" "no room named nosuch" "$err"
run "rooms show bad name" 1 "$mucctl" rooms show 'a b'; has "rooms show bad name" "'room'|'id'" "$err"

# --- users ---
run "users show" 0 "$mucctl" users show "$bob"
has "users show type" "^type +mobile$" "$out"; has "users show ended" "^ended_reason +left$" "$out"
run "users show missing" 1 "$mucctl" users show 00000000-0000-7000-8000-0000000000ff

# --- events ---
run "events tail" 0 "$mucctl" events tail --lines 3
has "events tail header" "^TIME +TYPE +ROOM +SEQ +ACTOR +PEER +DATA$" "$out"
lines "events tail lines" 4 "$out"
has "events tail newest last" "occupant_left +standup@rooms.localhost +254 +$bob" "$(tail -1 <<<"$out")"
run "events tail json room" 0 "$mucctl" events tail --room retro@rooms.localhost --json --lines 100
lines "events tail json room" 5 "$out"; has "events json first" '^\{"id":"00000000-0000-7000-8000-000000000301"' "$(head -1 <<<"$out")"
run "events tail csv type" 0 "$mucctl" events tail --csv --type room_created --lines 10
lines "events tail csv type" 4 "$out"; has "csv type header" "^time,type,room,seq,actor,peer,data,id,room_id$" "$out"
run "events since" 0 "$mucctl" events tail --csv --since 2026-11-20T10:00:00Z --room "$standup"
lines "events since pages through all" 255 "$out"
run "events bad type" 1 "$mucctl" events tail --type nonsense; has "events bad type" "'type'" "$err"
run "events no match" 0 "$mucctl" events tail --actor 00000000-0000-7000-8000-0000000000ff
lines "events no match shows header" 1 "$out"

# --- messages (the archive rows the materialiser keeps, written here from the seed's messages) ---
psql "$MUCSTREAM_TEST_PG" -X -q -v ON_ERROR_STOP=1 -c \
  "INSERT INTO archive (room_id, stanza_id, room, time, seq, sessionid, nick, payload, ordinal)
   SELECT room_id, id, room, time, seq, actor, data->>'nick', data->>'payload',
          row_number() OVER (PARTITION BY room_id ORDER BY id) FROM events WHERE type = 'message_sent'"
run "messages without content" 4 env MUCCTL_TOKEN="$NUMBERS_TOKEN" "$mucctl" messages list standup --limit 3
has "messages without content" "needs the content claim" "$err"
run "messages list" 0 "$mucctl" messages list standup --limit 3
has "messages list header" "^TIME +NICK +TEXT +ID$" "$out"; has "messages newest first" "bob +message 250 " "$(sed -n 2p <<<"$out")"
has "messages more" "more with --cursor" "$out"
run "messages list by id after" 0 "$mucctl" messages list "$standup" --after 00000000-0000-7000-8000-0000000010f9 --csv
lines "messages after" 2 "$out"; has "messages after" "message 250" "$out"
run "messages list json" 0 "$mucctl" messages list standup@rooms.localhost --limit 1 --json
has "messages json" '"room_id":"'"$standup"'"' "$out"
run "users rooms" 0 "$mucctl" users rooms carol@localhost
has "users rooms" "^retro@rooms.localhost +no +.*carol: it's" "$out"
alice_token=$("$mucctl" token create --role user --subject alice@localhost --jwt-secret "$secret")
run "user token reads own room" 0 "$mucctl" messages list standup --limit 1 --token "$alice_token"
run "user token other room" 4 "$mucctl" messages list retro --token "$alice_token"
run "user token needs subject" 2 "$mucctl" token create --role user --jwt-secret "$secret"

# --- report ---
run "report summary" 0 "$mucctl" report summary --since 2026-10-01T00:00:00Z --until 2026-12-01T00:00:00Z
has "report rooms" "^rooms_created +3$" "$out"; has "report mean" "^duration_mean_s +3600$" "$out"
has "report peak" "^peak_concurrent_occupants +2$" "$out"; has "report messages" "^messages +251$" "$out"
has "report by type" '^sessions_by_type +\{"mobile":1,"browser":2\}$|^sessions_by_type +\{"browser":2,"mobile":1\}$' "$out"
run "report summary csv" 0 "$mucctl" report summary --since 2026-10-01T00:00:00Z --until 2026-11-01T00:00:00Z --csv
lines "report summary csv" 2 "$out"; has "report csv header" "^since,until,rooms_created," "$out"
# Checked before any request, like events tail --since: a usage error naming the flag.
run "report bad until" 2 "$mucctl" report summary --until never; has "report bad until" "--until must be an RFC 3339 time" "$err"

# Follow: a new event inserted into PostgreSQL shows up.
"$mucctl" events tail --follow --interval 0.1 --lines 1 --json >"$work/follow" 2>"$work/follow.err" &
tail_pid=$!
for _ in $(seq 1 100); do [ -s "$work/follow" ] && break; sleep 0.1; done
psql "$MUCSTREAM_TEST_PG" -X -q -v ON_ERROR_STOP=1 -c \
  "INSERT INTO events (id, time, type, room, room_id, seq, actor, data) VALUES
   ('00000000-0000-7000-8000-000000000999', '2026-11-20T11:00:00Z', 'message_sent', 'standup@rooms.localhost',
    '$standup', 255, '00000000-0000-7000-8000-0000000000a1', '{\"nick\":\"alice\",\"payload\":\"<body>late</body>\"}')"
for _ in $(seq 1 100); do grep -q 000000000999 "$work/follow" && break; sleep 0.1; done
kill "$tail_pid" 2>/dev/null; wait "$tail_pid" 2>/dev/null; tail_pid=""
follow=$(cat "$work/follow")
lines "follow printed the newest then the new one" 2 "$follow"
has "follow new event" '"seq":255,.*"payload":"<body>late</body>"' "$(tail -1 <<<"$follow")"

# --- the daemon stops cleanly on SIGTERM ---
kill -TERM "$api_pid"; wait "$api_pid"; status=$?; api_pid=""
if [ "$status" = 0 ]; then ok; else bad "mucstreamd api exit $status on SIGTERM"; fi
has "api log" "signal 15: stopping" "$(cat "$work/api.log")"

echo "mucctl: $passed passed, $failed failed"
[ "$failed" = 0 ]
