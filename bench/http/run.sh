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
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/' "$WORK/demo/tongban.toml"
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$TB_PORT" >"$WORK/demo.out" 2>"$WORK/demo.log" & PIDS+=($!)
for _ in $(seq 1 300); do
  curl -fs "127.0.0.1:$TB_PORT/healthz" >/dev/null 2>&1 && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done

# Extra targets (authenticated GET, checkpoint) come from the demo's printed keys once they exist.
AUTH_HEADER=$(grep -oE 'Authorization: Bearer [A-Za-z0-9._~+/=-]+' "$WORK/demo.out" | head -1 || true)

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
  echo "$name $conns $rps $p99"
}

printf "%-28s %6s %12s %10s %8s\n" target conns req/s p99 ratio
for conns in 64 512; do
  read -r _ _ base_rps base_p99 < <(run baseline "http://127.0.0.1:$BASE_PORT/" "$conns")
  printf "%-28s %6s %12s %10s %8s\n" "baseline (Beast hello)" "$conns" "$base_rps" "$base_p99" "1.00"
  targets=("healthz|/healthz|")
  [ -n "$AUTH_HEADER" ] && targets+=("authenticated GET /api/v1/me|/api/v1/me|${AUTH_HEADER}")
  targets+=("checkpoint|/api/v1/ledger/checkpoint|")
  for t in "${targets[@]}"; do
    IFS='|' read -r name path header <<<"$t"
    read -r _ _ rps p99 < <(run "$name" "http://127.0.0.1:$TB_PORT$path" "$conns" "$header")
    ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf "%-28s %6s %12s %10s %8s\n" "$name" "$conns" "$rps" "$p99" "$ratio"
  done
done
