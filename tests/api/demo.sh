# Sourced by the contract tests: start_demo TONGBAN WORK starts `tongban demo` (every route of the
# real wiring, the demo data) in WORK/demo on a free port and sets BASE (http://127.0.0.1:PORT),
# DEMO_PID and DEMO_OUT (what it printed: the demo accounts, the sample receipt). stop_demo ends it.
start_demo() {
  DEMO_OUT="$2/demo.out"
  "$1" demo --dir "$2/demo" --suite intl --listen 127.0.0.1:0 >"$DEMO_OUT" 2>"$2/demo.err" &
  DEMO_PID=$!
  for _ in $(seq 1 300); do grep -q "demo is ready" "$DEMO_OUT" 2>/dev/null && break; sleep 0.1; done
  BASE=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$DEMO_OUT" | head -1)
  [ -n "$BASE" ] || { echo "FAIL: demo did not start"; tail -20 "$2/demo.err"; return 1; }
}
stop_demo() {
  [ -n "${DEMO_PID:-}" ] && kill "$DEMO_PID" 2>/dev/null
  wait "${DEMO_PID:-}" 2>/dev/null || true
}
