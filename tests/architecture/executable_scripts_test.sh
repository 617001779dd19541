#!/usr/bin/env bash
# Every tracked file that starts with a "#!" line is executable in git (mode 100755), so a clean
# clone can run it: ./scripts/setup, ./scripts/test and .ci/run are the README's and CI's entry
# points, and the e2e tests call their scripts directly. A commit once dropped scripts/setup's
# mode bit, which only a fresh clone showed. Skipped (77) outside a git checkout.
#   tests/architecture/executable_scripts_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
bad=0
while IFS= read -r -d '' entry; do
  mode=${entry%% *}
  path=${entry#*$'\t'}
  case "$path" in */node_modules/*) continue ;; esac
  [ -f "$path" ] || continue
  if [ "$(head -c 2 "$path" | tr -d '\0')" = "#!" ] && [ "$mode" != "100755" ]; then
    echo "not executable in git: $path (mode $mode); fix: git update-index --chmod=+x $path"
    bad=1
  fi
done < <(git ls-files -s -z)
[ "$bad" -eq 0 ] && echo "every tracked script is executable"
exit "$bad"
