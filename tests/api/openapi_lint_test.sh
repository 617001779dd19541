#!/usr/bin/env bash
# The OpenAPI document as a department integrating with Tongban would check it: `tongban demo`
# serves it (every route of the real wiring), and Redocly CLI (npm @redocly/cli, pinned in
# tests/web/package.json, installed by scripts/setup) lints it with the recommended rules.
# Fails on any error; warnings are printed (one per operation without a 4xx answer would be
# one, ...). Telemetry and update checks are off: nothing is sent anywhere.
set -euo pipefail
TONGBAN=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REDOCLY="$ROOT/tests/web/node_modules/.bin/redocly"
command -v node >/dev/null || { echo "node missing: skipped"; exit 77; }
[ -x "$REDOCLY" ] || { echo "Redocly CLI missing (run scripts/setup): skipped"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$ROOT/tests/api/fetch_openapi.sh" "$TONGBAN" "$WORK/openapi.json"
cd "$WORK"
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_SUPPRESS_NOTIFICATIONS=true \
  node "$REDOCLY" lint --config "$ROOT/tests/api/redocly.yaml" --format=stylish openapi.json 2>&1 |
  tee "$WORK/lint.txt" | grep -vE '^\s*$|Deprecation|Node\.js 20|║|╔|╚' || true
if grep -qE '^\s*[0-9]+:[0-9]+\s+error' "$WORK/lint.txt" || grep -q "Validation failed with [1-9][0-9]* error" "$WORK/lint.txt"; then
  echo "FAIL: the OpenAPI document has lint errors"
  exit 1
fi
grep -qE "valid|Woohoo|warning" "$WORK/lint.txt" || { echo "FAIL: redocly said nothing"; exit 1; }
echo "openapi lint: 0 errors"
