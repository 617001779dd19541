#!/usr/bin/env bash
# The API contract against what the server really answers: every JSON answer the HTTP tests got
# (logged by tests/testing/test_server.h into the answers folder) is validated with Ajv (JSON
# Schema 2020-12, npm, pinned in tests/web/package.json) against its operation's schema for that
# status in the served OpenAPI document. Runs after the HTTP tests (CTest fixture "answers").
set -euo pipefail
TONGBAN=$1
ANSWERS=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v node >/dev/null || { echo "node missing: skipped"; exit 77; }
[ -d "$ROOT/tests/web/node_modules/ajv" ] || { echo "Ajv missing (run scripts/setup): skipped"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$ROOT/tests/api/fetch_openapi.sh" "$TONGBAN" "$WORK/openapi.json"
NODE_PATH="$ROOT/tests/web/node_modules" node "$ROOT/tests/api/validate_answers.mjs" "$WORK/openapi.json" "$ANSWERS"
