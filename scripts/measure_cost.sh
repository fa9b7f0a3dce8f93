#!/usr/bin/env bash
# Measures the jobs of the cost gate's accuracy table (docs/testing.md, src/cost/tests.rs JOBS):
# each job once under /usr/bin/time, printing one `JOBS` row per job:
#   ("job", "size", wall, cpu, peak RSS in MB),
# cpu = user + system seconds. Usage: scripts/measure_cost.sh [CLI] [RATINGS]
set -euo pipefail
CLI=${1:-target/release/memberlens}
SMALL=${2:-${MEMBERLENS_RATINGS:-../shared/data/ml-latest-small/ratings.csv}}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ML1M="$TMP/ml-1m-shape.csv"
"$CLI" synth --users 6040 --items 3706 --ratings 1000209 --seed 0 --out "$ML1M" >/dev/null
KS=10,20,30,40,50,60,70,80,90,100
dp() { echo "{\"defence\":\"dp-sgd\",\"defence_strength\":1,\"dp_sampling_rate\":$1,\"epochs\":$2}"; }

measure() { # name size cmd...
  local name=$1 size=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$@" >/dev/null
  read -r wall user sys rss <"$TMP/t"
  python3 -c "print('    (\"$name\", \"$size\", %.2f, %.2f, %.1f),' % ($wall, $user + $sys, $rss * 1024 / 1e6))"
}
# compare: the two CLI runs it is made of, summed (wall, cpu) with the larger RSS.
compare() {
  local size=$1 data=$2 a b
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/a" "$CLI" run --ratings "$data" --protocol popular >/dev/null
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/b" "$CLI" run --ratings "$data" --protocol fold-in >/dev/null
  read -r w1 u1 s1 r1 <"$TMP/a"; read -r w2 u2 s2 r2 <"$TMP/b"
  python3 -c "print('    (\"compare\", \"$size\", %.2f, %.2f, %.1f),' % ($w1 + $w2, $u1 + $s1 + $u2 + $s2, max($r1, $r2) * 1024 / 1e6))"
}

for size in small ml-1m; do
  if [ $size = small ]; then data=$SMALL; seeds=0,1,2; else data=$ML1M; seeds=0; fi
  measure single $size "$CLI" run --ratings "$data"
  compare $size "$data"
  measure sweep $size "$CLI" sweep --ratings "$data" --param vector_k --values $KS --seeds $seeds --jobs 1
  [ $size = small ] && measure sweep2 $size "$CLI" sweep --ratings "$data" --param vector_k --values $KS --seeds $seeds --jobs 2
  measure matrix $size "$CLI" matrix --ratings "$data" --seeds $seeds --jobs 1
  measure frontier $size "$CLI" frontier --ratings "$data" --seeds 0 --jobs 1
  if [ $size = small ]; then
    measure synth $size "$CLI" synth --users 610 --items 9724 --ratings 100836 --seed 0 --out "$TMP/s.csv" --force
    measure "dp q0.5 e80" $size "$CLI" run --ratings "$data" --config "$(dp 0.5 80)"
    measure "dp q0.01 e20" $size "$CLI" run --ratings "$data" --config "$(dp 0.01 20)"
    measure "dp q0.01 e100" $size "$CLI" run --ratings "$data" --config "$(dp 0.01 100)" --force
  else
    measure synth $size "$CLI" synth --users 6040 --items 3706 --ratings 1000209 --seed 0 --out "$TMP/s.csv" --force
    measure "dp q0.5 e80" $size "$CLI" run --ratings "$data" --config "$(dp 0.5 80)"
    measure "dp q0.05 e20" $size "$CLI" run --ratings "$data" --config "$(dp 0.05 20)"
  fi
done
