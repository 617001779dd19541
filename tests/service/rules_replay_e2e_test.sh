#!/usr/bin/env bash
# End-to-end test of 秒批 over HTTP against `tongban demo`, then `tongban rules replay` on the same
# folder: 李娜's household is in 嘉善县, so her school enrolment check (入学资格审核) is rejected at
# once with rule 6 and its explanation; she appeals; the education bureau sees the appeal with the
# decision beside it and upholds it. With the server stopped, `tongban rules replay --case` gives
# the same outcome and rows from the database alone and finds the decision's ledger entry; after
# the stored inputs are edited, the replay says DIFFERENT and exits 1. Bad appeal bodies get 400.
set -euo pipefail
[ -n "${DEBUG:-}" ] && set -x
TONGBAN=$1
WORK=$(mktemp -d)
PID=""
cleanup() { if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }

"$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 900); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
[ -n "$PORT" ] || fail "no port printed"

python3 - "$PORT" "$WORK/case_number" <<'PY' || fail "appeal scenario"
import http.client, json, sys
port, out = int(sys.argv[1]), sys.argv[2]

def call(method, path, token=None, body=None, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": ctype}
    if token: headers["Authorization"] = "Bearer " + token
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def login(name):
    s, b = call("POST", "/api/v1/auth/login", body=json.dumps({"login": name, "password": "tongban-demo"}))
    assert s == 200, b
    return json.loads(b)["access_token"]

ln, edu = login("13800000002"), login("staff-hz-education")
s, b = call("POST", "/api/v1/me/cases", ln, json.dumps({"bundle": "enrolment_eligibility_check"}))
assert s == 201, b
case = json.loads(b)
cid = case["id"]
png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde"
s, b = call("PUT", f"/api/v1/me/cases/{cid}/materials/applicant_household_register", ln, png, "application/octet-stream")
assert s == 200, b
answers = {"contact_phone": "13800000002", "child_name": "王小雨", "child_id": "330421202003021284",
           "child_sex": "女", "child_birth_date": "2020-03-02", "enrolment_stage": "小学一年级"}
s, b = call("POST", f"/api/v1/me/cases/{cid}/submit", ln, json.dumps({"answers": answers}))
assert s == 200, b
c = json.loads(b)
assert c["state"] == "rejected", c["state"]
task = c["tasks"][0]
assert task["decided_by"] == "rules" and task["appealable"], task
d = task["decision"]
assert d["outcome"] == "reject" and d["rows"] == [6], d
assert "户籍不在本学区" in d["reason_zh"], d["reason_zh"]
labels = {i["name"]: i for i in d["inputs"]}
assert labels["household_in_district"]["value"] is False, labels

# Bad appeal bodies: 400 naming the field.
for body, field in [({}, "/task_id"), ({"task_id": task["id"]}, "/reason"),
                    ({"task_id": task["id"], "reason": ""}, "/reason"),
                    ({"task_id": task["id"], "reason": "x", "extra": 1}, "/extra")]:
    s, b = call("POST", f"/api/v1/me/cases/{cid}/appeals", ln, json.dumps(body))
    assert s == 400, (body, s, b)
    p = json.loads(b)
    got = p["errors"][0]["field"] if p.get("errors") else p.get("detail")
    assert got == field, (body, got, field)
s, b = call("POST", f"/api/v1/me/cases/{cid}/appeals", ln, json.dumps({"task_id": task["id"], "reason": "孩子随我们住在西湖区"}))
assert s == 201, b
appeal = json.loads(b)
s, b = call("POST", f"/api/v1/me/cases/{cid}/appeals", ln, json.dumps({"task_id": task["id"], "reason": "again"}))
assert s == 409, b
s, b = call("GET", "/api/v1/service/appeals", edu)
assert s == 200 and any(a["id"] == appeal["id"] for a in json.loads(b)["items"]), b
s, b = call("GET", f"/api/v1/service/appeals/{appeal['id']}", edu)
assert s == 200 and json.loads(b)["decision"]["rows"] == [6], b
s, b = call("POST", f"/api/v1/service/appeals/{appeal['id']}/decide", edu, json.dumps({"decision": "maybe", "answer": "x"}))
assert s == 400 and json.loads(b)["errors"][0]["field"] == "/decision", b
s, b = call("POST", f"/api/v1/service/appeals/{appeal['id']}/decide", edu,
            json.dumps({"decision": "uphold", "answer": "户籍不在本学区，维持原结果"}))
assert s == 200 and json.loads(b)["state"] == "upheld", b
open(out, "w").write(c["case_number"])
PY
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
CASE=$(cat "$WORK/case_number")
CONFIG="$WORK/demo/tongban.toml"

"$TONGBAN" rules replay -c "$CONFIG" --case "$CASE" >"$WORK/replay" 2>>"$WORK/err" || { cat "$WORK/replay"; fail "replay"; }
grep -q "recorded reject, replayed reject" "$WORK/replay" || { cat "$WORK/replay"; fail "replay outcome"; }
grep -q "SAME" "$WORK/replay" || { cat "$WORK/replay"; fail "replay not the same"; }
grep -q "ledger entry is leaf" "$WORK/replay" || { cat "$WORK/replay"; fail "decision not found in the log"; }

# Someone edits the stored inputs: the replay differs and exits 1.
DB="$WORK/demo/tongban.db"
[ -f "$DB" ] || fail "no database file in the demo folder"
python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("""UPDATE service_decision SET refs = replace(refs, '浙江省嘉兴市嘉善县', '浙江省杭州市西湖区')""")
c.commit()
PY
if "$TONGBAN" rules replay -c "$CONFIG" --case "$CASE" >"$WORK/replay2" 2>>"$WORK/err"; then
  cat "$WORK/replay2"; fail "a tampered decision replayed as the same"
fi
grep -q "DIFFERENT" "$WORK/replay2" || { cat "$WORK/replay2"; fail "no DIFFERENT"; }
echo "PASS"
