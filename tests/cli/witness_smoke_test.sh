#!/usr/bin/env bash
# End to end: a Tongban log requiring 1 witness cosignature publishes its checkpoint only with
# the cosignature of a `tongban witness` process, over real HTTP on 127.0.0.1; without a
# reachable witness it publishes nothing (503) rather than an unwitnessed checkpoint.
set -euo pipefail
TONGBAN=$1
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.out "$WORK"/*.err; do echo "--- $f"; tail -5 "$f"; done; exit 1; }
wait_for() { for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; fail "waiting for '$2' in $1"; }

for SUITE in intl gm; do
  LOG="$WORK/log-$SUITE"
  "$TONGBAN" init --dir "$LOG" --suite "$SUITE" --origin "witness-test.$SUITE.example/ledger" >/dev/null
  # The log's verifier key, from its first start.
  "$TONGBAN" demo --dir "$LOG" --listen 127.0.0.1:0 >"$WORK/a-$SUITE.out" 2>"$WORK/a-$SUITE.err" & PIDS+=($!)
  wait_for "$WORK/a-$SUITE.out" "demo is ready"
  PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/a-$SUITE.out" | head -1 | sed 's/.*://')
  LOGKEY=$(curl -fsS "127.0.0.1:$PORT/api/v1/ledger/key" | sed -E 's/.*"verifier_key":"([^"]+)".*/\1/')
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" || true

  # A witness for it.
  "$TONGBAN" witness --dir "$WORK/w-$SUITE" --listen 127.0.0.1:0 --name "w.$SUITE.example" \
    --log "$LOGKEY" >"$WORK/w-$SUITE.out" 2>"$WORK/w-$SUITE.err" & PIDS+=($!)
  WPID=${PIDS[-1]}
  wait_for "$WORK/w-$SUITE.out" "verifier key"
  WPORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/w-$SUITE.out" | head -1 | sed 's/.*://')
  WKEY=$(sed -n 's/^verifier key: //p' "$WORK/w-$SUITE.out")
  python3 - "$LOG/tongban.toml" "http://127.0.0.1:$WPORT" "$WKEY" <<'PY'
import sys
p, url, key = sys.argv[1:]
s = open(p).read().replace("witness_quorum = 0", 'witness_quorum = 1\n[[ledger.witnesses]]\nurl = "%s"\nkey = "%s"' % (url, key), 1)
open(p, "w").write(s)
PY

  "$TONGBAN" demo --dir "$LOG" --listen 127.0.0.1:0 >"$WORK/b-$SUITE.out" 2>"$WORK/b-$SUITE.err" & PIDS+=($!)
  LPID=${PIDS[-1]}
  wait_for "$WORK/b-$SUITE.out" "demo is ready"
  PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/b-$SUITE.out" | head -1 | sed 's/.*://')
  OK=""
  for _ in $(seq 1 50); do
    if curl -fsS "127.0.0.1:$PORT/ledger/checkpoint" 2>/dev/null | grep -q "^— w.$SUITE.example "; then OK=1; break; fi
    sleep 0.1
  done
  [ -n "$OK" ] || fail "$SUITE: no cosigned checkpoint published"
  kill -TERM "$LPID"; wait "$LPID" || true
  kill -TERM "$WPID"; wait "$WPID" || true
done

# A fresh log requiring a witness that is not running publishes nothing.
"$TONGBAN" init --dir "$WORK/lonely" --suite intl --origin lonely.example/ledger >/dev/null
python3 - "$WORK/lonely/tongban.toml" "$WKEY" <<'PY'
import sys
p, key = sys.argv[1:]
s = open(p).read().replace("witness_quorum = 0", 'witness_quorum = 1\n[[ledger.witnesses]]\nurl = "http://127.0.0.1:9"\nkey = "%s"' % key, 1)
open(p, "w").write(s)
PY
"$TONGBAN" serve --config "$WORK/lonely/tongban.toml" --listen 127.0.0.1:0 >"$WORK/c.out" 2>"$WORK/c.err" & PIDS+=($!)
wait_for "$WORK/c.err" '"listening"'
PORT=$(grep -oE '"port":[0-9]+' "$WORK/c.err" | head -1 | sed 's/.*://')
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$PORT/ledger/checkpoint")
[ "$STATUS" = "503" ] || fail "unwitnessed checkpoint served with status $STATUS"
echo "witness smoke test passed"
