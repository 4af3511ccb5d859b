#!/usr/bin/env bash
# The settings examples in deploy/ say only what mucstreamd understands: the TOML example
# is loaded by every long-running role (an unknown key is an error there), and every
# MUCSTREAM_ variable of the env example is one that `--help` lists.
# Usage: check_examples.sh DEPLOY_DIR MUCSTREAMD
set -euo pipefail
deploy=$1 mucstreamd=$2
for role in component materialize api all; do
  env -i PATH="$PATH" "$mucstreamd" "$role" --config "$deploy/mucstream.example.toml" --help >/dev/null \
    || { echo "mucstreamd $role does not accept $deploy/mucstream.example.toml" >&2; exit 1; }
done
help=$("$mucstreamd" all --help)
for v in $(grep -oE '^#? ?MUCSTREAM_[A-Z0-9_]+' "$deploy/mucstream.example.env" | sed 's/^# \?//' | grep -v '^MUCSTREAM_KAFKA__'); do
  grep -qw "$v" <<<"$help" || { echo "$deploy/mucstream.example.env: $v is not a mucstreamd setting" >&2; exit 1; }
done
# The units' own Environment= lines too.
for v in $(grep -ohE '^Environment=MUCSTREAM_[A-Z0-9_]+' "$deploy"/systemd/*.service | cut -d= -f2 | sort -u); do
  grep -qw "$v" <<<"$help" || { echo "deploy/systemd: $v is not a mucstreamd setting" >&2; exit 1; }
done
echo PASS
