#!/usr/bin/env bash
# Receipt load benchmark with wrk against 127.0.0.1: issue (single and batches of 1,000), public
# verification, the published keys (finance and every hospital's) and claims, each beside the bench/http baseline (a minimal Beast hello-world server)
# measured in the same run. Machines here are noisy: compare ratios, not absolute numbers. The last
# column divides what was done by the CPU seconds the server process used meanwhile (the batch
# phase includes the sequencer integrating the receipts, which runs in the same process).
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
BASE_PID=$!
TB_PORT=$(free_port)
"$BUILD/tongban" init --dir "$WORK/demo" --origin bench.tongban.example/ledger >/dev/null
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^level = .*/level = "warn"/' "$WORK/demo/tongban.toml"
# SYNC=normal: SQLite commits without fsync (WAL; durable across a process crash, not a power cut).
if [ -n "${SYNC:-}" ]; then sed -i "s/synchronous=full/synchronous=$SYNC/" "$WORK/demo/tongban.toml"; fi
if [ -n "${DATABASE_URL:-}" ]; then
  sed -i "s|^url = .*|url = \"$DATABASE_URL\"|" "$WORK/demo/tongban.toml"
fi
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$TB_PORT" >"$WORK/demo.out" 2>"$WORK/demo.log" & PIDS+=($!)
TB_PID=$!
for _ in $(seq 1 300); do
  grep -q "demo is ready" "$WORK/demo.out" 2>/dev/null && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done
HOSPITAL=$(awk -F'API key: ' '/杭州市示范第一医院/ {print $2}' "$WORK/demo.out")
INSURER=$(awk -F'API key: ' '/杭州市医疗保障局/ {print $2}' "$WORK/demo.out")
SAMPLE=$(grep -oE 'verify: GET [^ ]+' "$WORK/demo.out" | sed 's/verify: GET //')
python3 bench/receipt/make_bodies.py "$WORK"

# CPU seconds (user + system) used so far by process $1: on a shared machine, receipts per
# CPU-second of the server says more than receipts per wall-clock second.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
run() {  # url [wrk args...]: prints "req/s p99 requests server-cpu-s"; C=<connections> overrides CONNS
  local url=$1; shift
  local out c0 c1 pid
  pid=${SERVER_PID:-$TB_PID}
  c0=$(cpu "$pid")
  out=$(wrk -t"$THREADS" -c"${C:-$CONNS}" -d"$DURATION" --latency "$@" "$url")
  c1=$(cpu "$pid")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')" \
       "$(echo "$out" | awk '/requests in/ {print $1}') $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}
row() {  # name rps p99 per_request base requests cpu_s
  local items ratio per_cpu
  items=$(awk -v r="$2" -v n="$4" 'BEGIN { printf "%.0f", r * n }')
  ratio=$(awk -v a="$2" -v b="$5" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
  per_cpu=$(awk -v r="$6" -v n="$4" -v c="$7" 'BEGIN { if (c > 0) printf "%.0f", r * n / c; else print "-" }')
  printf "%-34s %12s %12s %10s %8s %14s\n" "$1" "$2" "$items" "$3" "$ratio" "$per_cpu"
}

echo "database: $([ -n "${DATABASE_URL:-}" ] && echo postgresql || echo "sqlite, synchronous=${SYNC:-full}")   connections: $CONNS (batches: ${CONNS_BATCH:-4})   duration: $DURATION"
printf "%-34s %12s %12s %10s %8s %14s\n" target req/s items/s p99 ratio items/server-cpu-s
read -r base p99 n c < <(SERVER_PID=$BASE_PID run "http://127.0.0.1:$BASE_PORT/")
row "baseline (Beast hello)" "$base" "$p99" 1 "$base" "$n" "$c"
read -r rps p99 n c < <(BODY="$WORK/single.json" AUTH="Bearer $HOSPITAL" run "http://127.0.0.1:$TB_PORT/api/v1/receipts" -s bench/receipt/post.lua)
row "POST /receipts (single)" "$rps" "$p99" 1 "$base" "$n" "$c"
# Waits until the sequencer has integrated everything queued, so phases do not overlap.
drain() {
  for _ in $(seq 1 600); do
    curl -fs "127.0.0.1:$TB_PORT/metrics" | grep -q '^tongban_ledger_queue_depth 0$' && return
    sleep 0.2
  done
}
drain
c0=$(cpu "$TB_PID")
t0=$(date +%s.%N)
read -r rps p99 n c < <(BODY="$WORK/batch.json" AUTH="Bearer $HOSPITAL" C=${CONNS_BATCH:-4} run "http://127.0.0.1:$TB_PORT/api/v1/receipts" -s bench/receipt/post.lua)
drain  # the CPU figure of the batch phase includes integrating its receipts into the ledger
t1=$(date +%s.%N)
c=$(awk -v a="$c0" -v b="$(cpu "$TB_PID")" 'BEGIN { print b - a }')
row "POST /receipts (batch of 1,000)" "$rps" "$p99" 1000 "$base" "$n" "$c"
# Acknowledged receipts over the time until the ledger had integrated every one of them.
awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-34s %12s %12.0f\n", "  ... integrated in the ledger", "", n * 1000 / (b - a) }'
read -r rps p99 n c < <(run "http://127.0.0.1:$TB_PORT$SAMPLE")
row "GET /receipts/verify (public)" "$rps" "$p99" 1 "$base" "$n" "$c"
read -r rps p99 n c < <(run "http://127.0.0.1:$TB_PORT/api/v1/receipts/keys")
row "GET /receipts/keys (public)" "$rps" "$p99" 1 "$base" "$n" "$c"
drain
CODE=$(echo "$SAMPLE" | sed -E 's/.*code=([0-9]+).*/\1/')
LAST=$(curl -fsS -H "Authorization: Bearer $HOSPITAL" -H 'Content-Type: application/json' \
  -d @"$WORK/single.json" "127.0.0.1:$TB_PORT/api/v1/receipts" | sed -E 's/.*"number":"0*([0-9]+)".*/\1/')
read -r rps p99 n c < <(CODE=$CODE FIRST=10 LAST=$LAST AUTH="Bearer $INSURER" run "http://127.0.0.1:$TB_PORT/" -s bench/receipt/claim.lua)
row "POST /receipts/{c}/{n}/claims" "$rps" "$p99" 1 "$base" "$n" "$c"
echo "receipts issued in the run: $LAST"
