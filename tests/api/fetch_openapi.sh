#!/usr/bin/env bash
# fetch_openapi.sh TONGBAN OUT: starts `tongban demo` (every route of the real wiring) in a
# temporary folder on a free port, saves its served OpenAPI document to OUT, stops it.
# Used by the contract tests (openapi_lint_test.sh, answers_test.sh, client_test.sh).
set -euo pipefail
TONGBAN=$1
OUT=$2
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$TONGBAN" demo --dir "$WORK/demo" --suite intl --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 300); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
[ -n "$PORT" ] || { echo "FAIL: demo did not start"; tail -20 "$WORK/err"; exit 1; }
curl -fsS "http://127.0.0.1:$PORT/api/v1/openapi.json" -o "$OUT"
