#!/usr/bin/env bash
# fetch_openapi.sh TONGBAN OUT: starts `tongban demo` (every route of the real wiring) in a
# temporary folder on a free port, saves its served OpenAPI document to OUT, stops it.
# Used by the contract tests (openapi_lint_test.sh, answers_test.sh).
set -euo pipefail
. "$(dirname "$0")/demo.sh"
WORK=$(mktemp -d)
trap 'stop_demo; rm -rf "$WORK"' EXIT
start_demo "$1" "$WORK"
curl -fsS "$BASE/api/v1/openapi.json" -o "$2"
