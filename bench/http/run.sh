#!/usr/bin/env bash
# HTTP load benchmark with wrk against 127.0.0.1: tongban's routes beside a minimal Beast
# hello-world server measured in the same run, reported as requests/s, p99 latency and the ratio
# to the baseline. Machines here are noisy: compare ratios, not absolute numbers.
#
#   bench/http/run.sh [BUILD_DIR]      (default build/, Release)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DURATION=${DURATION:-5s}
THREADS=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup installs it)"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

BASE_PORT=$(free_port)
"$BUILD/bench/http/bench_http_hello_server" "$BASE_PORT" & PIDS+=($!)
TB_PORT=$(free_port)
# Load tests come from one address at tens of thousands of requests/s: lift the rate limits.
"$BUILD/tongban" init --dir "$WORK/demo" --origin bench.tongban.example/ledger >/dev/null
[ -n "${LOG_LEVEL:-}" ] && sed -i "s/^level = .*/level = \"$LOG_LEVEL\"/" "$WORK/demo/tongban.toml"
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/' "$WORK/demo/tongban.toml"
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$TB_PORT" >"$WORK/demo.out" 2>"$WORK/demo.log" & PIDS+=($!)
for _ in $(seq 1 300); do
  curl -fs "127.0.0.1:$TB_PORT/healthz" >/dev/null 2>&1 && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done

AUTH_HEADER=""

run() {  # name url conns [header]
  local name=$1 url=$2 conns=$3 header=${4:-}
  local out
  if [ -n "$header" ]; then
    out=$(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -H "$header" "$url")
  else
    out=$(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$url")
  fi
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p99"
}

# Log in once as the demo citizen: the authenticated GET uses a session token (HMAC check only).
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"login":"13800000001","password":"tongban-demo"}' "127.0.0.1:$TB_PORT/api/v1/auth/login" |
  sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[ -n "$TOKEN" ] && AUTH_HEADER="Authorization: Bearer $TOKEN"

printf "%-28s %6s %12s %10s %8s\n" target conns req/s p99 ratio
for conns in 64 512; do
  read -r base_rps base_p99 < <(run baseline "http://127.0.0.1:$BASE_PORT/" "$conns")
  printf "%-28s %6s %12s %10s %8s\n" "baseline (Beast hello)" "$conns" "$base_rps" "$base_p99" "1.00"
  targets=("healthz|/healthz|")
  if [ -n "$AUTH_HEADER" ]; then
    targets+=("auth GET /auth/session|/api/v1/auth/session|${AUTH_HEADER}")
    targets+=("auth GET /me (+1 DB read)|/api/v1/me|${AUTH_HEADER}")
  fi
  targets+=("checkpoint|/ledger/checkpoint|")
  for t in "${targets[@]}"; do
    IFS='|' read -r name path header <<<"$t"
    read -r rps p99 < <(run "$name" "http://127.0.0.1:$TB_PORT$path" "$conns" "$header")
    ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf "%-28s %6s %12s %10s %8s\n" "$name" "$conns" "$rps" "$p99" "$ratio"
  done
done

# 10,000 idle keep-alive connections: resident memory and threads of the tongban process.
if [ "${IDLE:-1}" = "1" ]; then
  ulimit -n 20000 2>/dev/null || true
  TB_PID=$(pgrep -f "tongban demo --dir $WORK/demo" | head -1)
  python3 "$(dirname "$0")/idle_connections.py" "$TB_PID" "$TB_PORT" "${IDLE_CONNS:-10000}"
fi
