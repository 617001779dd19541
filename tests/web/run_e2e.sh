#!/usr/bin/env bash
# The pages in a real browser: starts `tongban demo` on a free 127.0.0.1 port in a throwaway
# folder, waits for /healthz, runs the Playwright suite (pages.mjs, playwright-core driving
# Debian's chromium) against it, saves screenshots of every page into test-artifacts/web/, stops
# the server. Exit 77 (CTest: skipped) when node, chromium or tests/web/node_modules is missing.
#   tests/web/run_e2e.sh build/tongban [artifacts-dir]
set -euo pipefail
TONGBAN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ARTIFACTS=${2:-$HERE/../../test-artifacts/web}
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium is not installed"; exit 77; }
[ -d "$HERE/node_modules/playwright-core" ] || { echo "SKIP: run scripts/setup (npm ci in tests/web)"; exit 77; }

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
PORT=""
for _ in $(seq 1 300); do
  PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" 2>/dev/null | head -1 | sed 's/.*://') || true
  [ -n "$PORT" ] && curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "demo exited"; tail -20 "$WORK/err"; exit 1; }
  sleep 0.2
done
[ -n "$PORT" ] || { echo "FAIL: demo printed no port"; tail -20 "$WORK/err"; exit 1; }
BASE="http://127.0.0.1:$PORT"
echo "demo at $BASE"

mkdir -p "$ARTIFACTS"
status=0
node "$HERE/pages.mjs" --base "$BASE" --artifacts "$ARTIFACTS" --demo-output "$WORK/out" || status=$?
# The server log must never hold a token, a key or a full ID number.
if grep -qE 'tb1\.|tbk_|tbr_' "$WORK/err"; then echo "FAIL: a credential reached the server log"; status=1; fi
exit $status
