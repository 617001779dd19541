#!/usr/bin/env bash
# End-to-end test of the README's first command: `tongban demo` on a free port answers /healthz,
# prints working demo credentials, serves the landing page, and stops cleanly on SIGTERM.
# Also: `init` refuses to overwrite, and `serve` refuses a bad config with a field-level error.
set -euo pipefail
TONGBAN=$1
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$WORK/out" 2>/dev/null; echo "--- stderr"; tail -20 "$WORK/err" 2>/dev/null; exit 1; }

"$TONGBAN" version | grep -q "tongban" || fail "version"

"$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 1 200); do grep -q "demo is ready" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/out" | head -1 | sed 's/.*://')
[ -n "$PORT" ] || fail "no port printed"
BASE="http://127.0.0.1:$PORT"

curl -fsS "$BASE/healthz" | grep -q '"ok"' || fail "/healthz"
curl -fsS "$BASE/readyz" | grep -q '"ready"' || fail "/readyz"
curl -fsS "$BASE/" | grep -q "通办" || fail "landing page"
curl -fsS "$BASE/api/v1/openapi.json" | grep -q '"3.1.0"' || fail "openapi"
curl -fsS "$BASE/api" | grep -q "openapi.json" || fail "API page"
# In a real browser (Debian's headless chromium) the API page renders a row per route from the
# OpenAPI document, and the landing page fills in the live status.
if command -v chromium >/dev/null; then
  BROWSER=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking
           --no-first-run --user-data-dir="$WORK/chromium" --virtual-time-budget=5000 --dump-dom)
  "${BROWSER[@]}" "$BASE/api" 2>/dev/null | grep -q "/api/v1/auth/login" || fail "API page in chromium"
  "${BROWSER[@]}" "$BASE/" 2>/dev/null | grep -q "200 ok" || fail "landing page status in chromium"
fi

# Every printed password logs in; every printed API key authenticates.
grep -q "password: tongban-demo" "$WORK/out" || fail "no demo passwords printed"
LOGIN=$(grep -m1 -oE 'login: [0-9]+' "$WORK/out" | sed 's/login: //')
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"login\":\"$LOGIN\",\"password\":\"tongban-demo\"}" "$BASE/api/v1/auth/login" |
  sed -E 's/.*"access_token":"([^"]+)".*/\1/')
curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me" | grep -q '"role":"citizen"' || fail "citizen /me"
for KEY in $(grep -oE 'tbk_[A-Za-z0-9_-]+' "$WORK/out"); do
  curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/v1/me" | grep -q '"department_system"' || fail "API key"
done
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/me")
[ "$STATUS" = "401" ] || fail "/me without token gave $STATUS"

# Licences: 张伟's wallet holds a driving licence; a presentation verifies once, then is a replay.
LIC=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me/licenses" | python3 -c \
  'import json,sys; print([l["id"] for l in json.load(sys.stdin)["items"] if l["type_code"]=="driving_licence"][0])') ||
  fail "wallet"
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"disclose":["name"]}' \
  "$BASE/api/v1/me/licenses/$LIC/presentations" >"$WORK/presentation.json" || fail "presentation"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(json.dumps({"token": p["token"]}))' \
  "$WORK/presentation.json" >"$WORK/verify.json"
# Offline first (issuer key + signed status list, no server involved), then online.
curl -fsS "$BASE/api/v1/licenses/issuer" >"$WORK/issuer.json" || fail "licence issuer"
curl -fsS "$BASE/api/v1/licenses/status" >"$WORK/status.jwt" || fail "licence status list"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/presentation.json" >"$WORK/token.txt"
"$TONGBAN" verify-license --token "$WORK/token.txt" --issuer "$WORK/issuer.json" --status "$WORK/status.jwt" |
  grep -q "^OK valid (status list checked)" || fail "offline licence verify"
sed -i 's/~[^~]*$/~eyJhbGciOiJFUzI1NiJ9.e30.AAAA/' "$WORK/token.txt"
if "$TONGBAN" verify-license --token "$WORK/token.txt" --issuer "$WORK/issuer.json" >/dev/null 2>&1; then
  fail "offline verify accepted a broken key binding"
fi
curl -fsS -H 'Content-Type: application/json' -d @"$WORK/verify.json" "$BASE/api/v1/licenses/verify" \
  >"$WORK/license-verify.json" || fail "licence verify"
grep -q '"valid":true' "$WORK/license-verify.json" || fail "licence verify: $(head -c 300 "$WORK/license-verify.json")"
curl -fsS -H 'Content-Type: application/json' -d @"$WORK/verify.json" "$BASE/api/v1/licenses/verify" |
  grep -q 'replay' || fail "licence replay"

# The log never holds a token or a key.
if grep -qE 'tb1\.|tbk_|tbr_' "$WORK/err"; then fail "a credential reached the log"; fi

# Ledger: a proof fetched over HTTP verifies offline with only the published key; a tampered
# proof does not.
KEY=$(curl -fsS "$BASE/api/v1/ledger/key" | sed -E 's/.*"verifier_key":"([^"]+)".*/\1/')
curl -fsS "$BASE/api/v1/ledger/proofs/inclusion?index=3" >"$WORK/proof.json"
"$TONGBAN" verify --key "$KEY" --proof "$WORK/proof.json" | grep -q "^OK" || fail "verify"
python3 - "$WORK/proof.json" "$WORK/tampered.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["hashes"][0], p["hashes"][1] = p["hashes"][1], p["hashes"][0]
json.dump(p, open(sys.argv[2], "w"))
PY
if "$TONGBAN" verify --key "$KEY" --proof "$WORK/tampered.json" 2>/dev/null; then fail "tampered proof verified"; fi

# Receipts: the printed sample receipt verifies publicly, with a proof that checks offline
# together with its canonical document; a wrong check code reads as unknown.
VERIFY=$(grep -oE 'verify: GET [^ ]+' "$WORK/out" | sed 's/verify: GET //')
[ -n "$VERIFY" ] || fail "no sample receipt printed"
curl -fsS "$BASE$VERIFY" >"$WORK/receipt.json"
grep -q '"status":"authentic"' "$WORK/receipt.json" || fail "sample receipt: $(head -c 300 "$WORK/receipt.json")"
python3 - "$WORK/receipt.json" "$WORK/receipt-proof.json" "$WORK/receipt.txt" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
json.dump(v["ledger"], open(sys.argv[2], "w"))
open(sys.argv[3], "w").write(v["document"])
PY
"$TONGBAN" verify --key "$KEY" --proof "$WORK/receipt-proof.json" --document "$WORK/receipt.txt" |
  grep -q "document matches" || fail "receipt proof offline"
curl -fsS "$BASE${VERIFY%?????}ZZZZZ" | grep -q '"status":"unknown"' || fail "wrong check code"

# The same receipt checked fully offline with `verify-receipt`: ledger proof, document, its line
# in the signed batch manifest, both signatures, and the QR text its payer (张伟) sees; a tampered
# document and a foreign key fail.
curl -fsS "$BASE$VERIFY&manifest=1" >"$WORK/receipt-full.json" || fail "verify with manifest"
curl -fsS "$BASE/api/v1/receipts/keys" >"$WORK/receipt-keys.json" || fail "receipt keys"
SAMPLE=$(echo "$VERIFY" | sed -E 's/.*code=([0-9]+)&number=([0-9]+).*/\1\/\2/')
QR=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/receipts/$SAMPLE" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["qr_text"])') || fail "sample receipt as its payer"
"$TONGBAN" verify-receipt --answer "$WORK/receipt-full.json" --keys "$WORK/receipt-keys.json" \
  --log-key "$KEY" --qr "$QR" >"$WORK/verify-receipt.out" || fail "verify-receipt: $(cat "$WORK/verify-receipt.out")"
for CHECK in ledger document manifest issuer finance qr; do
  grep -q "^OK $CHECK:" "$WORK/verify-receipt.out" || fail "verify-receipt $CHECK: $(cat "$WORK/verify-receipt.out")"
done
sed 's/total_fen: /total_fen: 1/' "$WORK/receipt-full.json" >"$WORK/receipt-tampered.json"
if "$TONGBAN" verify-receipt --answer "$WORK/receipt-tampered.json" --keys "$WORK/receipt-keys.json" \
  --log-key "$KEY" >/dev/null; then fail "verify-receipt accepted a tampered document"; fi
# Each demo hospital has its own current key, named by the sample receipt's batch; a keys file with
# the hospital's and the finance key swapped, or without the batch's key, is refused.
python3 - "$WORK/receipt-keys.json" "$WORK/receipt-full.json" <<'PY' || fail "receipt keys: $(cat "$WORK/receipt-keys.json")"
import json, sys
k = json.load(open(sys.argv[1]))
answer = json.load(open(sys.argv[2]))
current = [i for i in k["issuers"] if i["current"]]
assert len(current) >= 2 and len({i["uscc"] for i in current}) == len(current), k
assert len({i["key_id"] for i in k["issuers"]}) == len(k["issuers"]), k
mine = [i for i in k["issuers"] if i["key_id"] == answer["batch"]["issuer_key_id"]]
assert len(mine) == 1 and mine[0]["name"] == "杭州市示范第一医院", (mine, answer["batch"])
mine[0]["key"], k["finance"] = k["finance"], mine[0]["key"]
json.dump(k, open(sys.argv[1] + ".swapped", "w"))
k = json.load(open(sys.argv[1]))
k["issuers"] = [i for i in k["issuers"] if i["key_id"] != answer["batch"]["issuer_key_id"]]
json.dump(k, open(sys.argv[1] + ".without", "w"))
PY
if "$TONGBAN" verify-receipt --answer "$WORK/receipt-full.json" --keys "$WORK/receipt-keys.json.swapped" \
  --log-key "$KEY" >/dev/null; then fail "verify-receipt accepted swapped keys"; fi
"$TONGBAN" verify-receipt --answer "$WORK/receipt-full.json" --keys "$WORK/receipt-keys.json.without" \
  --log-key "$KEY" >"$WORK/verify-without.out" && fail "verify-receipt accepted a keys file without the batch's key"
grep -q "^FAIL issuer: the keys file has no key" "$WORK/verify-without.out" ||
  fail "verify-receipt without the key: $(cat "$WORK/verify-without.out")"

# Licences: the verification's ledger proof (the licence's latest lifecycle entry, here its
# issue) checks offline with the log key, together with its event document.
python3 - "$WORK/license-verify.json" "$WORK/license-proof.json" "$WORK/license-event.txt" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
json.dump(v["ledger"], open(sys.argv[2], "w"))
open(sys.argv[3], "w").write(v["ledger"]["document"])
PY
"$TONGBAN" verify --key "$KEY" --proof "$WORK/license-proof.json" --document "$WORK/license-event.txt" |
  grep -q "(license.issue,.*document matches" || fail "licence proof offline"

kill -TERM "$PID"
wait "$PID" || fail "demo exited with $?"
PID=""

# Receipt destruction: nothing is past the 30-year retention yet, so everything is kept.
"$TONGBAN" receipts destroy --config "$WORK/demo/tongban.toml" --before 2100-01-01 >"$WORK/destroy.out" ||
  fail "receipts destroy"
grep -q "destroyed 0 receipt documents" "$WORK/destroy.out" || fail "destroy: $(cat "$WORK/destroy.out")"
grep -q "kept 7 receipts" "$WORK/destroy.out" || fail "destroy kept: $(cat "$WORK/destroy.out")"

# Audit: the stored log replays clean; one changed byte in a stored entry is found.
"$TONGBAN" audit --config "$WORK/demo/tongban.toml" | grep -q "^OK" || fail "audit of an intact log"
python3 - "$WORK/demo/tongban.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT entry FROM ledger_entry WHERE idx = 7").fetchone()
entry = bytearray(row[0]); entry[-1] ^= 1
db.execute("UPDATE ledger_entry SET entry = ? WHERE idx = 7", (bytes(entry),)); db.commit()
PY
if "$TONGBAN" audit --config "$WORK/demo/tongban.toml" >"$WORK/audit.out"; then fail "audit missed tampering"; fi
grep -q "FINDING" "$WORK/audit.out" || fail "audit output: $(cat "$WORK/audit.out")"
python3 - "$WORK/demo/tongban.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT entry FROM ledger_entry WHERE idx = 7").fetchone()
entry = bytearray(row[0]); entry[-1] ^= 1
db.execute("UPDATE ledger_entry SET entry = ? WHERE idx = 7", (bytes(entry),)); db.commit()
PY
"$TONGBAN" audit --config "$WORK/demo/tongban.toml" | grep -q "^OK" || fail "audit after restoring"

# Restart: same credentials (the demo remembers its keys), still serving.
"$TONGBAN" demo --dir "$WORK/demo" --listen 127.0.0.1:0 >"$WORK/out2" 2>"$WORK/err2" &
PID=$!
for _ in $(seq 1 200); do grep -q "demo is ready" "$WORK/out2" 2>/dev/null && break; sleep 0.1; done
diff <(grep tbk_ "$WORK/out") <(grep tbk_ "$WORK/out2") >/dev/null || fail "credentials changed on restart"
kill -TERM "$PID"; wait "$PID"; PID=""

# init refuses to overwrite; serve refuses a bad config, naming the field.
if "$TONGBAN" init --dir "$WORK/demo" 2>"$WORK/init.err"; then fail "init overwrote"; fi
grep -q "exists" "$WORK/init.err" || fail "init message"
printf '[server]\nthreds = 2\n' > "$WORK/bad.toml"
if "$TONGBAN" serve --config "$WORK/bad.toml" 2>"$WORK/bad.err"; then fail "bad config accepted"; fi
grep -q "server.threds" "$WORK/bad.err" || fail "bad config message: $(cat "$WORK/bad.err")"
# HTTPS: the same server over TLS with a throwaway self-signed certificate.
if command -v openssl >/dev/null; then
  mkdir -p "$WORK/demo/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$WORK/demo/tls/key.pem" -out "$WORK/demo/tls/cert.pem" 2>/dev/null
  sed -i 's|^# tls_cert_file = .*|tls_cert_file = "tls/cert.pem"|; s|^# tls_key_file = .*|tls_key_file = "tls/key.pem"|' \
    "$WORK/demo/tongban.toml"
  "$TONGBAN" serve --config "$WORK/demo/tongban.toml" --listen 127.0.0.1:0 >"$WORK/tls.out" 2>"$WORK/tls.err" &
  PID=$!
  for _ in $(seq 1 100); do grep -q '"listening"' "$WORK/tls.err" 2>/dev/null && break; sleep 0.1; done
  TPORT=$(grep -oE '"port":[0-9]+' "$WORK/tls.err" | head -1 | sed 's/.*://')
  curl -fsS --cacert "$WORK/demo/tls/cert.pem" "https://127.0.0.1:$TPORT/healthz" | grep -q '"ok"' ||
    fail "HTTPS /healthz"
  if curl -fsS "http://127.0.0.1:$TPORT/healthz" >/dev/null 2>&1; then fail "plain HTTP on a TLS port"; fi
  kill -TERM "$PID"; wait "$PID" || fail "TLS server exit"; PID=""
fi

# The intl suite (SHA-256 + Ed25519): the sample receipt verifies offline with verify-receipt too.
"$TONGBAN" init --dir "$WORK/intl" --suite intl >/dev/null 2>&1 || fail "init --suite intl"
"$TONGBAN" demo --dir "$WORK/intl" --listen 127.0.0.1:0 >"$WORK/intl.out" 2>"$WORK/intl.err" &
PID=$!
for _ in $(seq 1 200); do grep -q "demo is ready" "$WORK/intl.out" 2>/dev/null && break; sleep 0.1; done
IBASE=http://127.0.0.1:$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/intl.out" | head -1 | sed 's/.*://')
IVERIFY=$(grep -oE 'verify: GET [^ ]+' "$WORK/intl.out" | sed 's/verify: GET //')
curl -fsS "$IBASE$IVERIFY&manifest=1" >"$WORK/intl-answer.json" || fail "intl verify"
curl -fsS "$IBASE/api/v1/receipts/keys" >"$WORK/intl-keys.json" || fail "intl keys"
grep -q '"algorithm":"ed25519"' "$WORK/intl-keys.json" || fail "intl keys: $(cat "$WORK/intl-keys.json")"
IKEY=$(curl -fsS "$IBASE/api/v1/ledger/key" | sed -E 's/.*"verifier_key":"([^"]+)".*/\1/')
"$TONGBAN" verify-receipt --answer "$WORK/intl-answer.json" --keys "$WORK/intl-keys.json" --log-key "$IKEY" \
  >"$WORK/intl-verify.out" || fail "intl verify-receipt: $(cat "$WORK/intl-verify.out")"
grep -q "^OK finance:.*(ed25519)" "$WORK/intl-verify.out" || fail "intl verify-receipt output"
if "$TONGBAN" verify-receipt --answer "$WORK/intl-answer.json" --keys "$WORK/intl-keys.json" --log-key "$KEY" \
  >/dev/null; then fail "intl receipt verified under the gm log key"; fi
kill -TERM "$PID"; wait "$PID" || fail "intl demo exit"; PID=""
echo "demo smoke test passed"
