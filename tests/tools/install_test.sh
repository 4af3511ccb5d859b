#!/usr/bin/env bash
# `cmake --install` into a scratch prefix lays out what packagers and operators look for:
# the programs in bin/, the SQL migrations in share/mucstream/migrations, the documentation
# in share/doc/mucstream with the settings examples in its examples/, the systemd units in
# lib/systemd/system running the installed mucstreamd, the ejabberd module in
# lib/mucstream/ejabberd when it was built; and the installed programs print the configured
# version. Installed with DESTDIR for a package, the units pass `systemd-analyze verify` where
# they were put.
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
for e in mucstream.example.toml mucstream.example.env; do file "examples" "$p/share/doc/mucstream/examples/$e"; done
# The ejabberd module, built when the build machine has erlc and ejabberd (docs/operations.md).
if [ -f "$build/ejabberd/mod_mucstream_multicast.beam" ]; then
  file "ejabberd module" "$p/lib/mucstream/ejabberd/mod_mucstream_multicast.beam"
fi
for role in component materialize api all; do
  run "installed mucstreamd $role reads the installed example" 0 \
    env -i PATH="$PATH" "$p/bin/mucstreamd" "$role" --config "$p/share/doc/mucstream/examples/mucstream.example.toml" --help
done
n=0
for u in "$src"/deploy/systemd/*.service; do
  name=$(basename "$u") n=$((n + 1))
  file "unit" "$p/lib/systemd/system/$name"
  role=$(sed -n 's|^ExecStart=/usr/local/bin/mucstreamd \([a-z]*\) .*|\1|p' "$u")
  same "$name runs the installed mucstreamd" "$(grep '^ExecStart=' "$p/lib/systemd/system/$name")" \
    "ExecStart=$p/bin/mucstreamd $role --config /etc/mucstream/mucstream.toml"
  doc=$(sed -n 's|^Documentation=file:||p' "$p/lib/systemd/system/$name")
  file "$name's Documentation=" "$doc"
done
same "units installed" "$(find "$p/lib/systemd/system" -type f | wc -l)" "$n"
same "nothing else installed" "$(ls "$p" | tr '\n' ' ')" "bin lib share "

# A package's layout: DESTDIR + /usr/local; the units name the final paths, not DESTDIR's.
dest=$work/dest
run "install with DESTDIR" 0 env DESTDIR="$dest" cmake --install "$build" --prefix /usr/local
same "unit with DESTDIR" "$(grep '^ExecStart=' "$dest/usr/local/lib/systemd/system/mucstreamd-all.service")" \
  "ExecStart=/usr/local/bin/mucstreamd all --config /etc/mucstream/mucstream.toml"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$dest/usr/lib/systemd" "$dest/etc/mucstream"
  cp -a /usr/lib/systemd/system "$dest/usr/lib/systemd/"
  : >"$dest/etc/mucstream/mucstream.env"
  units=()
  for u in "$dest"/usr/local/lib/systemd/system/*.service; do
    name=$(basename "$u"); case "$name" in *@.service) name=${name%@.service}@1.service ;; esac
    units+=("$name")
  done
  run "systemd-analyze verify of the installed units" 0 systemd-analyze verify --root="$dest" "${units[@]}"
  same "systemd-analyze verify says nothing" "$out$err" ""
else
  bad "systemd-analyze missing: apt-get install systemd (tools/debian-packages.txt)"
fi

run "mucstreamd --version" 0 "$p/bin/mucstreamd" --version; same "mucstreamd --version" "$out" "mucstreamd $version"
run "mucctl --version" 0 "$p/bin/mucctl" --version;         same "mucctl --version" "$out" "mucctl $version"
run "mucctl --version after options" 0 "$p/bin/mucctl" --json --version; same "mucctl --json --version" "$out" "mucctl $version"

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
