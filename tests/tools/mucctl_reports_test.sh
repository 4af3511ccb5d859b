#!/usr/bin/env bash
# mucctl report rooms|p2p|media and mucctl migrate, end to end: the built mucctl against
# `mucstreamd api` over the PostgreSQL that with_postgres.sh started and seeded with
# tests/analytics/fixtures/calls.sql (whose comments work out the figures checked here).
#   mucctl_reports_test.sh MUCCTL MUCSTREAMD MIGRATIONS_DIR   (MUCSTREAM_TEST_PG set by with_postgres.sh)
set -uo pipefail
mucctl=$1 mucstreamd=$2 migrations=$3
: "${MUCSTREAM_TEST_PG:?run through with_postgres.sh}"
work=$(mktemp -d /tmp/mucctl-reports.XXXXXX)
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
unset MUCCTL_URL MUCCTL_TOKEN MUCCTL_CONFIG MUCSTREAM_JWT_SECRET MUCSTREAM_PG
export HOME="$work/home" XDG_CONFIG_HOME=""
mkdir -p "$HOME"

# shellcheck source=checks.sh
. "$(dirname "$0")/checks.sh"

secret="mucctl-reports-secret-0123456789abcdef"
call=00000000-0000-7000-8000-000000000010
ended=00000000-0000-7000-8000-000000000011
bob=00000000-0000-7000-8000-0000000000b2
day=(--from 2026-11-21T00:00:00Z --to 2026-11-22T00:00:00Z)
known=$(ls "$migrations"/*.sql | wc -l)

# --- help and usage errors (no server needed) ---
for c in "report rooms" "report p2p" "report media" "report summary" "migrate"; do
  run "$c --help" 0 "$mucctl" $c --help;            has "$c --help" "^usage: mucctl $c" "$out"
done
run "report group help" 0 "$mucctl" report --help; has "report group help" "^  media$" "$out"
run "main help lists migrate" 0 "$mucctl" --help;   has "main help" "^  migrate " "$out"; has "main help" "^  report p2p " "$out"
run "bad from" 2 "$mucctl" report p2p --from yesterday; has "bad from" "--from must be an RFC 3339 time" "$err"
run "from and since" 2 "$mucctl" report rooms --from 2026-11-21T00:00:00Z --since 2026-11-21T00:00:00Z
has "from and since" "same option" "$err"
run "media unknown option" 2 "$mucctl" report media --colour blue; has "media unknown option" "unknown option --colour for 'report media'" "$err"
run "migrate extra argument" 2 "$mucctl" migrate now; has "migrate extra argument" "'migrate' takes 0 argument" "$err"

# --- migrate ---
run "migrate without pg" 2 "$mucctl" migrate;      has "migrate without pg" "no PostgreSQL connection string" "$err"
run "migrate up to date" 0 "$mucctl" migrate --pg "$MUCSTREAM_TEST_PG"
has "migrate up to date" "^schema up to date: 0 applied now, $known known$" "$out"
psql "$MUCSTREAM_TEST_PG" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE fresh" || bad "create database fresh"
fresh="${MUCSTREAM_TEST_PG/dbname=postgres/dbname=fresh}"
run "migrate fresh" 0 "$mucctl" migrate --pg "$fresh"
lines "migrate fresh lines" $((known + 1)) "$out"
has "migrate fresh first" "^applied 0001_events$" "$out"; has "migrate fresh views" "^applied 0004_call_views$" "$out"
has "migrate fresh summary" "^schema up to date: $known applied now, $known known$" "$out"
n=$(psql "$fresh" -X -At -c "SELECT count(*) FROM schema_migrations")
if [ "$n" = "$known" ]; then ok; else bad "schema_migrations has $n rows, wanted $known"; fi
n=$(psql "$fresh" -X -At -c "SELECT count(*) FROM room_timeline")
if [ "$n" = "0" ]; then ok; else bad "fresh room_timeline: $n"; fi
run "migrate again (env)" 0 env MUCSTREAM_PG="$fresh" "$mucctl" migrate --json
has "migrate again json" "^\{\"applied\":\[\],\"known\":$known\}$" "$out"
printf 'pg = "%s"\n' "$fresh" >"$work/conf.toml"
run "migrate from config" 0 "$mucctl" --config "$work/conf.toml" migrate --csv
lines "migrate csv header only" 1 "$out"; has "migrate csv" "^migration$" "$out"
run "migrate flag beats env" 0 env MUCSTREAM_PG="host=127.0.0.1 port=1" "$mucctl" migrate --pg "$fresh"
run "migrate unreachable" 3 "$mucctl" migrate --pg "host=127.0.0.1 port=1 user=postgres connect_timeout=2"
has "migrate unreachable" "^mucctl: cannot connect to PostgreSQL: .*(refused|127\.0\.0\.1)" "$err"
run "migrate malformed pg" 3 "$mucctl" migrate --pg "nonsense"
has "migrate malformed pg" "cannot connect to PostgreSQL: .*nonsense" "$err"
run "migrate no such database" 3 "$mucctl" migrate --pg "${MUCSTREAM_TEST_PG/dbname=postgres/dbname=nosuch}"
has "migrate no such database" "database \"nosuch\" does not exist" "$err"

# --- the API ---
# Media rows and reports name people (userid): an analyst token with content reads them.
TOKEN=$(MUCSTREAM_JWT_SECRET="$secret" "$mucctl" token create --role analyst --content --ttl 1h)
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
export MUCCTL_URL="http://127.0.0.1:$port"
run "report without token" 4 "$mucctl" report p2p "${day[@]}"
export MUCCTL_TOKEN="$TOKEN"

# --- report rooms ---
run "report rooms" 0 "$mucctl" report rooms "${day[@]}"
has "rooms header" "^ROOM_ID +JID +CREATED +ENDED +DURATION_S +SESSIONS +PEOPLE +CALLS +FAILED +INTERRUPTED +CALL_S$" "$out"
has "rooms call row" "^$call +call@rooms.localhost +2026-11-21T09:00:00.000Z +- +[0-9]+ +3 +3 +4 +2 +1 +1320$" "$out"
has "rooms ended row" "^$ended +ended@rooms.localhost +2026-11-21T12:00:00.000Z +2026-11-21T13:00:00.000Z +3600 +2 +2 +1 +0 +1 +1800$" "$out"
has "rooms footer" "^page 1 of 1, 2 rooms$" "$out"
run "report rooms csv" 0 "$mucctl" report rooms "${day[@]}" --csv --per-page 1 --page 2
lines "rooms csv" 2 "$out"
has "rooms csv header" "^room_id,jid,created,ended,duration_seconds,sessions,participants,p2p_sessions,p2p_failed,p2p_interrupted,call_seconds$" "$out"
has "rooms csv row" "^$ended,ended@rooms.localhost,2026-11-21T12:00:00.000Z,2026-11-21T13:00:00.000Z,3600,2,2,1,0,1,1800$" "$out"
run "report rooms json" 0 "$mucctl" report rooms --since 2026-11-21T00:00:00Z --until 2026-11-22T00:00:00Z --json
has "rooms json" '"total":2' "$out"; has "rooms json call" '"p2p_sessions":4,"p2p_failed":2' "$out"
run "report rooms empty" 0 "$mucctl" report rooms --from 2026-10-01T00:00:00Z --to 2026-10-02T00:00:00Z
has "rooms empty" "^page 1 of 1, 0 rooms$" "$out"
run "report rooms long period" 1 "$mucctl" report rooms --from 2024-01-01T00:00:00Z --to 2026-01-01T00:00:00Z
has "rooms long period" "longer than 366 days" "$err"

# --- report p2p ---
run "report p2p" 0 "$mucctl" report p2p "${day[@]}"
for want in "sessions +5" "completed +1" "failed +2" "interrupted +2" "ongoing +0" "with_stats +4" "relayed +2" \
            "relayed_share +0.5" "duration_mean_s +780" "duration_p95_s +1620" "duration_total_s +3120" "samples +7" \
            "rtt_median_ms +60" "rtt_p95_ms +170" "jitter_mean_ms +12" "packet_loss_mean +0.07" "packet_loss_p95 +0.24" \
            "room +-"; do
  has "p2p $want" "^$want$" "$out"
done
run "report p2p room csv" 0 "$mucctl" report p2p "${day[@]}" --room "$call" --csv
lines "p2p csv" 2 "$out"
has "p2p csv header" "^since,until,room,sessions,completed,failed,interrupted,ongoing,with_stats,relayed,relayed_share," "$out"
has "p2p csv row" "^2026-11-21T00:00:00.000Z,2026-11-22T00:00:00.000Z,$call,4,1,2,1,0,3,2,0.6667,440,588,1320,6,70,175," "$out"
run "report p2p json" 0 "$mucctl" report p2p "${day[@]}" --json
has "p2p json" '"relayed_share":0.5' "$out"; has "p2p json rtt" '"rtt_ms":\{"median":60' "$out"
run "report p2p bad room" 1 "$mucctl" report p2p --room 'bad room'; has "p2p bad room" "'room'" "$err"
has "p2p bad room code" "HTTP 400 invalid_parameter" "$err"
run "report p2p unknown room" 1 "$mucctl" report p2p --room 00000000-0000-7000-8000-0000000000ff
has "p2p unknown room" "no room with id" "$err"

# --- report media ---
run "report media" 0 "$mucctl" report media "${day[@]}"
has "media header" "^SESSION +NICK +USERID +JOINED +LEFT +PRESENT_S +AUDIO_PAUSED_S +VIDEO_PAUSED_S +SCREEN_S +SHARES$" "$out"
has "media bob" "^$bob +bob +bob@localhost +2026-11-21T09:01:00.000Z +2026-11-21T09:20:00.000Z +1140 +60 +120 +0 +0$" "$out"
has "media carol" "^00000000-0000-7000-8000-0000000000c2 +carol .* +1680 +0 +0 +360 +2$" "$out"
has "media totals" "^total: 5 sessions, audio paused 1950 s \(3 sessions\), video paused [0-9]+ s \(2 sessions\), screen shared 360 s \(1 sessions\)$" "$out"
has "media footer" "^page 1 of 1, 5 sessions$" "$out"
run "report media room csv" 0 "$mucctl" report media "${day[@]}" --room "$ended" --csv
lines "media csv" 3 "$out"
has "media csv header" "^session,nick,userid,room_id,joined,left,present_seconds,audio_paused_seconds,video_paused_seconds,screen_share_seconds,screen_shares$" "$out"
has "media csv eve" "^00000000-0000-7000-8000-0000000000e1,eve,eve@localhost,$ended,2026-11-21T12:05:00.000Z,2026-11-21T13:00:00.000Z,3300,1800,0,0,0$" "$out"
run "report media json page" 0 "$mucctl" report media "${day[@]}" --json --per-page 2 --page 3
has "media json" '"total":5' "$out"; has "media json page" '"page":3' "$out"; has "media json totals" '"audio_paused_seconds":1950' "$out"
run "report media bad page" 1 "$mucctl" report media --page 0; has "media bad page" "'page'" "$err"

# --- rooms show: one room with its report (GET /v1/rooms/{id} reports) ---
run "rooms show report" 0 "$mucctl" rooms show "$call"
has "show report heading" "^Report$" "$out"
has "show report wait" "^initial_wait +1m00s$" "$out"
has "show report usable" "^usable_time +29m00s$" "$out"
has "show report p2p" "^p2p_sessions +4$" "$out"; has "show report failed" "^p2p_failed +2$" "$out"
has "show report p2p time" "^p2p_time +22m00s$" "$out"
has "show participants header" "^NICK +USERID +SESSIONS +FIRST_JOINED +PRESENT +SPEAKING$" "$out"
has "show participant bob" "^bob +- +1 +2026-11-21T09:01:00.000Z +19m00s +-$" "$out"
has "show p2p header" "^SID +INITIATOR +RESPONDER +MEDIA +STARTED +DURATION +OUTCOME +REASON +SOURCE$" "$out"
has "show p2p failed row" "^s2 +[0-9a-f-]+a2 +[0-9a-f-]+c2 +audio +2026-11-21T09:06:00.000Z +4m00s +failed +failed-transport +jingle$" "$out"
has "show p2p interrupted row" "^s3 .* +8m00s +interrupted +left +jingle$" "$out"
run "rooms show ended report" 0 "$mucctl" rooms show "$ended"
has "show ended" "^ended +2026-11-21T13:00:00.000Z \(done\)$" "$out"
run "rooms show report csv" 0 "$mucctl" rooms show "$ended" --csv
lines "show csv" 2 "$out"
has "show csv header" ",config,report_as_of_ms,report_duration_ms,report_peak_sessions,report_peak_participants,report_participants,report_sessions,report_initial_wait_ms,report_usable_ms,report_p2p_count,report_p2p_completed,report_p2p_failed,report_p2p_interrupted,report_p2p_open,report_p2p_total_ms$" "$out"
has "show csv figures" ",3600000,2,2,2,2,300000,3300000,1,0,1,0,0,1800000$" "$out"
run "rooms show report json" 0 "$mucctl" rooms show "$call" --json
has "show json report" '"reports":\{.*"source": "jingle"' "$out"

kill -TERM "$api_pid"; wait "$api_pid"; api_pid=""
echo "mucctl reports: $passed passed, $failed failed"
[ "$failed" = 0 ]
