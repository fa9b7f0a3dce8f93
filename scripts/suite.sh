#!/usr/bin/env bash
# suite.sh — owns building and running the integration tests (tests/suite, one binary) for the
# Makefile's layers: the test binary's own crate at opt-level 0, linked against the library and
# the CLI as cargo's `test` profile builds them (opt-level 3, Cargo.toml).
#   bash scripts/suite.sh build          builds it (and the CLI it runs), prints nothing else
#   bash scripts/suite.sh run [ARGS...]  builds it if needed, then runs it with ARGS (test filters, -q, ...)
# Why: the suite's crate is test code calling the optimised library; optimised, it cost 25 of the
# clippy layer's CPU seconds and ran no faster (105 tests in 11.7 against 11.2 s, idle, 2026-12-05).
# cargo has no per-target opt-level, so `cargo rustc` passes it to this one target. A plain
# `cargo test` still builds and runs the same tests (optimised); only the extra flag differs.
# Every caller must export the same RUSTC_WORKSPACE_WRAPPER and CLIPPY_ARGS (Makefile
# LINTED_LAYERS), or cargo builds it again.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
case "$mode" in
  build | run) shift ;;
  *) echo "usage: suite.sh build | run [ARGS...]" >&2; exit 2 ;;
esac

exe=$(cargo rustc --profile test --test suite --message-format=json-render-diagnostics -- -C opt-level=0 |
  node scripts/artifact.mjs suite exe)
[ "$mode" = build ] && exit 0
echo "suite.sh: $exe $*"
exec "$exe" "$@"
