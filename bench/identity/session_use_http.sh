#!/usr/bin/env bash
# "My sessions" at the HTTP level: the authenticated GET /api/v1/auth/session (session token) on
# a demo server that notes each session's use ([auth] note_session_use = true, the default)
# beside the same binary with it off, in the same run — rounds alternate between the two servers
# so load from elsewhere falls on both. Prints req/s per round and the ratio of the medians.
#
#   bench/identity/session_use_http.sh [BUILD_DIR]     (DURATION=5s ROUNDS=3 CONNS=64)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup installs it)"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

declare -A PORT TOKEN
for mode in on off; do
  "$BUILD/tongban" init --dir "$WORK/$mode" --origin bench.tongban.example/ledger >/dev/null
  sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^level = .*/level = "warn"/' "$WORK/$mode/tongban.toml"
  [ "$mode" = off ] && sed -i 's/^note_session_use = .*/note_session_use = false/' "$WORK/$mode/tongban.toml"
  PORT[$mode]=$(free_port)
  "$BUILD/tongban" demo --dir "$WORK/$mode" --listen "127.0.0.1:${PORT[$mode]}" >"$WORK/$mode.out" 2>"$WORK/$mode.log" & PIDS+=($!)
done
for mode in on off; do
  for _ in $(seq 1 600); do curl -fs "127.0.0.1:${PORT[$mode]}/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  TOKEN[$mode]=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"login":"13800000001","password":"tongban-demo"}' "127.0.0.1:${PORT[$mode]}/api/v1/auth/login" |
    sed -E 's/.*"access_token":"([^"]+)".*/\1/')
done

rps() {  # mode
  wrk -t2 -c"$CONNS" -d"$DURATION" -H "Authorization: Bearer ${TOKEN[$1]}" \
    "http://127.0.0.1:${PORT[$1]}/api/v1/auth/session" | awk '/Requests\/sec/ {print $2}'
}
on=(); off=()
for r in $(seq 1 "$ROUNDS"); do
  a=$(rps off); b=$(rps on)
  off+=("$a"); on+=("$b")
  printf "round %d: off %10s req/s   on %10s req/s\n" "$r" "$a" "$b"
done
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}")
printf "median: off %s, on %s req/s; on/off = %s (%s connections, %s per round)\n" "$m_off" "$m_on" \
  "$(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", a / b}')" "$CONNS" "$DURATION"
