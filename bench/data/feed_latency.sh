#!/usr/bin/env bash
# Change-feed latency over HTTP: `tongban demo` data (its synthetic county), served again with the
# rate limits off and logs at warn; SUBSCRIBERS Server-Sent Events subscribers of the Xihu window's
# household agreement, RATE versions/s pushed by the police system in NDJSON pushes of BATCH, for
# DURATION_S. bench/data/feed_latency.cc measures push sent -> event on each subscriber's socket.
#
#   bench/data/feed_latency.sh [BUILD_DIR]      (SUBSCRIBERS=100 RATE=5000 DURATION_S=10 BATCH=50)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$BUILD/tongban" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
POLICE=$(grep '杭州市公安局人口信息系统' "$WORK/out" | grep -oE 'tbk_[A-Za-z0-9_-]+' | head -1)
kill -TERM "$PID"; wait "$PID" || true; PID=""
CONFIG=$WORK/demo/tongban.toml
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^level = .*/level = "warn"/' "$CONFIG"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BUILD/tongban" serve -c "$CONFIG" --listen "127.0.0.1:$PORT" >"$WORK/serve.out" 2>&1 &
PID=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"login":"staff-xihu-001","password":"tongban-demo"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
read -r AGREEMENT CURSOR < <(python3 - "$PORT" "$TOKEN" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
def get(path):
    r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(r))
a = [x["id"] for x in get("/api/v1/data/agreements")["items"] if x["dataset"] == "household_registration" and x["state"] == "approved"][0]
cursor = 0
while True:  # catch up with the demo's records
    b = get(f"/api/v1/data/agreements/{a}/changes?after={cursor}&limit=1000&wait=0")
    cursor = b["next"]
    if not b["more"]: break
print(a, cursor)
PY
)
"$BUILD/bench/data/feed_latency" "$PORT" "$TOKEN" "$POLICE" "$AGREEMENT" "$CURSOR" \
  "${SUBSCRIBERS:-100}" "${RATE:-5000}" "${DURATION_S:-10}" "${BATCH:-50}"
echo "server CPU: $(ps -o times= -p "$PID" | tr -d ' ') s"
