#!/usr/bin/env bash
# The change feed (数据高铁) across two `tongban serve` processes on one PostgreSQL database
# (issue 17: "several processes on one PostgreSQL must all deliver the feed"): node A is the demo,
# node B serves the same deployment (a copy of its folder: same keys, same database). The Xihu
# window follows household registrations by Server-Sent Events on node B while the police system
# pushes 200 records to node A; the subscriber is killed mid-stream and resumes on node A with
# Last-Event-ID: every record arrives exactly once, in commit order. Then a long poll waiting on
# node B is answered by a push to node A (B sees A's commit through its poll of the feed head).
# Skipped (77) without TONGBAN_TEST_PG (scripts/test starts a throwaway PostgreSQL).
#   tests/data/feed_two_nodes_test.sh build/tongban
set -euo pipefail
TONGBAN=$1
[ -n "${TONGBAN_TEST_PG:-}" ] || { echo "SKIP: TONGBAN_TEST_PG is not set"; exit 77; }
WORK=$(mktemp -d)
PIDS=()
SCHEMA="feed_two_nodes_$$"
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  psql -q "$TONGBAN_TEST_PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.err "$WORK"/*.out; do echo "== $f"; tail -15 "$f"; done 2>/dev/null; exit 1; }

# wait_port FILE: the port a starting node announced (the demo's URL on stdout, the "listening"
# log line of serve on stderr), once /healthz answers.
wait_port() {
  local out=$1 port=""
  for _ in $(seq 1 600); do
    port=$( { grep -oE 'http://127\.0\.0\.1:[0-9]+' "$out" 2>/dev/null | sed 's/.*://';
              grep -oE '"listening","host":"127\.0\.0\.1","port":[0-9]+' "$out" 2>/dev/null | sed 's/.*://'; } |
            head -1) || true
    [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { echo "$port"; return; }
    sleep 0.1
  done
  return 1
}

SEP='?'; case "$TONGBAN_TEST_PG" in *\?*) SEP='&';; esac
"$TONGBAN" init --dir "$WORK/a" --origin demo.tongban.example/ledger >/dev/null
python3 - "$WORK/a/tongban.toml" "$TONGBAN_TEST_PG${SEP}schema=$SCHEMA" <<'PY'
import re, sys
p, url = sys.argv[1:]
s = open(p).read()
s, n = re.subn(r'(?m)^url = "sqlite://[^"]*"', 'url = "%s"' % url, s, count=1)
assert n == 1, "no database url in the config"
open(p, "w").write(s)
PY
"$TONGBAN" demo --dir "$WORK/a" --listen 127.0.0.1:0 >"$WORK/a.out" 2>"$WORK/a.err" &
PIDS+=($!)
PORT_A=$(wait_port "$WORK/a.out") || fail "node A did not start"
# Node B: the same deployment (keys, secrets, database) from a copy of the folder.
mkdir -p "$WORK/b"
for f in "$WORK"/a/*; do
  case "$(basename "$f")" in *.lock|*.db|*.db-*|demo-credentials.tsv) ;; *) cp -r "$f" "$WORK/b/" ;; esac
done
"$TONGBAN" serve -c "$WORK/b/tongban.toml" --listen 127.0.0.1:0 >"$WORK/b.out" 2>"$WORK/b.err" &
PIDS+=($!)
PORT_B=$(wait_port "$WORK/b.err") || fail "node B did not start"
echo "node A :$PORT_A, node B :$PORT_B, one PostgreSQL schema $SCHEMA"
POLICE_KEY=$(grep '杭州市公安局人口信息系统' "$WORK/a.out" | grep -oE 'tbk_[A-Za-z0-9_-]+' | head -1)
[ -n "$POLICE_KEY" ] || fail "the police system's key was not printed"

PYTHONPATH="$(dirname "$0")" python3 - "$PORT_A" "$PORT_B" "$POLICE_KEY" <<'PY' || fail "two-node feed scenario"
import json, sys, threading, time
from feed_client import call
import feed_client

port_a, port_b, police_key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

# One login works on both nodes (same session key, same database).
status, body = call(port_b, "POST", "/api/v1/auth/login",
                    body=json.dumps({"login": "staff-xihu-001", "password": "tongban-demo"}))
assert status == 200, body
staff = json.loads(body)["access_token"]
status, body = call(port_a, "GET", "/api/v1/data/agreements", staff)
assert status == 200, body
agreement = [a["id"] for a in json.loads(body)["items"]
             if a["dataset"] == "household_registration" and a["state"] == "approved"][0]
base = f"/api/v1/data/agreements/{agreement}"

cursor = 0
while True:
    status, body = call(port_b, "GET", f"{base}/changes?after={cursor}&limit=1000&wait=0", staff)
    assert status == 200, body
    batch = json.loads(body)
    cursor = batch["next"]
    if not batch["more"]:
        break
start = cursor

def person(n):
    return feed_client.person("330106198", n, 300 + n)

def push(lo, hi):
    body = feed_client.household_lines([(n, person(n), "HJ-2N-%05d" % n) for n in range(lo, hi)],
                                       "陈静", "文三路", 1980)
    feed_client.push_household(port_a, police_key, body, hi - lo)

def Sse(port, after=None, last_event_id=None):
    path = base + "/feed" + (f"?after={after}" if after is not None else "")
    return feed_client.Sse(port, path, staff, last_event_id)

received = []
def follow(stream, until_count, stop_after=None):
    while len(received) < until_count:
        ev = stream.event()
        if ev.get("event") != "change": continue
        c = json.loads(ev["data"])
        assert "household_head_id" not in c["fields"]
        received.append((c["seq"], c["key"]))
        if stop_after is not None and len(received) >= stop_after:
            return

first = Sse(port_b, after=start)          # subscribed on node B
pusher = threading.Thread(target=lambda: [push(i, i + 50) or time.sleep(0.05) for i in range(0, 200, 50)])
pusher.start()                            # pushed to node A
follow(first, 200, stop_after=70)
first.close()                             # killed mid-stream
second = Sse(port_a, last_event_id=received[-1][0])  # resumes on node A
follow(second, 200)
second.close()
pusher.join()
keys = [k for _, k in received]
seqs = [s for s, _ in received]
assert len(keys) == 200 and set(keys) == {"HJ-2N-%05d" % n for n in range(200)}, ("loss or duplicates", len(keys), len(set(keys)))
assert seqs == sorted(seqs), "not in commit order"

# A long poll waiting on node B is answered by a push to node A.
result = {}
def poll():
    result["r"] = call(port_b, "GET", f"{base}/changes?after={seqs[-1]}&wait=20", staff)
th = threading.Thread(target=poll); th.start()
time.sleep(0.5)
t = time.time()
push(500, 501)
th.join()
waited = time.time() - t
batch = json.loads(result["r"][1])
assert [c["key"] for c in batch["changes"]] == ["HJ-2N-00500"], batch
assert waited < 5, waited
print("two nodes: 200 changes pushed on A, followed on B, resumed on A: exactly once, in order; "
      "a poll on B answered %.0f ms after the push on A" % (waited * 1000))
PY
for p in "${PIDS[@]}"; do kill -TERM "$p"; wait "$p" || fail "a node did not stop cleanly"; done
PIDS=()
