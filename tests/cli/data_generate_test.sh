#!/usr/bin/env bash
# End-to-end test of `tongban data generate` on an initialised folder (SQLite): a small synthetic
# county lands in every dataset, pushed by one department-system account per owner department;
# its ledger entries are integrated before the command returns; the same seed again changes
# nothing, another seed adds a new county; bad options are refused with the option named; a
# served folder answers a purpose-bound read of a generated person under an agreement.
set -euo pipefail
TONGBAN=$1
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- out"; cat "$WORK/out" 2>/dev/null; echo "--- err"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }
sql() { python3 -c 'import sqlite3,sys; print("\n".join("|".join(map(str,r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$WORK/db/tongban.db" "$1"; }

"$TONGBAN" init --dir "$WORK/db" >/dev/null 2>&1 || fail "init"
CONFIG="$WORK/db/tongban.toml"
ENTRIES=$(sql "SELECT COUNT(*) FROM ledger_entry")

"$TONGBAN" data generate -c "$CONFIG" --people 600 --enterprises 40 >"$WORK/out" 2>"$WORK/err" || fail "generate"
grep -q "generated 600 people and 40 enterprises" "$WORK/out" || fail "summary line"
grep -q "generating 600 people and 40 enterprises: done" "$WORK/err" || fail "progress"
[ "$(sql "SELECT COUNT(*) FROM data_record WHERE dataset = 'household_registration'")" = 600 ] || fail "600 people"
[ "$(sql "SELECT COUNT(*) FROM data_record WHERE dataset = 'enterprise_registration'")" = 40 ] || fail "40 enterprises"
# Every dataset of the catalogue holds records, each pushed by its owner's own system account.
[ "$(sql "SELECT COUNT(DISTINCT dataset) FROM data_record")" = 12 ] || fail "every dataset populated"
[ "$(sql "SELECT COUNT(*) FROM (SELECT owner FROM data_record GROUP BY owner HAVING COUNT(DISTINCT pushed_by) = 1)")" = 12 ] ||
  fail "one pusher per owner department"
[ "$(sql "SELECT COUNT(*) FROM data_record r JOIN accounts a ON a.id = r.pushed_by WHERE a.role <> 'department_system'")" = 0 ] ||
  fail "pushed by department systems"
[ "$(sql "SELECT login FROM accounts WHERE department = '杭州市公安局'")" = "police-hz-data" ] || fail "police system login"
RECORDS=$(sql "SELECT COUNT(*) FROM data_record")
# One ledger entry per record version, integrated (nothing left in the queue).
[ "$(sql "SELECT COUNT(*) FROM ledger_queue")" = 0 ] || fail "ledger queue not drained"
[ "$(sql "SELECT COUNT(*) FROM ledger_entry")" = "$((ENTRIES + RECORDS))" ] || fail "a ledger entry per record"

# The same seed: nothing new. Another seed: another county beside it.
"$TONGBAN" data generate -c "$CONFIG" --people 600 --enterprises 40 >"$WORK/out" 2>"$WORK/err" || fail "again"
grep -q ": 0 record versions stored, $RECORDS already there" "$WORK/out" || fail "a rerun changed something"
"$TONGBAN" data generate -c "$CONFIG" --people 100 --seed 7 >"$WORK/out" 2>"$WORK/err" || fail "seed 7"
[ "$(sql "SELECT COUNT(*) FROM data_record WHERE dataset = 'household_registration'")" = 700 ] || fail "seed 7 adds 100"

# Bad options: exit 1, the option named.
if "$TONGBAN" data generate -c "$CONFIG" --people 0 >"$WORK/out" 2>"$WORK/err"; then fail "--people 0 accepted"; fi
grep -q -- "--people" "$WORK/err" || fail "--people not named"
if "$TONGBAN" data generate -c "$CONFIG" --people 10 --enterprises -1 >"$WORK/out" 2>"$WORK/err"; then fail "--enterprises -1"; fi
grep -q -- "--enterprises" "$WORK/err" || fail "--enterprises not named"
if "$TONGBAN" data generate -c "$WORK/none.toml" --people 10 >"$WORK/out" 2>"$WORK/err"; then fail "missing config"; fi

# Served: the service center's system gets a key, asks the police for household records, the
# police's system approves, and a generated person is read under that agreement.
CENTER=$("$TONGBAN" keys create -c "$CONFIG" --account service-center-xihu-data --scope data:read --label test 2>/dev/null) ||
  fail "key for the service center"
POLICE=$("$TONGBAN" keys create -c "$CONFIG" --account police-hz-data --scope data:push --label test 2>/dev/null) ||
  fail "key for the police"
"$TONGBAN" serve -c "$CONFIG" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(grep -oE '"msg":"listening"[^}]*"port":[0-9]+' "$WORK/err" 2>/dev/null | grep -oE '[0-9]+$' || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || fail "serve did not listen"
BASE="http://127.0.0.1:$PORT"
AGREEMENT=$(curl -fsS -H "Authorization: Bearer $CENTER" -H 'Content-Type: application/json' -H 'Idempotency-Key: t1' \
  -d '{"dataset":"household_registration","elements":["name","birth_date"],"purpose":"一证通办","legal_basis":"《浙江省公共数据条例》","until":"'"$(date -u -d '+1 year' +%Y-%m-%dT00:00:00Z)"'"}' \
  "$BASE/api/v1/data/agreements" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || fail "agreement request"
curl -fsS -H "Authorization: Bearer $POLICE" -H 'Content-Type: application/json' -H 'Idempotency-Key: t2' -d '{}' \
  "$BASE/api/v1/data/agreements/$AGREEMENT/approve" >/dev/null || fail "approve"
SUBJECT=$(sql "SELECT subject_id FROM data_record WHERE dataset = 'household_registration' ORDER BY id LIMIT 1")
NAME=$(sql "SELECT json_extract(fields, '\$.name') FROM data_record WHERE dataset = 'household_registration' ORDER BY id LIMIT 1")
curl -fsS -H "Authorization: Bearer $CENTER" \
  "$BASE/api/v1/data/subjects/$SUBJECT/datasets/household_registration?purpose=agreement:$AGREEMENT" >"$WORK/read.json" ||
  fail "read"
python3 -c 'import json,sys; v={x["element"]: x["value"] for x in json.load(open(sys.argv[1]))["values"]}; assert v["name"] == sys.argv[2] and "household_address" not in v, v' \
  "$WORK/read.json" "$NAME" || fail "read answer"
[ "$(sql "SELECT COUNT(*) FROM data_access")" = 1 ] || fail "the read is logged"
echo "OK"
