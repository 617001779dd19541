#!/usr/bin/env bash
# The attack suite's operator side (issue 15), against the real `tongban` binary:
#  - file modes: after `init` and a demo start the data folder is 0700 and every file in it 0600
#    (finding 5); an older, wider deployment is warned about at start, naming the paths;
#  - one server per data folder: a second `serve` of the same folder stops at once naming the
#    first one's pid, and cannot take its port (finding 7);
#  - descriptor exhaustion: with `ulimit -n 256` and 300 idle sockets the server does not spin
#    (CPU time stays low), keeps its existing connections, and serves again once they close
#    (finding 3);
#  - API keys: `tongban keys create/list/rotate/revoke` against a running server; a revoked key
#    is refused within [auth] api_key_cache_s (finding 4).
set -euo pipefail
TONGBAN=$1
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.out "$WORK"/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }
mode() { stat -c '%a' "$1"; }
wait_ready() {  # $@: the server's output files; prints the port once /healthz answers
  for _ in $(seq 1 300); do
    local port
    port=$(cat "$@" 2>/dev/null | grep -oE 'http://127\.0\.0\.1:[0-9]+|"msg":"listening","host":"127.0.0.1","port":[0-9]+' |
           head -1 | sed 's/.*://')
    [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { echo "$port"; return 0; }
    sleep 0.1
  done
  return 1
}

# --- file modes after init (run with a permissive umask: tongban must not depend on it) -------
( umask 022; "$TONGBAN" init --dir "$WORK/d" --suite intl >"$WORK/init.out" 2>"$WORK/init.err" ) || fail "init"
[ "$(mode "$WORK/d")" = "700" ] || fail "data folder is $(mode "$WORK/d"), want 700"
for f in "$WORK"/d/* "$WORK"/d/keys/*; do
  [ -d "$f" ] && { [ "$(mode "$f")" = "700" ] || fail "$f is $(mode "$f"), want 700"; continue; }
  [ "$(mode "$f")" = "600" ] || fail "$f is $(mode "$f"), want 600"
done
[ -f "$WORK/d/tongban.db" ] || fail "no database after init"

# --- serve: the lock, the port, and no warning for a tight folder --------------------------------
( umask 022; exec "$TONGBAN" serve --config "$WORK/d/tongban.toml" --listen 127.0.0.1:0 ) >"$WORK/serve.out" 2>"$WORK/serve.err" &
PIDS+=($!)
SERVE_PID=$!
PORT=$(wait_ready "$WORK/serve.out" "$WORK/serve.err") || fail "serve did not start"
for f in "$WORK"/d/tongban.db*; do
  [ "$(mode "$f")" = "600" ] || fail "$f is $(mode "$f") while serving, want 600"
done
grep -q "readable by other users" "$WORK/serve.out" "$WORK/serve.err" && fail "warned about a tight folder"
if "$TONGBAN" serve --config "$WORK/d/tongban.toml" --listen 127.0.0.1:0 >"$WORK/second.out" 2>"$WORK/second.err"; then
  fail "a second server of the same folder started"
fi
grep -q "pid $SERVE_PID" "$WORK/second.err" || fail "the second server's error does not name pid $SERVE_PID"
# Another folder cannot take the first one's port either (no SO_REUSEPORT across processes).
"$TONGBAN" init --dir "$WORK/e" --suite intl >/dev/null 2>&1 || fail "init e"
if timeout 10 "$TONGBAN" serve --config "$WORK/e/tongban.toml" --listen "127.0.0.1:$PORT" >"$WORK/port.out" 2>"$WORK/port.err"; then
  fail "a second process served on port $PORT"
fi
grep -qi "in use" "$WORK/port.err" || fail "the second process did not say the port is in use"

# --- API keys while the server runs ----------------------------------------------------------
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
"$TONGBAN" demo --dir "$WORK/demo" --suite intl --listen 127.0.0.1:0 >"$WORK/demo.out" 2>"$WORK/demo.err" &
PIDS+=($!)
DEMO_PID=$!
PORT=$(wait_ready "$WORK/demo.out") || fail "demo did not start"
BASE="http://127.0.0.1:$PORT"
[ "$(mode "$WORK/demo")" = "700" ] || fail "demo folder is $(mode "$WORK/demo")"
KEY=$("$TONGBAN" keys create --config "$WORK/demo/tongban.toml" --account hospital-hz-demo \
      --scope receipt:issue --label "HIS test" 2>"$WORK/keys.err") || fail "keys create: $(cat "$WORK/keys.err")"
case "$KEY" in tbk_*) ;; *) fail "keys create printed '$KEY'";; esac
KEY_ID=${KEY:4:12}
"$TONGBAN" keys list --config "$WORK/demo/tongban.toml" | grep -q "^$KEY_ID	active" || fail "keys list"
"$TONGBAN" keys list --config "$WORK/demo/tongban.toml" | grep -q "${KEY:17}" && fail "keys list shows a secret"
curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/v1/me" | grep -q department_system || fail "new key refused"
NEW=$("$TONGBAN" keys rotate --config "$WORK/demo/tongban.toml" --key-id "$KEY_ID" --overlap-s 3600 2>/dev/null) || fail "keys rotate"
curl -fsS -H "Authorization: Bearer $NEW" "$BASE/api/v1/me" >/dev/null || fail "rotated key refused"
curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/v1/me" >/dev/null || fail "old key refused inside its overlap"
"$TONGBAN" keys revoke --config "$WORK/demo/tongban.toml" --key-id "$KEY_ID" >/dev/null || fail "keys revoke"
# Revoked from another process: the server's cached row lives api_key_cache_s (5 s by default).
for _ in $(seq 1 80); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE/api/v1/me")" = "401" ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE/api/v1/me")" = "401" ] ||
  fail "revoked key still accepted after 8 s"
"$TONGBAN" keys revoke --config "$WORK/demo/tongban.toml" --key-id 0123456789ab >/dev/null 2>&1 &&
  fail "revoking an unknown key id succeeded"
kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null || true

# --- an older deployment with wide modes is warned about --------------------------------------
chmod 755 "$WORK/d"; chmod 644 "$WORK/d/tongban.toml"
"$TONGBAN" serve --config "$WORK/d/tongban.toml" --listen 127.0.0.1:0 >"$WORK/wide.out" 2>"$WORK/wide.err" &
PIDS+=($!)
WIDE_PID=$!
PORT=$(wait_ready "$WORK/wide.out" "$WORK/wide.err") || fail "serve (wide) did not start"
grep -h "readable by other users" "$WORK/wide.out" "$WORK/wide.err" | grep -q "tongban.toml" ||
  fail "no warning naming tongban.toml"

# --- descriptor exhaustion ---------------------------------------------------------------------
kill "$WIDE_PID"; wait "$WIDE_PID" 2>/dev/null || true
( ulimit -n 256; exec "$TONGBAN" serve --config "$WORK/d/tongban.toml" --listen 127.0.0.1:0 ) >"$WORK/fd.out" 2>"$WORK/fd.err" &
PIDS+=($!)
FD_PID=$!
PORT=$(wait_ready "$WORK/fd.out" "$WORK/fd.err") || fail "serve (ulimit) did not start"
python3 - "$PORT" "$FD_PID" <<'PY' || fail "descriptor exhaustion"
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
def cpu_seconds():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
def get(path):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    s.close()
    return data
# One keep-alive connection opened before the flood must keep working through it.
keep = socket.create_connection(("127.0.0.1", port), timeout=5)
keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
assert b"200 OK" in keep.recv(65536)
held = []
for _ in range(300):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=1))
    except OSError:
        break
time.sleep(0.5)
before = cpu_seconds()
time.sleep(2.0)
spent = cpu_seconds() - before
print(f"held {len(held)} sockets; server CPU over 2 s while out of descriptors: {spent:.2f} s")
# Spinning on accept() burns ~2 s of CPU per 2 s per io thread; back-off costs almost nothing.
assert spent < 0.5, f"server spun: {spent:.2f} s CPU in 2 s"
keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
assert b"200 OK" in keep.recv(65536), "existing connection stopped being served"
for s in held:
    s.close()
deadline = time.time() + 10
while True:
    try:
        if b"200 OK" in get("/healthz"):
            break
    except OSError:
        pass
    assert time.time() < deadline, "server did not recover after the sockets closed"
    time.sleep(0.1)
metrics = get("/metrics").decode()
line = [l for l in metrics.splitlines() if l.startswith("tongban_http_accept_backoffs_total")]
assert line and float(line[0].split()[-1]) > 0, "no accept back-off counted: " + str(line)
print("recovered; " + line[0])
PY
grep -h "backing off" "$WORK/fd.out" "$WORK/fd.err" | grep -q "delay_ms" || fail "no back-off log line"
echo "cli security: OK"
