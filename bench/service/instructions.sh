#!/usr/bin/env bash
# Instructions per complete 婚育户 bundle, counted by callgrind (independent of the machine's other
# load, unlike bench/service/run.sh's rates), and where they go: `tongban serve` runs under callgrind,
# service_bench drives warm-up cases, then N complete bundles with one client; counters are zeroed
# before the N bundles and dumped after them (the ledger entries they queued integrated), so start-up
# and warm-up are not counted. Kernel time (fsync, file creation, sockets) is not in the counts.
#
#   bench/service/instructions.sh [BUILD_DIR]         (N=20 bundles; SQLite, synchronous=full)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
N=${N:-20}
SUITE=${SUITE:-gm}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

DIR=$WORK/demo
CONFIG=$DIR/tongban.toml
"$BUILD/tongban" init --dir "$DIR" --suite "$SUITE" --origin bench.tongban.example/ledger >/dev/null
sed -i 's/^rate_limit_per_address = .*/rate_limit_per_address = 0/; s/^max_connections_per_address = .*/max_connections_per_address = 0/; s/^rate_limit_per_api_key = .*/rate_limit_per_api_key = 0/; s/^level = .*/level = "warn"/; s/^demo_people = .*/demo_people = 2000/' "$CONFIG"
# The sequencer signs a checkpoint per batch (at most every batch_max_delay_ms): under callgrind a bundle
# takes about a second, so with the default 50 ms nearly every entry would get its own signed batch.
# Batches of 1 s (the most the config allows) keep that cost near what it is at load.
sed -i 's/^batch_max_delay_ms = .*/batch_max_delay_ms = 1000/' "$CONFIG"
"$BUILD/tongban" demo --dir "$DIR" --listen 127.0.0.1:0 >"$WORK/demo.out" 2>&1 &
PID=$!
for _ in $(seq 1 600); do grep -q "demo is ready" "$WORK/demo.out" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$PID"; wait "$PID" || true; PID=""
"$BUILD/bench/service/service_bench" prepare "$CONFIG" $((N + 40)) "$WORK/people.tsv" >/dev/null

PORT=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg" "$BUILD/tongban" serve -c "$CONFIG" --listen "127.0.0.1:$PORT" \
  >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 1200); do curl -fs "127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { echo "tongban serve exited"; tail -5 "$WORK/serve.log"; exit 1; }; sleep 0.2; done
# Warm-up: (a) and (b) for 5 s; then (c) counted, N bundles.
SERVICE_BENCH_BEFORE_C="callgrind_control -z $PID >/dev/null" SERVICE_BENCH_AFTER_C="callgrind_control -d $PID >/dev/null" \
  BUNDLE_LIMIT=$N "$BUILD/bench/service/service_bench" load "$PORT" "$WORK/people.tsv" 1 5 100000 "$PID" 1 1 >"$WORK/load.out"
bundles=$(grep -oE '\([0-9]+ bundles in' "$WORK/load.out" | grep -oE '[0-9]+' | head -1)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
dump=$(ls "$WORK"/cg.* | head -1)
total=$(grep -h '^summary:' "$dump" | awk '{print $2}')
callgrind_annotate --inclusive=yes --threshold=100 "$dump" 2>/dev/null >"$WORK/annotate.txt"
python3 - "$WORK/annotate.txt" "$total" "$bundles" "$SUITE" <<'PY'
import re, sys
path, total, n, suite = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = []
for line in open(path, errors="replace"):
    m = re.match(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$", line)
    if m: rows.append((int(m.group(1).replace(",", "")), m.group(2)))
def incl(pattern, exclude=None):
    best = 0
    for c, sym in rows:
        if re.search(pattern, sym) and not (exclude and re.search(exclude, sym)): best = max(best, c)
    return best
seq = incl(r"ledger::Sequencer::Run\(")
print(f"suite {suite}; {n} bundles counted; instructions per bundle: {total / n / 1e6:.1f} M "
      f"({(total - seq) / n / 1e6:.1f} M without the ledger sequencer, which signs a checkpoint per batch)")
items = [
    ("HTTP requests, all (parse, auth, route, answer)", r"tongban::api::Dispatcher::Handle\("),
    ("  caller's account read per request (PersonOf/StaffOf)", r"IdentityService::GetAccount\("),
    ("  answers: CaseJson (case as JSON)", r"\(anonymous namespace\)::CaseJson\("),
    ("  answers: WalletOf (whole wallet read for start/uploads)", r"::WalletOf\("),
    ("CaseService::Start (draft, 2 transactions)", r"CaseService::Start\("),
    ("CaseService::Prefill (2 reads each for start, confirm)", r"CaseService::Prefill\("),
    ("  DataService::Read (decide, trace, ledger entry)", r"DataService::Read\("),
    ("uploads: UploadStore::Put (libmagic, hash, file)", r"UploadStore::Put\("),
    ("  (hashing, every caller: EVP_Digest; SM3 for gm)", r"^\?\?\?:EVP_Digest "),
    ("  libmagic", r"magic_buffer"),
    ("uploads: CaseService::Mine (ownership check)", r"CaseService::Mine\("),
    ("uploads: CaseService::AttachUpload", r"CaseService::AttachUpload\("),
    ("CaseService::Submit", r"CaseService::Submit\("),
    ("CaseService::Confirm (consent, prefill, open)", r"CaseService::Confirm\("),
    ("CaseService::Approve x5 (licences in the transaction)", r"CaseService::Approve\(tongban::service::Staff const&, long, boost::json::object const&\) "),
    ("  LicenseService::IssueIn (7 licences)", r"LicenseService::IssueIn\("),
    ("case row to Case: CaseFrom (form JSON parsed)", r"\(anonymous namespace\)::CaseFrom\("),
    ("CaseService::Event (event rows, ledger entries)", r"CaseService::Event\("),
    ("notices: FileNotifier::Send (file opened per notice)", r"FileNotifier::Send\("),
    ("SQLite statements (sqlite3_step)", r"^\?\?\?:sqlite3_step "),
    ("SQLite BEGIN/COMMIT (Conn::Script)", r"Conn::Script\("),
    ("SQLite WAL checkpoints (checkpointer thread)", r"sqlite3WalCheckpoint"),
    ("ledger sequencer (integration, checkpoint signature)", r"ledger::Sequencer::Run\("),
    ("boost::json::parse", r"^\?\?\?:boost::json::parse\("),
    ("boost::json::serialize", r"boost::json::serialize"),
    ("malloc + free (self)", None),
]
print(f"{'inclusive instructions per bundle':58s} {'M':>7s} {'share':>6s}")
for label, pat in items:
    if pat is None:
        c = sum(c for c, sym in rows if re.search(r"malloc\.c:(malloc|free|_int_malloc|_int_free)$", sym.split(" [")[0]))
        c = incl(r"malloc\.c:malloc ") + incl(r"malloc\.c:free ")
    else:
        c = incl(pat)
    print(f"{label:58s} {c / n / 1e6:7.2f} {100 * c / total:5.1f}%")
PY
