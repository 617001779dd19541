#!/usr/bin/env bash
# "One thing" services over HTTP (issue 18): complete 婚育户 cases (five department tasks, every one
# approved by a staff token of its department) through the API of `tongban serve`, beside the bench/http
# baseline (a minimal Beast hello-world server) measured in the same run. Builds nothing: uses BUILD_DIR's
# tongban, bench/http/bench_http_hello_server and bench/service/service_bench.
#
#   bench/service/run.sh [BUILD_DIR]                          SQLite, synchronous=full (the default deployment)
#   DATABASE_URL=postgresql://... bench/service/run.sh build  PostgreSQL (a fresh database, e.g. scripts/pg-tmp)
#
# Steps: `tongban init` + `tongban demo` (its synthetic county of DEMO_PEOPLE people: household and marriage
# records to pre-fill from), stopped; `service_bench prepare` (in-process: PAIRS married couples get citizen
# accounts, a resident ID card licence each and a session); `tongban serve` (rate limits off, log at warn);
# wrk on the hello server (-t2 -c64, HELLO_S); then `service_bench load`: (a) applications for APPLY_S
# seconds, (b) the approvals of their tasks, (c) complete bundles end to end for BUNDLE_S seconds, each with
# CLIENTS concurrent clients. PERF=1 records the server with perf during (c) (on-CPU time, DWARF call
# graphs) and prints where it goes; STACKS=1 stops it a dozen times with gdb during (c) and prints what its
# request threads were doing, off-CPU too (stacks.py). Both perturb the rates of (c): run them separately.
# Machines here are noisy: compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
CLIENTS=${CLIENTS:-32}
APPLY_S=${APPLY_S:-10}
BUNDLE_S=${BUNDLE_S:-20}
PAIRS=${PAIRS:-5000}
DEMO_PEOPLE=${DEMO_PEOPLE:-20000}
HELLO_S=${HELLO_S:-5s}
SUITE=${SUITE:-gm}
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
for f in "$BUILD/tongban" "$BUILD/bench/http/bench_http_hello_server" "$BUILD/bench/service/service_bench"; do
  [ -x "$f" ] || { echo "missing $f (build the targets tongban, bench_http_hello_server, service_bench)"; exit 1; }
done

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

DIR=$WORK/demo
CONFIG=$DIR/tongban.toml
"$BUILD/tongban" init --dir "$DIR" --suite "$SUITE" --origin bench.tongban.example/ledger >/dev/null
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^level = .*/level = "warn"/' "$CONFIG"
sed -i "s/^demo_people = .*/demo_people = $DEMO_PEOPLE/" "$CONFIG"
if [ -n "${SYNC:-}" ]; then sed -i "s/synchronous=full/synchronous=$SYNC/" "$CONFIG"; fi
if [ -n "${DATABASE_URL:-}" ]; then sed -i "s|^url = .*|url = \"$DATABASE_URL\"|" "$CONFIG"; fi

t0=$(date +%s.%N)
"$BUILD/tongban" demo --dir "$DIR" --listen 127.0.0.1:0 >"$WORK/demo.out" 2>"$WORK/demo.log" &
DEMO_PID=$!
for _ in $(seq 1 1200); do grep -q "demo is ready" "$WORK/demo.out" 2>/dev/null && break; sleep 0.1; done
grep -q "demo is ready" "$WORK/demo.out" || { echo "tongban demo did not start"; cat "$WORK/demo.log"; exit 1; }
kill -TERM "$DEMO_PID"; wait "$DEMO_PID" || true
t1=$(date +%s.%N)
"$BUILD/bench/service/service_bench" prepare "$CONFIG" "$PAIRS" "$WORK/people.tsv"
t2=$(date +%s.%N)
echo "set-up: demo county of $DEMO_PEOPLE people $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s, prepare $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s"

BASE_PORT=$(free_port)
"$BUILD/bench/http/bench_http_hello_server" "$BASE_PORT" & PIDS+=($!)
BASE_PID=$!
TB_PORT=$(free_port)
"$BUILD/tongban" serve -c "$CONFIG" --listen "127.0.0.1:$TB_PORT" >"$WORK/serve.out" 2>"$WORK/serve.log" & PIDS+=($!)
TB_PID=$!
for _ in $(seq 1 300); do
  curl -fs "127.0.0.1:$TB_PORT/readyz" >/dev/null 2>&1 && curl -fs "127.0.0.1:$BASE_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done

c0=$(cpu "$BASE_PID")
out=$(wrk -t2 -c64 -d"$HELLO_S" --latency "http://127.0.0.1:$BASE_PORT/")
c1=$(cpu "$BASE_PID")
HELLO_RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
HELLO_N=$(echo "$out" | awk '/requests in/ {print $1}')
HELLO_PER_CPU=$(awk -v n="$HELLO_N" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.0f", (b > a ? n / (b - a) : 0) }')

echo "database: $([ -n "${DATABASE_URL:-}" ] && echo postgresql || echo "sqlite, synchronous=${SYNC:-full}"); suite $SUITE; clients: $CLIENTS; (a) $APPLY_S s, (c) $BUNDLE_S s; hello $HELLO_PER_CPU req/server-cpu-s"
PERF_PID=""
PERF_DATA=${PERF_KEEP:-$WORK/perf.data}
if [ "${PERF:-0}" = "1" ] && command -v perf >/dev/null; then
  MARK=$WORK/mark
  # DWARF call graphs (the Release build keeps no frame pointers), 10 s of (c) at 250 Hz.
  ( for _ in $(seq 1 3000); do [ -f "$MARK" ] && break; sleep 0.1; done
    sleep 2
    exec perf record -F "${PERF_HZ:-250}" --call-graph dwarf,16384 -o "$PERF_DATA" -p "$TB_PID" -- sleep "${PERF_S:-10}" ) >"$WORK/perf.log" 2>&1 &
  PERF_PID=$!
  export SERVICE_BENCH_MARK=$MARK
fi
# The server's CPU: tongban's, and with PostgreSQL the cluster's processes too (postmaster and its children).
SERVER_PIDS=$TB_PID
if [ -n "${DATABASE_URL:-}" ] && [ -n "${TONGBAN_PG_DIR:-}" ]; then
  PGMASTER=$(head -1 "$(find "$TONGBAN_PG_DIR" -name postmaster.pid | head -1)" 2>/dev/null || true)
  [ -n "$PGMASTER" ] && SERVER_PIDS="$SERVER_PIDS,$PGMASTER$(pgrep -P "$PGMASTER" | sed 's/^/,/' | tr -d '\n')"
fi
STACKS_PID=""
if [ "${STACKS:-0}" = "1" ] && command -v gdb >/dev/null; then
  MARK=$WORK/mark
  ( for _ in $(seq 1 3000); do [ -f "$MARK" ] && break; sleep 0.1; done
    sleep 2
    exec python3 bench/service/stacks.py "$TB_PID" "${STACKS_N:-12}" 0.5 ) >"$WORK/stacks.out" 2>&1 &
  STACKS_PID=$!
  export SERVICE_BENCH_MARK=$MARK
fi
PGLOG=""
if [ -n "${TONGBAN_PG_DIR:-}" ] && [ -f "$TONGBAN_PG_DIR/data/server.log" ]; then
  PGLOG=$TONGBAN_PG_DIR/data/server.log
  PGLOG_AT=$(wc -l <"$PGLOG")
fi
status=0
"$BUILD/bench/service/service_bench" load "$TB_PORT" "$WORK/people.tsv" "$CLIENTS" "$APPLY_S" "$BUNDLE_S" "$SERVER_PIDS" \
  "$HELLO_RPS" "$HELLO_PER_CPU" || status=$?
if [ -n "$PERF_PID" ]; then
  wait "$PERF_PID" || true
  report() { perf report -i "$PERF_DATA" --stdio -g none --percent-limit "$1" "${@:2}" 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/ +/ /g; s/( -)+ *$//'; }
  echo "perf, server during (c): on-CPU time by shared object"
  report 1 --no-children --sort dso
  echo "perf: self time, top symbols"
  report 1 --no-children --sort symbol | cut -c1-100 | head -15
  echo "perf: inclusive time (children) of what a bundle does"
  report 0.3 --children --sort symbol | python3 -c '
import re, sys
rows = []
for line in sys.stdin:
    m = re.match(r"^ ?([\d.]+)% +[\d.]+% +\[[.k]\] (.*)$", line)
    if m: rows.append((float(m.group(1)), m.group(2)))
def incl(p):
    return max([c for c, s in rows if re.search(p, s)] or [0.0])
for label, p in [
    ("HTTP requests (Dispatcher::Handle)", r"^tongban::api::Dispatcher::Handle"),
    ("write transactions (Database::Transact)", r"^tongban::store::Database::Transact"),
    ("  their COMMITs (SqliteTx::DoCommit / PostgreSQL COMMIT)", r"(SqliteTx|PgTx|PostgresTx)\w*::DoCommit"),
    ("  BEGIN on the single SQLite writer (SqliteDatabase::Begin, on CPU)", r"SqliteDatabase::Begin"),
    ("read transactions (Database::Read)", r"^tongban::store::Database::Read"),
    ("SQLite WAL checkpoints (sqlite3_wal_checkpoint_v2)", r"^sqlite3_wal_checkpoint_v2"),
    ("fsync / fdatasync (kernel)", r"^do_fsync"),
    ("files opened or created (kernel, openat)", r"^do_sys_openat2"),
    ("futex waits and wake-ups (kernel)", r"^do_futex"),
    ("CaseService::Start", r"^tongban::service::CaseService::Start$"),
    ("CaseService::Prefill (data reads)", r"^tongban::service::CaseService::Prefill$"),
    ("uploads: UploadStore::Put (type, hash, file, fsync)", r"^tongban::service::UploadStore::Put$"),
    ("uploads: CaseService::AttachUpload", r"^tongban::service::CaseService::AttachUpload$"),
    ("uploads: CaseService::Mine (ownership check)", r"^tongban::service::CaseService::Mine$"),
    ("CaseService::Submit", r"^tongban::service::CaseService::Submit$"),
    ("CaseService::Confirm", r"^tongban::service::CaseService::Confirm$"),
    ("CaseService::Approve", r"^tongban::service::CaseService::Approve$"),
    ("  LicenseService::IssueIn", r"^tongban::license::LicenseService::IssueIn$"),
    ("CaseFrom (the case form JSON parsed per read)", r"CaseFrom$"),
    ("CaseJson (answers)", r"::CaseJson$"),
    ("FileNotifier::Send (a file open per notice)", r"FileNotifier::Send$"),
    ("ledger sequencer", r"^tongban::ledger::Sequencer::Run$"),
    ("malloc", r"^__GI___libc_malloc|^malloc$"),
]:
    print("  %5.1f%%  %s" % (incl(p), label))
'
fi
if [ -n "$STACKS_PID" ]; then
  wait "$STACKS_PID" || true
  cat "$WORK/stacks.out"
fi
if [ -n "$PGLOG" ]; then
  echo "PostgreSQL errors during the load (its log):"
  tail -n +"$((PGLOG_AT + 1))" "$PGLOG" | grep -E ' ERROR: ' | sed -E 's/.* ERROR: +//' | cut -c1-100 | sort | uniq -c | sort -rn | head -5 || true  # none is fine
fi
[ -n "${LOG_KEEP:-}" ] && cp "$WORK/serve.log" "$LOG_KEEP"
echo "server log: $(grep -c . "$WORK/serve.log" || true) lines at warn and above$( [ -s "$WORK/serve.log" ] && echo ", the first:")"
head -3 "$WORK/serve.log" | cut -c1-300
exit "$status"
