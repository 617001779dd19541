#!/usr/bin/env bash
# A TypeScript client generated from the served OpenAPI document (openapi-typescript, pinned in
# tests/web/package.json) type-checks tests/api/client_check.ts under `tsc --strict`, and the
# compiled script logs in, lists a wallet and verifies the demo's sample receipt on a demo server.
set -euo pipefail
TONGBAN=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN="$ROOT/tests/web/node_modules/.bin"
command -v node >/dev/null || { echo "node missing: skipped"; exit 77; }
[ -x "$BIN/openapi-typescript" ] && [ -x "$BIN/tsc" ] || { echo "openapi-typescript / tsc missing (run scripts/setup): skipped"; exit 77; }
. "$ROOT/tests/api/demo.sh"
WORK=$(mktemp -d)
trap 'stop_demo; rm -rf "$WORK"' EXIT
start_demo "$TONGBAN" "$WORK"
curl -fsS "$BASE/api/v1/openapi.json" -o "$WORK/openapi.json"
# The sample receipt the demo prints: "verify: GET /api/v1/receipts/verify?code=C&number=N&check=K".
QUERY=$(grep -oE 'receipts/verify\?code=[^ ]+' "$DEMO_OUT" | head -1 | sed 's/.*?//')
CODE=$(echo "$QUERY" | sed -E 's/.*code=([^&]+).*/\1/')
NUMBER=$(echo "$QUERY" | sed -E 's/.*number=([^&]+).*/\1/')
CHECK=$(echo "$QUERY" | sed -E 's/.*check=([^&]+).*/\1/')

cd "$WORK"
"$BIN/openapi-typescript" openapi.json -o api.d.ts >/dev/null
cp "$ROOT/tests/api/client_check.ts" .
"$BIN/tsc" --strict --noUnusedLocals --target es2022 --module nodenext --moduleResolution nodenext \
  --lib es2022,dom --skipLibCheck --outDir out client_check.ts \
  || { echo "FAIL: the client does not type-check against the generated types"; exit 1; }
OUT=$(node out/client_check.js "$BASE" "$CODE" "$NUMBER" "$CHECK")
echo "$OUT"
echo "$OUT" | grep -q '"who":"张伟"' || { echo "FAIL: not logged in as the demo citizen"; exit 1; }
echo "$OUT" | grep -q 'resident_id_card' || { echo "FAIL: the wallet lacks the demo ID card"; exit 1; }
echo "$OUT" | grep -q '"receipt":"authentic"' || { echo "FAIL: the sample receipt did not verify"; exit 1; }
echo "client: generated, type-checked and run"
