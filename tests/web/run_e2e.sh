#!/usr/bin/env bash
# The pages in a real browser: starts `tongban demo` on a free 127.0.0.1 port in a throwaway
# folder, waits for /healthz, runs the Playwright suite (pages.mjs, playwright-core driving
# Debian's chromium) against it, saves screenshots of every page into test-artifacts/web/, stops
# the server. Then the explorer and the receipt signature checks against an intl demo cosigned by
# a `tongban witness`, and, when TONGBAN_TEST_PG is set, the whole suite again with the database on
# PostgreSQL.
# Exit 77 (CTest: skipped) when node, chromium or tests/web/node_modules is missing.
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

# start_demo NAME [demo options…]: starts a demo in $WORK/NAME on a free port, sets PID and BASE.
start_demo() {
  local name=$1; shift
  "$TONGBAN" demo --dir "$WORK/$name" --listen 127.0.0.1:0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  local port=""
  for _ in $(seq 1 300); do
    port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/$name.out" 2>/dev/null | head -1 | sed 's/.*://') || true
    [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { echo "demo exited"; tail -20 "$WORK/$name.err"; exit 1; }
    sleep 0.2
  done
  [ -n "$port" ] || { echo "FAIL: demo printed no port"; tail -20 "$WORK/$name.err"; exit 1; }
  BASE="http://127.0.0.1:$port"
  echo "demo ($name) at $BASE"
}
stop_demo() { kill -TERM "$PID"; wait "$PID" || true; PID=""; }

mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/postgresql/*.png  # last run's screenshots (FAILED-* included)
status=0
# The whole suite against the default (gm: SM3 + SM2) demo.
start_demo gm
node "$HERE/pages.mjs" --base "$BASE" --artifacts "$ARTIFACTS" --demo-output "$WORK/gm.out" || status=$?
stop_demo
# With TONGBAN_TEST_PG (scripts/test starts a throwaway PostgreSQL): the whole suite again with the
# demo's database on PostgreSQL, in a schema of its own that is dropped afterwards.
if [ -n "${TONGBAN_TEST_PG:-}" ]; then
  SCHEMA="web_e2e_$$"
  SEP='?'; case "$TONGBAN_TEST_PG" in *\?*) SEP='&';; esac
  "$TONGBAN" init --dir "$WORK/pg" --origin demo.tongban.example/ledger >/dev/null
  python3 - "$WORK/pg/tongban.toml" "$TONGBAN_TEST_PG${SEP}schema=$SCHEMA" <<'PY'
import re, sys
p, url = sys.argv[1:]
s = open(p).read()
s, n = re.subn(r'(?m)^url = "sqlite://[^"]*"', 'url = "%s"' % url, s, count=1)
assert n == 1, "no database url in the config"
open(p, "w").write(s)
PY
  start_demo pg
  node "$HERE/pages.mjs" --base "$BASE" --artifacts "$ARTIFACTS/postgresql" --demo-output "$WORK/pg.out" || status=$?
  stop_demo
  psql -q "$TONGBAN_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
fi
# The explorer against an intl (SHA-256 + Ed25519, checked with WebCrypto) demo whose checkpoints
# a `tongban witness` cosigns (as tests/cli/witness_smoke_test.sh sets one up); and the receipt
# signature checks there (Ed25519 batch and QR signatures, WebCrypto in chromium).
start_demo intl --suite intl
LOGKEY=$(curl -fsS "$BASE/api/v1/ledger/key" | sed -E 's/.*"verifier_key":"([^"]+)".*/\1/')
stop_demo
"$TONGBAN" witness --dir "$WORK/witness" --listen 127.0.0.1:0 --name w.web-test.example --log "$LOGKEY" \
  >"$WORK/witness.out" 2>"$WORK/witness.err" &
WPID=$!
for _ in $(seq 1 200); do grep -q "verifier key" "$WORK/witness.out" 2>/dev/null && break; sleep 0.1; done
WPORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/witness.out" | head -1 | sed 's/.*://')
WKEY=$(sed -n 's/^verifier key: //p' "$WORK/witness.out")
python3 - "$WORK/intl/tongban.toml" "http://127.0.0.1:$WPORT" "$WKEY" <<'PY'
import sys
p, url, key = sys.argv[1:]
s = open(p).read().replace("witness_quorum = 0", 'witness_quorum = 1\n[[ledger.witnesses]]\nurl = "%s"\nkey = "%s"' % (url, key), 1)
open(p, "w").write(s)
PY
start_demo intl --suite intl
node "$HERE/pages.mjs" --base "$BASE" --artifacts "$ARTIFACTS" --demo-output "$WORK/intl.out" \
  --suite intl --witness-key "$WKEY" --only '^(explorer|receipt: (the sample|a tampered))' || status=$?
stop_demo
kill -TERM "$WPID"; wait "$WPID" || true
# The server logs must never hold a token, a key or a full ID number.
# (33010619850312213 is the body of 张伟's synthetic ID number, which the receipt scenarios send.)
if grep -qE 'tb1\.|tbk_|tbr_|33010619850312213' "$WORK"/*.err; then
  echo "FAIL: a credential reached the server log"; status=1
fi
exit $status
