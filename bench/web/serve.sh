#!/usr/bin/env bash
# Serving the pages under load (wrk on 127.0.0.1): a page, a module, the 250 kB QR decoder and the
# public receipt verification a verify page asks for, beside tongban's own /healthz in the same
# run (ratios, not absolute figures: the machines are shared and noisy).
#
#   bench/web/serve.sh [BUILD_DIR]      (default build/, Release)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup installs it)"; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BUILD/tongban" init --dir "$WORK/demo" --origin bench.tongban.example/ledger >/dev/null
# Load comes from one address: lift the rate limits.
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/' "$WORK/demo/tongban.toml"
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$PORT" >"$WORK/out" 2>"$WORK/log" &
PID=$!
for _ in $(seq 1 300); do curl -fs "127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
B="http://127.0.0.1:$PORT"

# A demo receipt's QR text, as the citizen sees it.
TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"login":"13800000001","password":"tongban-demo"}' \
  "$B/api/v1/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
QR=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$B/api/v1/me/receipts" | python3 -c '
import json, sys, urllib.request
r = json.load(sys.stdin)["items"][0]
req = urllib.request.Request(sys.argv[1] + "/api/v1/receipts/%s/%s" % (r["code"], r["number"]),
                             headers={"Authorization": "Bearer " + sys.argv[2]})
print(urllib.parse.quote(json.load(urllib.request.urlopen(req))["qr_text"], safe=""))' "$B" "$TOKEN")

run() {  # path → "req/s p99 bytes/req"
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$B$1")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')"
}
printf "| %-44s | %10s | %8s | %6s |\n|---|---|---|---|\n" target req/s p99 ratio
read -r base p99 < <(run /healthz)
printf "| %-44s | %10s | %8s | %6s |\n" "/healthz (baseline)" "$base" "$p99" "1.00"
for t in /verify /static/shell.js /static/jsqr.js "/api/v1/receipts/verify?qr=$QR"; do
  read -r rps p99 < <(run "$t")
  name=$t; [ ${#name} -gt 44 ] && name="${name:0:30}… (a demo receipt)"
  printf "| %-44s | %10s | %8s | %6s |\n" "$name" "$rps" "$p99" "$(awk -v a="$rps" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
done
