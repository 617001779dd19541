#!/usr/bin/env bash
# End-to-end test of the change feed (数据高铁) over HTTP, against `tongban demo`: the Xihu window
# follows household registrations (demo agreement) by Server-Sent Events while the police system
# pushes 200 new records in four NDJSON pushes; the consumer is killed mid-stream (its socket
# closed after 60 events) and resumes with Last-Event-ID: every pushed record arrives exactly once,
# in commit order, with only the covered elements. Then the long poll: resumes from its cursor, and
# a poll with nothing new waits, then answers empty. Other departments get 404, no login 401.
set -euo pipefail
TONGBAN=$1
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }

"$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 600); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
[ -n "$PORT" ] || fail "no port printed"
POLICE_KEY=$(grep '杭州市公安局人口信息系统' "$WORK/out" | grep -oE 'tbk_[A-Za-z0-9_-]+' | head -1)
CIVIL_KEY=$(grep '杭州市民政局婚姻登记系统' "$WORK/out" | grep -oE 'tbk_[A-Za-z0-9_-]+' | head -1)
[ -n "$POLICE_KEY" ] && [ -n "$CIVIL_KEY" ] || fail "department system keys not printed"

PYTHONPATH="$(dirname "$0")" python3 - "$PORT" "$POLICE_KEY" "$CIVIL_KEY" <<'PY' || fail "feed scenario"
import http.client, json, sys, threading, time
import feed_client

port, police_key, civil_key = int(sys.argv[1]), sys.argv[2], sys.argv[3]

def call(method, path, token=None, body=None, ctype="application/json"):
    return feed_client.call(port, method, path, token, body, ctype)

status, body = call("POST", "/api/v1/auth/login", body=json.dumps({"login": "staff-xihu-001", "password": "tongban-demo"}))
assert status == 200, body
staff = json.loads(body)["access_token"]
status, body = call("GET", "/api/v1/data/agreements", staff)
agreement = [a["id"] for a in json.loads(body)["items"]
             if a["dataset"] == "household_registration" and a["state"] == "approved"][0]
base = f"/api/v1/data/agreements/{agreement}"

# Who may follow: no login 401, another department 404, an unknown agreement 404.
assert call("GET", base + "/changes?wait=0")[0] == 401
assert call("GET", base + "/changes?wait=0", civil_key)[0] == 404, "another department's agreement"
assert call("GET", "/api/v1/data/agreements/999999/feed", staff)[0] == 404
# Bad input: a clear 400 naming the parameter, on both routes.
for path in ("/changes?after=x", "/changes?after=-1", "/changes?limit=0", "/changes?limit=1001",
             "/changes?wait=61", "/feed?after=1e3", "/feed?after=-5"):
    status, body = call("GET", base + path, staff)
    assert status == 400, (path, status, body)
    problem = json.loads(body)
    assert problem["errors"][0]["field"] in ("after", "limit", "wait"), (path, problem)
status, body = call("GET", "/api/v1/data/agreements/abc/changes", staff)
assert status == 400, body

# Catch up with the demo's records by long poll: the cursor to start from.
cursor = 0
while True:
    status, body = call("GET", f"{base}/changes?after={cursor}&limit=1000&wait=0", staff)
    assert status == 200, body
    batch = json.loads(body)
    cursor = batch["next"]
    if not batch["more"]:
        break
start = cursor

def person(n):
    return feed_client.person("330106199", n, 500 + n)

def push(lo, hi):
    body = feed_client.household_lines([(n, person(n), "HJ-E2E-%05d" % n) for n in range(lo, hi)],
                                       "周敏", "天目山路", 1990)
    feed_client.push_household(port, police_key, body, hi - lo)

def Sse(after=None, last_event_id=None):
    path = base + "/feed" + (f"?after={after}" if after is not None else "")
    return feed_client.Sse(port, path, staff, last_event_id)

received = []   # (seq, key)
def follow(stream, until_count, stop_after=None):
    while len(received) < until_count:
        ev = stream.event()
        if ev.get("event") != "change": continue
        c = json.loads(ev["data"])
        assert int(ev["id"]) == c["seq"]
        assert set(c["fields"]) <= {"name", "sex", "birth_date", "household_address", "relation_to_head"}, c["fields"]
        assert "household_head_id" not in c["fields"]
        received.append((c["seq"], c["key"]))
        if stop_after is not None and len(received) >= stop_after:
            return

first = Sse(after=start)
pusher = threading.Thread(target=lambda: [push(i, i + 50) or time.sleep(0.05) for i in range(0, 200, 50)])
pusher.start()
follow(first, 200, stop_after=60)
first.close()  # killed mid-stream
last = received[-1][0]
time.sleep(0.2)
second = Sse(last_event_id=last)  # what EventSource sends when it reconnects
follow(second, 200)
second.close()
pusher.join()
keys = [k for _, k in received]
seqs = [s for s, _ in received]
assert len(keys) == 200 and len(set(keys)) == 200, ("duplicates or loss", len(keys), len(set(keys)))
assert set(keys) == {"HJ-E2E-%05d" % n for n in range(200)}
assert seqs == sorted(seqs), "not in commit order"

# A reconnecting EventSource keeps its first URL (?after=start) and sends Last-Event-ID: the header
# wins, so nothing already received comes again.
third = Sse(after=start, last_event_id=seqs[-2])
ev = third.event()
while ev.get("event") != "change":
    ev = third.event()
assert int(ev["id"]) == seqs[-1], (ev, seqs[-1])
third.close()
# HEAD of the stream: its head, at once, and no stream (nothing delivered).
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("HEAD", base + "/feed", headers={"Authorization": "Bearer " + staff})
r = c.getresponse()
assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream"), r.status
assert r.read() == b""
c.close()

# Long poll: resumes from the SSE's cursor with nothing new; waits about a second, answers empty.
t = time.time()
status, body = call("GET", f"{base}/changes?after={seqs[-1]}&wait=1", staff)
batch = json.loads(body)
assert status == 200 and batch["changes"] == [] and batch["next"] == seqs[-1], body
assert time.time() - t >= 0.9
# A poll waiting for the next push is answered by it.
result = {}
def poll():
    result["r"] = call("GET", f"{base}/changes?after={seqs[-1]}&wait=20", staff)
th = threading.Thread(target=poll); th.start()
time.sleep(0.3)
t = time.time()
push(500, 501)
th.join()
batch = json.loads(result["r"][1])
assert [c["key"] for c in batch["changes"]] == ["HJ-E2E-00500"], batch
assert time.time() - t < 5
print("feed e2e: 200 changes over a killed and resumed SSE stream, exactly once, in order; long poll ok")
PY

# The subject of a fed record sees the delivery in "my data"? The demo citizens' records were
# delivered in the catch-up above: 张伟 finds the window's delivery of his household record.
TOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"login":"13800000001","password":"tongban-demo"}' \
  "http://127.0.0.1:$PORT/api/v1/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me/data-access" |
  python3 -c 'import json,sys; d=json.load(sys.stdin)["deliveries"]; assert d and d[0]["purpose"]["kind"]=="agreement", d' ||
  fail "the subject does not see the feed delivery"

kill -TERM "$PID"
wait "$PID" || fail "demo did not stop cleanly"
PID=""
echo "PASS"
