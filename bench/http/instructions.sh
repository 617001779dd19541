#!/usr/bin/env bash
# Instructions per request, counted by callgrind: tongban's routes beside the minimal Beast
# hello-world server (bench/http/hello_server.cc). Instruction counts do not depend on what else
# the machine is doing, so this ratio is repeatable where wrk's requests/s on a shared 2-core
# machine are not; it leaves out kernel time (the same socket calls in both), so a wrk ratio is
# always closer to 1 than this one. Each server gets N sequential keep-alive requests after a
# warm-up; counters are zeroed before and dumped after, so start-up work is not counted.
#
#   bench/http/instructions.sh [BUILD_DIR]        (default build/, Release; N=5000 requests)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
N=${N:-5000}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
WORK=$(mktemp -d)
cleanup() { pkill -f "callgrind-out-file=$WORK" 2>/dev/null || true; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
CLIENT="python3 bench/http/keepalive_client.py"

# $1 name, $2 port, $3 path, $4 token, then the server command line.
measure() {
  local name=$1 port=$2 path=$3 token=$4; shift 4
  local out="$WORK/cg.$name"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do curl -fs "127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
                             curl -fs "127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.2; done
  $CLIENT "$port" "$path" 200 $token
  callgrind_control -z "$pid" >/dev/null 2>&1
  $CLIENT "$port" "$path" "$N" $token
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local total
  total=$(grep -h '^summary:' "$out".* 2>/dev/null | awk '{s+=$2} END {print s}')
  echo $(( total / N ))
}

HELLO_PORT=$(free_port)
hello=$(measure hello "$HELLO_PORT" / "" "$BUILD/bench/http/bench_http_hello_server" "$HELLO_PORT")

"$BUILD/tongban" init --dir "$WORK/demo" --origin bench.tongban.example/ledger >/dev/null
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/' "$WORK/demo/tongban.toml"
TB_PORT=$(free_port)
# Load the demo data once (outside valgrind), then serve it under callgrind.
"$BUILD/tongban" demo --dir "$WORK/demo" --listen "127.0.0.1:$TB_PORT" >"$WORK/demo.out" 2>&1 &
DEMO=$!
for _ in $(seq 1 600); do curl -fs "127.0.0.1:$TB_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"login":"13800000001","password":"tongban-demo"}' "127.0.0.1:$TB_PORT/api/v1/auth/login" |
  sed -E 's/.*"access_token":"([^"]+)".*/\1/')
kill "$DEMO"; wait "$DEMO" 2>/dev/null || true

printf "%-28s %14s %8s\n" target "instr/request" ratio
printf "%-28s %14s %8s\n" "baseline (Beast hello)" "$hello" "1.00"
for t in "healthz|/healthz|" "auth GET /auth/session|/api/v1/auth/session|$TOKEN" "checkpoint|/ledger/checkpoint|"; do
  IFS='|' read -r name path token <<<"$t"
  TB_PORT=$(free_port)
  n=$(measure "tb$RANDOM" "$TB_PORT" "$path" "$token" "$BUILD/tongban" serve --config "$WORK/demo/tongban.toml" --listen "127.0.0.1:$TB_PORT")
  printf "%-28s %14s %8s\n" "$name" "$n" "$(awk -v a="$hello" -v b="$n" 'BEGIN { printf "%.2f", a / b }')"
done
