#!/usr/bin/env bash
# `cmake --install` into a scratch prefix lays out what packagers and operators look for:
# the programs in bin/, the SQL migrations in share/mucstream/migrations, the documentation
# in share/doc/mucstream; and the installed programs print the configured version.
#   install_test.sh BUILD_DIR SOURCE_DIR VERSION
set -uo pipefail
build=$1 src=$2 version=$3
work=$(mktemp -d /tmp/mucstream-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
# shellcheck source=checks.sh
. "$(dirname "$0")/checks.sh"
file() { if [ -f "$2" ]; then ok; else bad "$1: no $2"; fi; }
same() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', wanted '$3'"; fi; }

p=$work/prefix
run "install" 0 cmake --install "$build" --prefix "$p"
for prog in mucstreamd mucctl mucbench; do
  if [ -x "$p/bin/$prog" ]; then ok; else bad "bin/$prog missing or not executable"; fi
done
n=0
for m in "$src"/sql/migrations/*.sql; do
  file "migration" "$p/share/mucstream/migrations/$(basename "$m")"
  n=$((n + 1))
done
same "migrations installed" "$(find "$p/share/mucstream/migrations" -type f | wc -l)" "$n"
for d in README.md operations.md events.md api.md api.yaml; do file "docs" "$p/share/doc/mucstream/$d"; done
same "nothing else installed" "$(ls "$p" | tr '\n' ' ')" "bin share "

run "mucstreamd --version" 0 "$p/bin/mucstreamd" --version; same "mucstreamd --version" "$out" "mucstreamd $version"
run "mucctl --version" 0 "$p/bin/mucctl" --version;         same "mucctl --version" "$out" "mucctl $version"
run "mucctl --version after options" 0 "$p/bin/mucctl" --json --version; same "mucctl --json --version" "$out" "mucctl $version"

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
