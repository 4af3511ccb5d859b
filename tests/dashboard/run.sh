#!/usr/bin/env bash
# The dashboard in Debian's headless Chromium (driven by playwright-core) against `mucstreamd
# all` with PostgreSQL and Prosody: seed.py puts calls and rooms through the real pipeline,
# drive.mjs signs in with an analyst token, opens every page, checks that every figure it
# shows equals the API's JSON for the same period, that the live counts refresh by
# themselves, and that nothing is fetched from anywhere but the API process. Screenshots of
# every page go to ARTEFACTS.
#
# Usage: run.sh MUCSTREAMD MUCCTL STATE_DIR NODE_DIR ARTEFACTS
#   NODE_DIR: the browser tests' node_modules parent (tests/browser's package-lock.json,
#   installed there by `npm ci` when missing or when the lock file changed).
# Exit 77 (ctest: skipped) when the API lacks a route a page needs: the pages it has passed.
set -euo pipefail
mucstreamd=$1 mucctl=$2 state=$3 node_dir=$4 artefacts=$5
src=$(cd "$(dirname "$0")" && pwd)
browser_src=$src/../browser
chromium=${CHROMIUM:-/usr/bin/chromium}
for tool in node npm "$chromium"; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (tools/debian-packages.txt: chromium nodejs npm)" >&2; exit 1; }
done

# The same locked packages as tests/browser (playwright-core), in the build tree.
mkdir -p "$node_dir"
if ! cmp -s "$browser_src/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp "$browser_src/package.json" "$browser_src/package-lock.json" "$node_dir/"
  (cd "$node_dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || { echo "FAIL: npm ci" >&2; exit 1; }
fi

export MUCSTREAM_JWT_SECRET=dashboard-e2e-secret-0123456789abcdef
# shellcheck source=../e2e_pipeline/stack.sh
. "$src/../e2e_pipeline/stack.sh"
stack_start
http=$(free_port)
start_all "$state/all.log" --http-listen "127.0.0.1:$http"
API_URL=http://127.0.0.1:$http
ANALYST_TOKEN=$("$mucctl" token create --role analyst --ttl 30m)
# A token the API accepts but not for analytics: the sign-in form must refuse it.
USER_TOKEN=$("$mucctl" token create --role user --subject alice@localhost --ttl 30m)
export API_URL ANALYST_TOKEN USER_TOKEN STATE=$state
rm -f "$state"/seeded.json "$state"/more "$state"/more.done "$state"/done

(cd "$e2e" && PYTHONPATH="$e2e" timeout 300 "$python" "$src/seed.py" "$state") >"$state/seed.log" 2>&1 &
seeder=$!
for _ in $(seq 900); do
  [ -f "$state/seeded.json" ] && break
  kill -0 "$seeder" 2>/dev/null || { cat "$state/seed.log"; fail "seeding failed"; }
  sleep 0.2
done
[ -f "$state/seeded.json" ] || { cat "$state/seed.log"; fail "seeding did not finish"; }

rm -rf "$artefacts"; mkdir -p "$artefacts"
set +e
NODE_DIR=$node_dir ARTEFACTS=$artefacts CHROMIUM=$chromium timeout 240 node "$src/drive.mjs"
browser_rc=$?
touch "$state/done"
wait "$seeder"
seed_rc=$?
set -e
cat "$state/seed.log"
echo "screenshots: $artefacts"
[ "$seed_rc" = 0 ] || fail "the seeding clients failed ($seed_rc)"
case $browser_rc in
  0) echo "PASS: every dashboard page rendered in Chromium with the API's figures" ;;
  77) echo "SKIPPED in part: the pages above that passed ran; see the SKIPPED lines"; exit 77 ;;
  *) fail "the dashboard check failed ($browser_rc)" ;;
esac
