#!/usr/bin/env bash
# Purpose-bound reads over HTTP on a database made by `tongban data generate` (default 1,000,000
# people), beside the bench/http baseline (a minimal Beast hello-world server) measured in the
# same run. Every read is decided and logged (data_access row + ledger entry) in one transaction
# before it is answered; the script checks that the access log grew by exactly the reads answered.
# Machines here are noisy: compare ratios, not absolute numbers.
#
#   bench/data/run.sh [BUILD_DIR]            generates into a temporary folder (PEOPLE=1000000)
#   KEEP=/tmp/db1m bench/data/run.sh build   generates once into KEEP (if it has no tongban.toml
#                                            yet) and reuses it on later runs
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DURATION=${DURATION:-10s}
THREADS=${WRK_THREADS:-2}
CONNS=${CONNS:-64}
PEOPLE=${PEOPLE:-1000000}
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
sql() { python3 -c 'import sqlite3,sys; print("\n".join("|".join(map(str,r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$DIR/tongban.db" "$1"; }

DIR=${KEEP:-$WORK/db}
if [ ! -f "$DIR/tongban.toml" ]; then
  "$BUILD/tongban" init --dir "$DIR" --origin bench.tongban.example/ledger >/dev/null
  sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^level = .*/level = "warn"/' "$DIR/tongban.toml"
  t0=$(date +%s.%N)
  "$BUILD/tongban" data generate -c "$DIR/tongban.toml" --people "$PEOPLE" 2>/dev/null
  echo "generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s; database $(du -sh "$DIR/tongban.db" | cut -f1)"
fi
CONFIG=$DIR/tongban.toml
CENTER=$("$BUILD/tongban" keys create -c "$CONFIG" --account service-center-xihu-data --scope data:read --label bench 2>/dev/null)
POLICE=$("$BUILD/tongban" keys create -c "$CONFIG" --account police-hz-data --scope data:push --label bench 2>/dev/null)
# 100,000 random people of the county to read.
sql "SELECT subject_id FROM data_record WHERE dataset = 'household_registration' ORDER BY random() LIMIT 100000" >"$WORK/subjects"

BASE_PORT=$(free_port)
"$BUILD/bench/http/bench_http_hello_server" "$BASE_PORT" & PIDS+=($!)
BASE_PID=$!
TB_PORT=$(free_port)
"$BUILD/tongban" serve -c "$CONFIG" --listen "127.0.0.1:$TB_PORT" >"$WORK/serve.out" 2>"$WORK/serve.log" & PIDS+=($!)
TB_PID=$!
for _ in $(seq 1 300); do
  curl -fs "127.0.0.1:$TB_PORT/healthz" >/dev/null 2>&1 && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done
BASE="http://127.0.0.1:$TB_PORT"
UNTIL=$(date -u -d '+1 year' +%Y-%m-%dT00:00:00Z)
AGREEMENT=$(curl -fsS -H "Authorization: Bearer $CENTER" -H 'Content-Type: application/json' -H "Idempotency-Key: bench-$$" \
  -d "{\"dataset\":\"household_registration\",\"elements\":[\"name\",\"birth_date\",\"household_address\"],\"purpose\":\"一证通办：窗口核验户籍信息\",\"legal_basis\":\"《浙江省公共数据条例》第二十八条\",\"until\":\"$UNTIL\"}" \
  "$BASE/api/v1/data/agreements" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fsS -H "Authorization: Bearer $POLICE" -H 'Content-Type: application/json' -H "Idempotency-Key: bench-a-$$" -d '{}' \
  "$BASE/api/v1/data/agreements/$AGREEMENT/approve" >/dev/null

cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
run() {  # pid url [wrk args...]: prints "req/s p99 requests non2xx server-cpu-s"
  local pid=$1 url=$2; shift 2
  local out c0 c1
  c0=$(cpu "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url")
  c1=$(cpu "$pid")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')" \
       "$(echo "$out" | awk '/requests in/ {print $1}') $(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)" \
       "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')"
}
PEOPLE_IN_DB=$(sql "SELECT COUNT(*) FROM data_record WHERE dataset = 'household_registration'")
RECORDS=$(sql "SELECT COUNT(*) FROM data_record")
echo "database: sqlite, synchronous=full; $PEOPLE_IN_DB people, $RECORDS record versions; connections: $CONNS; duration: $DURATION"
printf "%-44s %10s %10s %10s %8s %14s\n" target req/s p99 requests ratio req/server-cpu-s
read -r base p99 n bad c < <(run "$BASE_PID" "http://127.0.0.1:$BASE_PORT/")
printf "%-44s %10s %10s %10s %8s %14.0f\n" "baseline (Beast hello)" "$base" "$p99" "$n" 1 "$(awk -v n="$n" -v c="$c" 'BEGIN { print (c > 0 ? n / c : 0) }')"
before=$(sql "SELECT COUNT(*) FROM data_access")
read -r rps p99 n bad c < <(SUBJECTS="$WORK/subjects" AUTH="Bearer $CENTER" AGREEMENT=$AGREEMENT \
  run "$TB_PID" "$BASE/" -s bench/data/read.lua)
after=$(sql "SELECT COUNT(*) FROM data_access")
printf "%-44s %10s %10s %10s %8s %14.0f\n" "GET /data/subjects/{id}/datasets/… (logged)" "$rps" "$p99" "$n" \
  "$(awk -v a="$rps" -v b="$base" 'BEGIN { printf "%.3f", a / b }')" "$(awk -v n="$n" -v c="$c" 'BEGIN { print (c > 0 ? n / c : 0) }')"
echo "non-2xx answers: $bad; access log rows written: $((after - before)) (reads answered with 200: $((n - bad)); wrk's count includes requests cut at the end)"
