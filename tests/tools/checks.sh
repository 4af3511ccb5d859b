# Sourced by the shell tests that run built binaries: counting assertions over a command's
# exit status and output. The caller sets `work` (a scratch directory) first.
# shellcheck shell=bash
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# run NAME EXPECTED_STATUS CMD…: runs CMD, stdout to $out, stderr to $err, checks the status.
run() {
  local name=$1 want=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  out=$(cat "$work/out") err=$(cat "$work/err")
  if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, wanted $want; stderr: $err; stdout: ${out:0:300}"; fi
}
has() { if grep -qE -- "$2" <<<"$3"; then ok; else bad "$1: no match for /$2/ in: ${3:0:600}"; fi; }
hasnt() { if grep -qE -- "$2" <<<"$3"; then bad "$1: unexpected /$2/ in: ${3:0:400}"; else ok; fi; }
lines() { local n; n=$(printf '%s\n' "$3" | grep -c .); if [ "$n" = "$2" ]; then ok; else bad "$1: $n lines, wanted $2: ${3:0:400}"; fi; }
