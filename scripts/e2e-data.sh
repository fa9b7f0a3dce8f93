#!/usr/bin/env bash
# Writes the e2e tests' small data set (make web-test runs it after the site is built; never
# committed, never in www/, so neither the release site nor its service-worker list holds it):
#   target/e2e-data/ratings.csv           every user of the verified ml-latest-small, only the films
#                                         with movieId % 3 == 1: 610 users, 3,206 films, 33,201 ratings
#   target/e2e-data/ml-latest-small.bin   its bundle (memberlens bundle), which tests/e2e/server.mjs
#                                         serves as the site's data under /small/
# Why these films and not every third user: the same 610 users keep the same 153/152 split, so the
# TPR at 1% FPR stays measurable and a default run warns what the full one warns; a default run's
# pipeline costs a third of the full one's CPU (docs/testing.md has the numbers). Deterministic:
# the same files every time. MEMBERLENS_CLI: the CLI that writes the bundle (make web-test passes
# the test build's). Run from anywhere.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
die() {
  echo "e2e-data.sh: ERROR: $*" >&2
  exit 1
}

CLI="${MEMBERLENS_CLI:-}"
[ -n "$CLI" ] || die "set MEMBERLENS_CLI to the memberlens CLI (make web-test does)"
[ -x "$CLI" ] || die "MEMBERLENS_CLI=$CLI is not an executable"
dir="$(bash data/fetch.sh --print-dir | tail -n 1)"
[ -f "$dir/ratings.csv" ] || die "data/fetch.sh gave '$dir', which has no ratings.csv"

OUT=target/e2e-data
mkdir -p "$OUT"
# userId,movieId,rating,timestamp with a header line; a film keeps all of its ratings or none.
awk -F, 'NR == 1 || $2 % 3 == 1' "$dir/ratings.csv" > "$OUT/ratings.csv.tmp"
mv "$OUT/ratings.csv.tmp" "$OUT/ratings.csv"
"$CLI" bundle --ratings "$OUT/ratings.csv" --out "$OUT/ml-latest-small.bin"

# The counts the tests and docs/testing.md rely on (every user stays: the same member split).
read -r users items ratings < <(awk -F, 'NR > 1 { u[$1]; i[$2]; n++ } END { print length(u), length(i), n }' "$OUT/ratings.csv")
[ "$users $items $ratings" = "610 3206 33201" ] ||
  die "$OUT/ratings.csv has $users users, $items films, $ratings ratings; expected 610, 3206, 33201"
echo "e2e-data.sh: $OUT/ratings.csv ($users users, $items films, $ratings ratings) and its bundle ($(stat -c %s "$OUT/ml-latest-small.bin") bytes)" >&2
