#!/usr/bin/env bash
# mucstreamd refuses a bad value of a closed-set or ranged setting at start: exit code 2 and
# a message naming the setting and what it accepts; good values pass (checked with --help,
# which exits 0 after validation without starting the role).
#   settings_validation_test.sh MUCSTREAMD
set -uo pipefail
mucstreamd=$1
fails=0
refused() {  # EXPECTED_TEXT ARGS…
  local want=$1; shift
  local err rc
  err=$(MUCSTREAM_CONFIG= timeout 10 "$mucstreamd" component "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -eq 2 ] && grep -qF -- "$want" <<<"$err"; then echo "ok   refused: $*"
  else echo "FAIL $*: rc=$rc, wanted '$want' in: $err"; fails=$((fails + 1)); fi
}
accepted() {
  local rc
  MUCSTREAM_CONFIG= timeout 10 "$mucstreamd" component "$@" --help >/dev/null 2>&1; rc=$?
  if [ "$rc" -eq 0 ]; then echo "ok   accepted: $*"; else echo "FAIL accepted: $* (rc=$rc)"; fails=$((fails + 1)); fi
}
refused "commit.release) must be one of durable, immediate, got 'fast'" --commit-release fast
refused "log.format) must be one of text, json, got 'xml'" --log-format xml
refused "log.level) must be one of debug, info, warn, error" --log-level verbose
refused "commit.unavailable_ms) must be a whole number, 1 or more, got '0'" --commit-unavailable-ms 0
refused "--commit-unavailable-ms (commit.unavailable_ms) must be a whole number, 1 or more, got '5s'" --commit-unavailable-ms 5s
refused "snapshot.interval_ms) must be a whole number, 1 or more, got '-1'" --snapshot-interval-ms -1
refused "kafka.snapshot_topic) must be a Kafka topic name" --kafka-snapshot-topic ''
refused "ops.listen) must be empty or HOST:PORT with a port from 0 to 65535 (0: any free port), got 'localhost'" --ops-listen localhost
refused "ops.listen) must be empty or HOST:PORT with a port from 0 to 65535 (0: any free port), got ':99999'" --ops-listen :99999
refused "http.max_body_bytes) must be a whole number, 1 or more, got '0'" --http-max-body-bytes 0
refused "http.max_connections) must be a whole number, 1 or more, got '-5'" --http-max-connections -5
refused "--metrics-open (metrics.open) must be true or false (also yes/no, on/off, 1/0), got 'maybe'" --metrics-open maybe
refused "rooms.idle_timeout_minutes) must be a number from 0 to 5256000 (decimals allowed), got '-1'" --rooms-idle-timeout-minutes -1
refused "rooms.idle_timeout_minutes) must be a number from 0 to 5256000 (decimals allowed), got '5m'" --rooms-idle-timeout-minutes 5m
refused "--rooms-record-chat-states (rooms.record_chat_states) must be true or false (also yes/no, on/off, 1/0), got 'sometimes'" --rooms-record-chat-states sometimes
accepted --rooms-idle-timeout-minutes 0.5 --rooms-record-chat-states true
refused "archive.max_page) must be a whole number from 1 to 1000, got '0'" --archive-max-page 0
refused "archive.reader_threads) must be a whole number from 1 to 64, got '100'" --archive-reader-threads 100
refused "archive.catch_up_timeout_ms) must be a whole number, 1 or more, got '0'" --archive-catch-up-timeout-ms 0
refused "xmpp.multicast) must be auto, off or the multicast service's domain" --xmpp-multicast 'multicast example'
refused "xmpp.multicast_max_recipients) must be a whole number from 2 to 100000, got '1'" --xmpp-multicast-max-recipients 1
accepted --xmpp-multicast off --xmpp-multicast-max-recipients 1000
accepted --xmpp-multicast multicast.example.org
# the environment and TOML files are validated like flags
err=$(MUCSTREAM_COMMIT_RELEASE=later timeout 10 "$mucstreamd" component 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -qF "commit.release" <<<"$err"; then echo "ok   refused: MUCSTREAM_COMMIT_RELEASE=later"
else echo "FAIL env: rc=$rc $err"; fails=$((fails + 1)); fi
toml=$(mktemp); trap 'rm -f "$toml"' EXIT
printf '[log]\nformat = "yaml"\n' >"$toml"
err=$(timeout 10 "$mucstreamd" component --config "$toml" 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -qF "log.format" <<<"$err"; then echo "ok   refused: TOML log.format = yaml"
else echo "FAIL toml: rc=$rc $err"; fails=$((fails + 1)); fi
accepted --commit-release immediate --log-format json --commit-unavailable-ms 250 --snapshot-interval-ms 1000 \
  --kafka-snapshot-topic snaps --ops-listen 127.0.0.1:0
accepted --commit-release durable --log-format text --ops-listen '[::1]:9100'
accepted --http-max-body-bytes 65536 --http-max-connections 64 --metrics-open true
accepted --archive-max-page 1000 --archive-reader-threads 4 --archive-catch-up-timeout-ms 500
[ "$fails" -eq 0 ] && echo "all passed"
exit "$fails"
