#!/usr/bin/env bash
# End-to-end test of the notification hub's webhook (docs/notifications.md) with a real local
# receiver (webhook_receiver.py) that checks every batch's HMAC signature and counts messages by id:
#  1. `tongban demo` once (file gateway); 张伟 chooses SMS as well as the inbox for receipts.
#  2. Restarted with gateway = "webhook" and crash_after_send_for_tests: a hospital issues 40
#     receipts to 张伟; the worker POSTs the batch, the receiver accepts it, and the server dies
#     by SIGKILL right after the POST returned, before marking anything delivered.
#  3. Restarted without the crash hook: once the lease passes the same messages are sent again
#     with the same ids; the receiver counts each id exactly once (the repeats are dropped), the
#     admin list shows 40 SMS delivered (recipient masked), and 张伟's inbox has the 40 notices;
#     李娜 marking his item read gets 404.
set -euo pipefail
TONGBAN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PID=""
RPID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  [ -n "$RPID" ] && kill "$RPID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }

start() {  # runs the demo folder; sets PID and PORT
  : >"$WORK/out"
  "$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>>"$WORK/err" &
  PID=$!
  for _ in $(seq 1 600); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
  [ -n "$PORT" ] || fail "no port printed"
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# 1. The demo folder, and 张伟's preference: receipts by SMS too.
start
HOSPITAL=$(awk -F'API key: ' '/杭州市示范第一医院/ {print $2}' "$WORK/out")
[ -n "$HOSPITAL" ] || fail "no hospital key"
python3 - "$PORT" <<'PY' || fail "preferences"
import http.client, json, sys
port = int(sys.argv[1])
def call(method, path, token=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if token: h["Authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, json.loads(data) if data else None
s, b = call("POST", "/api/v1/auth/login", body={"login": "13800000001", "password": "tongban-demo"})
assert s == 200, b
s, b = call("PUT", "/api/v1/me/notification-preferences", b["access_token"],
            {"language": "zh", "phone": "13800000001", "channels": {"receipt.issued": ["inbox", "sms"]}})
assert s == 200, b
assert b["channels"]["receipt.issued"] == ["inbox", "sms"], b
PY
sleep 1  # the file gateway drains what the demo queued
stop

# 2. The webhook, and a crash right after the first accepted POST.
python3 "$HERE/webhook_receiver.py" "$WORK/demo/notify-webhook.secret" "$WORK/rport" "$WORK/received.jsonl" &
RPID=$!
for _ in $(seq 1 100); do [ -s "$WORK/rport" ] && break; sleep 0.05; done
RPORT=$(cat "$WORK/rport")
python3 - "$WORK/demo/tongban.toml" "$RPORT" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
text = open(path).read()
text = text.replace('gateway = "file"', 'gateway = "webhook"')
text = re.sub(r'# webhook_url = "[^"]*"', f'webhook_url = "http://127.0.0.1:{port}/notify"', text)
text = text.replace("[notify]\n", "[notify]\ncrash_after_send_for_tests = true\n")
text = re.sub(r"lease_s = \d+", "lease_s = 2", text)
text = re.sub(r"timeout_ms = \d+", "timeout_ms = 1000", text)  # a lease must outlast one POST
text = re.sub(r"poll_ms = \d+", "poll_ms = 50", text)
open(path, "w").write(text)
PY
: >"$WORK/received.jsonl"
start
python3 - "$PORT" "$HOSPITAL" <<'PY' || fail "issuing receipts"
import http.client, json, sys
port, key = int(sys.argv[1]), sys.argv[2]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
body17 = "33010619850312213"
zhang = body17 + "10X98765432"[sum(int(a) * b for a, b in zip(body17, W)) % 11]
items = [{"category": "检查费", "name": "血常规", "quantity": 1, "unit_fen": 2500, "amount_fen": 2500}]
receipt = {"payer_id_number": zhang, "payer_name": "张伟", "kind": "outpatient", "items": items,
           "total_fen": 2500, "insurance_fen": 0, "self_fen": 2500, "channel": "wechat"}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/api/v1/receipts", body=json.dumps({"receipts": [receipt] * 40}),
          headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
try:
    r = c.getresponse(); data = r.read()
    assert r.status in (200, 201), (r.status, data)
except (ConnectionError, http.client.HTTPException):
    pass  # the worker may kill the server (the test hook) before this answer is written
PY
# The server kills itself right after the gateway accepted the batch.
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then fail "the server did not crash after sending"; fi
set +e; wait "$PID"; CODE=$?; set -e
PID=""
[ "$CODE" -eq 137 ] || fail "expected death by SIGKILL (137), got $CODE"
FIRST=$(grep -c '"id"' "$WORK/received.jsonl" || true)
[ "$FIRST" -ge 1 ] || fail "nothing reached the receiver before the crash"

# 3. Restarted: the same ids again after the lease; each counted once.
sed -i '/^crash_after_send_for_tests = true$/d' "$WORK/demo/tongban.toml"
start
python3 - "$PORT" "$WORK/received.jsonl" <<'PY' || fail "after the restart"
import http.client, json, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
def call(method, path, token=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if token: h["Authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, json.loads(data) if data else None
def lines():
    return [json.loads(l) for l in open(log, encoding="utf-8") if l.strip()]
deadline = time.time() + 30
while time.time() < deadline:
    got = [l for l in lines() if l.get("template") == "receipt.issued"]
    if len({l["id"] for l in got}) >= 40 and any(l["repeat"] for l in got):
        break
    time.sleep(0.2)
all_lines = lines()
assert not any(l.get("bad_signature") for l in all_lines), "a batch with a bad signature"
got = [l for l in all_lines if l.get("template") == "receipt.issued"]
ids = [l["id"] for l in got]
unique = set(ids)
assert len(unique) == 40, (len(unique), len(ids))
repeats = [l for l in got if l["repeat"]]
assert repeats, "the crashed batch was not sent again"
first = [l for l in got if not l["repeat"]]
assert len(first) == 40, len(first)  # each id counted exactly once
assert all(l["to"] == "13800000001" for l in got)
assert "血常规" not in got[0]["body"] and "25.00元" in got[0]["body"], got[0]["body"]
s, b = call("POST", "/api/v1/auth/login", body={"login": "admin", "password": "tongban-demo"})
admin = b["access_token"]
deadline = time.time() + 10
while time.time() < deadline:
    s, b = call("GET", "/api/v1/admin/notifications?status=sending&limit=500", admin)
    if s == 200 and not b["items"]:
        break
    time.sleep(0.2)
s, b = call("GET", "/api/v1/admin/notifications?status=delivered&limit=500", admin)
assert s == 200, b
sms = [d for d in b["items"] if d["channel"] == "sms" and d["template"] == "receipt.issued"]
assert len(sms) == 40, len(sms)
assert all(d["attempts"] == 2 for d in sms if "tbn-%d" % d["id"] in {r["id"] for r in repeats})
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
body17 = "33010619850312213"
assert body17 not in json.dumps(b), "a recipient unmasked"
s, b = call("GET", "/api/v1/admin/notifications?status=bogus", admin)
assert s == 400, b
# 张伟's inbox: the 40 notices; 李娜 cannot mark his item read (404).
s, b = call("POST", "/api/v1/auth/login", body={"login": "13800000001", "password": "tongban-demo"})
zhang = b["access_token"]
s, b = call("GET", "/api/v1/me/inbox?limit=100", zhang)
assert s == 200 and b["total"] >= 40, b
item = b["items"][0]["id"]
s, b = call("POST", "/api/v1/auth/login", body={"login": "13800000002", "password": "tongban-demo"})
lina = b["access_token"]
s, b = call("POST", f"/api/v1/me/inbox/{item}/read", lina)
assert s == 404, (s, b)
s, b = call("POST", f"/api/v1/me/inbox/{item}/read", zhang)
assert s == 200 and b["read"], b
assert call("GET", "/api/v1/me/inbox")[0] == 401
assert call("GET", "/api/v1/admin/notifications", zhang)[0] == 403
print("ok: 40 messages, each id counted once;", len(repeats), "repeats dropped by the receiver")
PY
stop

echo "ok"
