#!/usr/bin/env bash
# `systemd-analyze verify` on every unit in deploy/systemd, exactly as shipped. verify
# checks that ExecStart's program exists, so the units are checked inside a throwaway root
# (--root) holding the system's own units, the built mucstreamd at the path `cmake
# --install` gives it (/usr/local/bin) and an empty /etc/mucstream/mucstream.env.
# Any message from verify (an unknown key, a bad value) fails the test, not only its status.
# Usage: verify_units.sh DEPLOY_DIR MUCSTREAMD
set -euo pipefail
deploy=$1 mucstreamd=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: apt-get install systemd (tools/debian-packages.txt)" >&2; exit 1; }
root=$(mktemp -d /tmp/mucstream-units.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/mucstream"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$mucstreamd" "$root/usr/local/bin/mucstreamd"
: >"$root/etc/mucstream/mucstream.env"
units=()
for f in "$deploy"/systemd/*.service; do
  cp "$f" "$root/etc/systemd/system/"
  u=$(basename "$f")
  case "$u" in *@.service) u=${u%@.service}@1.service ;; esac  # a template is checked as an instance
  units+=("$u")
done
[ ${#units[@]} -ge 4 ] || { echo "expected a unit per role in $deploy/systemd, found ${#units[@]}" >&2; exit 1; }
out=$(systemd-analyze verify --root="$root" "${units[@]}" 2>&1) || { echo "$out" >&2; exit 1; }
[ -z "$out" ] || { echo "systemd-analyze verify complained:" >&2; echo "$out" >&2; exit 1; }
# Every unit runs the installed binary with a role it knows.
for f in "$deploy"/systemd/*.service; do
  role=$(sed -n 's|^ExecStart=/usr/local/bin/mucstreamd \([a-z-]*\) .*|\1|p' "$f")
  [ -n "$role" ] || { echo "$f: ExecStart is not /usr/local/bin/mucstreamd ROLE" >&2; exit 1; }
  "$mucstreamd" "$role" --help >/dev/null || { echo "$f: mucstreamd has no role '$role'" >&2; exit 1; }
done
echo "PASS: ${units[*]}"
