#!/usr/bin/env bash
# both.sh — owns running two commands at once for the Makefile (test-clippy: the native and the
# wasm32 builds, each in its own target directory): each line they print is prefixed with its
# label, both are waited for, and the first one to fail stops the other and fails the whole.
#   bash scripts/both.sh LABEL1 "COMMAND1" LABEL2 "COMMAND2"
set -uo pipefail
[ $# -eq 4 ] || { echo "usage: both.sh LABEL1 COMMAND1 LABEL2 COMMAND2" >&2; exit 2; }

declare -A label
run() { # label command: in its own process group, so that a failure elsewhere can stop all of it
  set -m
  (bash -c "$2" 2>&1 | sed -u "s/^/[$1] /"; exit "${PIPESTATUS[0]}") &
  set +m
  label[$!]=$1
}
run "$1" "$2"
run "$3" "$4"

status=0
for _ in 1 2; do
  wait -n -p pid; rc=$?
  if [ "$rc" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=$rc
    echo "both.sh: ${label[$pid]} failed (exit $rc); stopping the other" >&2
    for other in "${!label[@]}"; do [ "$other" = "$pid" ] || kill -TERM -- "-$other" 2>/dev/null; done
  fi
done
exit "$status"
