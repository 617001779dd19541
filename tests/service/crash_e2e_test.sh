#!/usr/bin/env bash
# End-to-end test of the services part over HTTP against `tongban demo`, then `tongban serve` on
# the same folder. Bad input on every kind of service route gets a 400 naming the field. Then 张伟 applies for cross-region medical filing (异地就医备案) with his ID card from
# the wallet; the moment the API answers "submitted" the server is killed with SIGKILL; after a
# restart the case is there, in progress, its task in the medical security bureau's queue. Also:
# bad uploads (empty, too large, a script named .png, another's case) get clear problems and store
# nothing; the staff of another department sees no task.
set -euo pipefail
[ -n "${DEBUG:-}" ] && set -x
TONGBAN=$1
WORK=$(mktemp -d)
PID=""
cleanup() { if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }

start_demo() {
  "$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
  PID=$!
  for _ in $(seq 1 900); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
  [ -n "$PORT" ] || fail "no port printed"
}
start_demo

python3 - "$PORT" "$WORK/case_id" <<'PY' || fail "submit scenario"
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

zw, ln = login("13800000001"), login("13800000002")
police = login("staff-hz-police")

# Bad input on every kind of service route: a clear 400 naming the field or parameter.
def problem(method, path, token, body=None, ctype="application/json"):
    s, b = call(method, path, token, body, ctype)
    assert s == 400, (method, path, s, b)
    p = json.loads(b)
    return p["errors"][0]["field"] if p.get("errors") else p["detail"]
expected = [
    (("POST", "/api/v1/me/cases", zw, "{}"), "/bundle"),
    (("POST", "/api/v1/me/cases", zw, json.dumps({"bundle": "no_such_bundle"})), "/bundle"),
    (("POST", "/api/v1/me/cases", zw, json.dumps({"bundle": "x", "colour": 1})), "/colour"),
    (("POST", "/api/v1/me/cases", zw, "{not json"), "request body is not valid JSON: syntax error"),
    (("GET", "/api/v1/me/cases/abc", zw), "id"),
    (("GET", "/api/v1/me/cases/0", zw), "id"),
    (("POST", "/api/v1/me/cases/1/submit", zw, json.dumps({"answers": []})), "/answers"),
    (("POST", "/api/v1/me/cases/1/submit", zw, json.dumps({"materials": [{"code": "x"}]})), "/materials/0/license_id"),
    (("POST", "/api/v1/me/cases/1/confirm", ln,
      json.dumps({"materials": [{"code": "x", "license_id": "y", "z": 1}]})), "/materials/0/z"),
    (("GET", "/api/v1/service/tasks?filter=everything", police), "filter"),
    (("POST", "/api/v1/service/tasks/1/reject", police, "{}"), "/reason"),
    (("POST", "/api/v1/service/tasks/1/request-materials", police, json.dumps({"reason": ""})), "/reason"),
    (("POST", "/api/v1/service/tasks/1/approve", police, json.dumps({"staff_fields": 1})), "/staff_fields"),
    (("POST", "/api/v1/service/tasks/x/claim", police, "{}"), "id"),
    (("POST", "/api/v1/me/notices/-1/read", zw, ""), "id"),
]
for args, field in expected:
    assert problem(*args) == field, (args[:2], field)
s, b = call("POST", "/api/v1/me/cases", zw, json.dumps({"bundle": "cross_region_medical_filing"}))
assert s == 201, b
case = json.loads(b)
cid = case["id"]
name = [f for f in case["fields"] if f["code"] == "applicant_name"]
card = [m for m in case["materials"] if m["code"] == "applicant_id_card"][0]["available"][0]
up = f"/api/v1/me/cases/{cid}/materials/medical_filing_residence_proof"
# Bad uploads: clear problems, nothing attached.
s, b = call("PUT", up, zw, b"", "application/octet-stream")
assert s == 400 and json.loads(b)["errors"][0]["field"] == "/body", (s, b)
s, b = call("PUT", up, zw, b"#!/bin/sh\necho pwned\n", "image/png")
assert s == 422 and "text/" in json.loads(b)["detail"], (s, b)
# Too large: refused from its Content-Length, before the body is read (the server may close
# while we still send, so read the answer from a raw socket after the headers).
import socket
sock = socket.create_connection(("127.0.0.1", port), timeout=30)
sock.sendall((f"PUT {up} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {zw}\r\n"
              f"Content-Type: application/octet-stream\r\nContent-Length: {2 << 20}\r\n\r\n").encode())
answer = sock.recv(4096).decode("latin-1")
sock.close()
assert answer.startswith("HTTP/1.1 413"), answer[:200]
s, b = call("PUT", up, ln, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde", "image/png")
assert s == 404, (s, b)  # not her case
s, b = call("GET", f"/api/v1/me/cases/{cid}", zw)
assert [m for m in json.loads(b)["materials"] if m["code"] == "medical_filing_residence_proof"][0]["attached"] is None
# A bad answer is refused naming the field; nothing changes.
bad = {"answers": {"medical_filing_type": "去旅游", "medical_filing_start_date": "2027-02-30"},
       "materials": [{"code": "applicant_id_card", "license_id": card}]}
s, b = call("POST", f"/api/v1/me/cases/{cid}/submit", zw, json.dumps(bad))
assert s == 400, (s, b)
fields = {e["field"] for e in json.loads(b)["errors"]}
assert {"/answers/medical_filing_type", "/answers/medical_filing_start_date", "/answers/medical_destination"} <= fields, fields
good = {"answers": {"medical_filing_type": "异地长期居住", "medical_destination": "上海市浦东新区",
                    "medical_filing_start_date": "2027-01-01", "contact_phone": "13800000001"},
        "materials": [{"code": "applicant_id_card", "license_id": card}]}
s, b = call("POST", f"/api/v1/me/cases/{cid}/submit", zw, json.dumps(good))
assert s == 200, (s, b)
assert json.loads(b)["state"] == "in_progress", b
open(out, "w").write(str(cid))
PY
# Told "submitted": kill the server at once, without letting it stop.
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=""
"$TONGBAN" serve --config "$WORK/demo/tongban.toml" >"$WORK/out2" 2>"$WORK/err" &
PID=$!
PORT2=""
for _ in $(seq 1 300); do
  PORT2=$(grep -oE '"port":[0-9]+' "$WORK/err" "$WORK/out2" 2>/dev/null | head -1 | grep -oE '[0-9]+$' || true)
  [ -n "$PORT2" ] && break
  sleep 0.1
done
[ -n "$PORT2" ] || fail "the restarted server printed no port"
python3 - "$PORT2" "$(cat "$WORK/case_id")" <<'PY' || fail "after the restart"
import http.client, json, sys, time
port, cid = int(sys.argv[1]), sys.argv[2]
def call(method, path, token=None, body=None):
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Content-Type": "application/json"}
            if token: headers["Authorization"] = "Bearer " + token
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise SystemExit("no server")
def login(name):
    s, b = call("POST", "/api/v1/auth/login", body=json.dumps({"login": name, "password": "tongban-demo"}))
    assert s == 200, b
    return json.loads(b)["access_token"]
s, b = call("GET", f"/api/v1/me/cases/{cid}", login("13800000001"))
assert s == 200, (s, b)
case = json.loads(b)
assert case["state"] == "in_progress", case["state"]
assert case["tasks"][0]["state"] == "ready" and case["tasks"][0]["department"]["key"] == "hz-medical-security"
s, b = call("GET", "/api/v1/service/tasks", login("staff-hz-medical-security"))
assert any(str(t["case_id"]) == cid for t in json.loads(b)["items"]), b
s, b = call("GET", "/api/v1/service/tasks", login("staff-hz-tax"))
assert not any(str(t["case_id"]) == cid for t in json.loads(b)["items"]), b
s, b = call("GET", f"/api/v1/service/cases/{cid}", login("staff-hz-tax"))
assert s == 404, (s, b)
print("case", cid, "survived kill -9; another department sees nothing")
PY
echo "PASS"
