#!/usr/bin/env bash
# The dashboard in Debian's headless Chromium with a tenant's token: `mucstreamd api` over a
# PostgreSQL holding two tenants' rooms (tenants_seed.sql); tenants.mjs signs in with a
# token for rooms.acme.example and then with one for every tenant, and checks the header
# says whose figures they are and that the figures are that tenant's (or everyone's).
#
# Usage: tenants.sh MUCSTREAMD MUCCTL NODE_DIR ARTEFACTS (a throwaway PostgreSQL: pg.sh).
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MUCSTREAM_TEST_PG:-}" ]; then
  exec "$src/../scripts/pg.sh" run -- "$0" "$@"
fi
mucstreamd=$1 mucctl=$2 node_dir=$3 artefacts=$4
browser_src=$src/../browser
chromium=${CHROMIUM:-/usr/bin/chromium}
for tool in node npm psql "$chromium"; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (tools/debian-packages.txt)" >&2; exit 1; }
done
mkdir -p "$node_dir"
if ! cmp -s "$browser_src/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp "$browser_src/package.json" "$browser_src/package-lock.json" "$node_dir/"
  (cd "$node_dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci" >&2; exit 1; }
fi

pg=$MUCSTREAM_TEST_PG
"$mucstreamd" migrate --pg "$pg" >/dev/null
psql "$pg" -X -q -v ON_ERROR_STOP=1 -1 -f "$src/tenants_seed.sql" >/dev/null
psql "$pg" -X -q -v ON_ERROR_STOP=1 -c "SELECT mucstream_recompute_rollups()" >/dev/null
"$mucstreamd" reports --recompute --all --pg "$pg" >/dev/null

export MUCSTREAM_JWT_SECRET=dashboard-tenants-secret-0123456789abcdef
rm -rf "$artefacts"; mkdir -p "$artefacts"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mucstreamd" api --pg "$pg" --jwt-secret "$MUCSTREAM_JWT_SECRET" --http-listen "127.0.0.1:$port" >"$artefacts/api.log" 2>&1 &
api_pid=$!
trap 'kill -TERM "$api_pid" 2>/dev/null; wait "$api_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || { cat "$artefacts/api.log"; echo "FAIL: mucstreamd api exited" >&2; exit 1; }
  sleep 0.1
done
API_URL=http://127.0.0.1:$port
TENANT_TOKEN=$("$mucctl" token create --role analyst --tenant rooms.acme.example --ttl 30m)
ALL_TOKEN=$("$mucctl" token create --role analyst --ttl 30m)
export API_URL TENANT_TOKEN ALL_TOKEN
NODE_DIR=$node_dir ARTEFACTS=$artefacts CHROMIUM=$chromium timeout 120 node "$src/tenants.mjs"
echo "PASS: the dashboard shows the tenant of its token and that tenant's figures only (screenshots: $artefacts)"
