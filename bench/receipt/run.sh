#!/usr/bin/env bash
# Receipt load benchmark with wrk against 127.0.0.1: issue (single and batches of 1,000), public
# verification and claims, each beside the bench/http baseline (a minimal Beast hello-world server)
# measured in the same run. Machines here are noisy: compare ratios, not absolute numbers.
#
#   bench/receipt/run.sh [BUILD_DIR]                 SQLite (the default deployment)
#   DATABASE_URL=postgresql://... bench/receipt/run.sh   PostgreSQL (e.g. from scripts/pg-tmp)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DURATION=${DURATION:-5s}
THREADS=${WRK_THREADS:-2}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

BASE_PORT=$(free_port)
"$BUILD/bench/http/bench_http_hello_server" "$BASE_PORT" & PIDS+=($!)
TB_PORT=$(free_port)
"$BUILD/tongban" init --dir "$WORK/demo" --origin bench.tongban.example/ledger >/dev/null
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^level = .*/level = "warn"/' "$WORK/demo/tongban.toml"
# SYNC=normal: SQLite commits without fsync (WAL; durable across a process crash, not a power cut).
if [ -n "${SYNC:-}" ]; then sed -i "s/synchronous=full/synchronous=$SYNC/" "$WORK/demo/tongban.toml"; fi
if [ -n "${DATABASE_URL:-}" ]; then
  sed -i "s|^url = .*|url = \"$DATABASE_URL\"|" "$WORK/demo/tongban.toml"
fi
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$TB_PORT" >"$WORK/demo.out" 2>"$WORK/demo.log" & PIDS+=($!)
for _ in $(seq 1 300); do
  grep -q "demo is ready" "$WORK/demo.out" 2>/dev/null && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done
HOSPITAL=$(awk -F'API key: ' '/杭州市示范第一医院/ {print $2}' "$WORK/demo.out")
INSURER=$(awk -F'API key: ' '/杭州市医疗保障局/ {print $2}' "$WORK/demo.out")
SAMPLE=$(grep -oE 'verify: GET [^ ]+' "$WORK/demo.out" | sed 's/verify: GET //')
python3 bench/receipt/make_bodies.py "$WORK"

run() {  # url [wrk args...]: prints "req/s p99"; C=<connections> overrides CONNS
  local url=$1; shift
  local out
  out=$(wrk -t"$THREADS" -c"${C:-$CONNS}" -d"$DURATION" --latency "$@" "$url")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')"
}
row() {  # name rps p99 per_request base
  local items ratio
  items=$(awk -v r="$2" -v n="$4" 'BEGIN { printf "%.0f", r * n }')
  ratio=$(awk -v a="$2" -v b="$5" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
  printf "%-34s %12s %12s %10s %8s\n" "$1" "$2" "$items" "$3" "$ratio"
}

echo "database: $([ -n "${DATABASE_URL:-}" ] && echo postgresql || echo "sqlite, synchronous=${SYNC:-full}")   connections: $CONNS (batches: ${CONNS_BATCH:-4})   duration: $DURATION"
printf "%-34s %12s %12s %10s %8s\n" target req/s receipts/s p99 ratio
read -r base p99 < <(run "http://127.0.0.1:$BASE_PORT/")
row "baseline (Beast hello)" "$base" "$p99" 1 "$base"
read -r rps p99 < <(BODY="$WORK/single.json" AUTH="Bearer $HOSPITAL" run "http://127.0.0.1:$TB_PORT/api/v1/receipts" -s bench/receipt/post.lua)
row "POST /receipts (single)" "$rps" "$p99" 1 "$base"
# Waits until the sequencer has integrated everything queued, so phases do not overlap.
drain() {
  for _ in $(seq 1 600); do
    curl -fs "127.0.0.1:$TB_PORT/metrics" | grep -q '^tongban_ledger_queue_depth 0$' && return
    sleep 0.2
  done
}
drain
read -r rps p99 < <(BODY="$WORK/batch.json" AUTH="Bearer $HOSPITAL" C=${CONNS_BATCH:-4} run "http://127.0.0.1:$TB_PORT/api/v1/receipts" -s bench/receipt/post.lua)
row "POST /receipts (batch of 1,000)" "$rps" "$p99" 1000 "$base"
drain
read -r rps p99 < <(run "http://127.0.0.1:$TB_PORT$SAMPLE")
row "GET /receipts/verify (public)" "$rps" "$p99" 1 "$base"
drain
CODE=$(echo "$SAMPLE" | sed -E 's/.*code=([0-9]+).*/\1/')
LAST=$(curl -fsS -H "Authorization: Bearer $HOSPITAL" -H 'Content-Type: application/json' \
  -d @"$WORK/single.json" "127.0.0.1:$TB_PORT/api/v1/receipts" | sed -E 's/.*"number":"0*([0-9]+)".*/\1/')
read -r rps p99 < <(CODE=$CODE FIRST=10 LAST=$LAST AUTH="Bearer $INSURER" run "http://127.0.0.1:$TB_PORT/" -s bench/receipt/claim.lua)
row "POST /receipts/{c}/{n}/claims" "$rps" "$p99" 1 "$base"
echo "receipts issued in the run: $LAST"
