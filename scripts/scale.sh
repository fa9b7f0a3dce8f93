#!/usr/bin/env bash
# Measures how one `memberlens run` scales with the data: synthetic MovieLens-shaped files
# (`memberlens synth`) of 10^5, 10^6 and 10^7 interactions and the ML-1M shape, each run under
# /usr/bin/time -v (wall time, CPU time, peak RSS). Writes
#   docs/scale.csv   one row per run
#   docs/scale.svg   log-log chart: time and peak memory against interactions (default config)
# and prints the `uptime` load before and after each run (the machine may be shared: CPU time is
# the fairer number then). Usage: bash scripts/scale.sh [--skip-largest]   (10^7 takes minutes)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "scale.sh: $*" >&2; }

SKIP_LARGEST=0
for arg in "$@"; do
  case "$arg" in
    --skip-largest) SKIP_LARGEST=1 ;;
    *) say "unknown option $arg (allowed: --skip-largest)"; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { say "needs /usr/bin/time (Debian package 'time')"; exit 1; }
command -v python3 >/dev/null || { say "needs python3 (for the chart)"; exit 1; }

cargo build --release --quiet
BIN="$ROOT/target/release/memberlens"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# label, users, items, interactions, extra run flags
RUNS=(
  "1e5|1000|3700|100000|"
  "ml-1m-shape|6040|3706|1000000|"
  "1e6|10000|10000|1000000|"
  "ml-1m-shape item-knn|6040|3706|1000000|--config {\"recommender\":\"item-knn\"}"
  "ml-1m-shape fold-in|6040|3706|1000000|--protocol fold-in"
  "ml-1m-shape popularity|6040|3706|1000000|--config {\"recommender\":\"popularity\"}"
  "ml-1m-shape bpr|6040|3706|1000000|--config {\"recommender\":\"bpr\"}"
  "ml-1m-shape ncf|6040|3706|1000000|--config {\"recommender\":\"ncf\"}"
  "ml-1m-shape distance|6040|3706|1000000|--config {\"attack\":\"distance\"}"
  "1e5 item-knn|1000|3700|100000|--config {\"recommender\":\"item-knn\"}"
  "1e6 item-knn|10000|10000|1000000|--config {\"recommender\":\"item-knn\"}"
)
[ "$SKIP_LARGEST" = 1 ] || RUNS+=("1e7|100000|30000|10000000|")

mkdir -p docs
CSV="docs/scale.csv"
echo "label,users,items,interactions,wall_s,cpu_s,peak_rss_mb,pipeline_ms,load_before,load_after,stages_ms" >"$CSV"
for spec in "${RUNS[@]}"; do
  IFS='|' read -r label users items n flags <<<"$spec"
  file="$WORK/u${users}-i${items}-r${n}.csv"
  [ -f "$file" ] || "$BIN" synth --users "$users" --items "$items" --ratings "$n" --seed 0 --out "$file"
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  say "$label: running (load $load_before)"
  # shellcheck disable=SC2086
  /usr/bin/time -v "$BIN" run --ratings "$file" --json --force $flags >"$WORK/out.json" 2>"$WORK/time.txt"
  load_after="$(cut -d' ' -f1 /proc/loadavg)"
  python3 - "$label" "$users" "$items" "$n" "$WORK/out.json" "$WORK/time.txt" "$load_before" "$load_after" >>"$CSV" <<'EOF'
import json, re, sys
label, users, items, n, out, timing, before, after = sys.argv[1:]
t = open(timing).read()
def field(name):
    return re.search(re.escape(name) + r": (.+)", t).group(1).strip()
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = float(field("Maximum resident set size (kbytes)")) / 1024
t_ms = json.load(open(out))["timings_ms"]
ms = t_ms["total"]
# Per-stage wall milliseconds, for fitting the cost model's constants (src/cost/constants.rs).
stages = " ".join(f"{k}={v:.0f}" for k, v in t_ms.items() if k != "total")
print(f'"{label}",{users},{items},{n},{wall:.2f},{cpu:.2f},{rss:.1f},{ms:.0f},{before},{after},"{stages}"')
EOF
  tail -n 1 "$CSV" >&2
done

python3 - "$CSV" docs/scale.svg <<'EOF'
# A log-log chart by hand: two panels (seconds, peak MiB) against interactions, default config only.
import csv, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if " " not in r["label"]]
W, H, M = 360, 260, 50          # panel size and margin
def panel(x0, title, series, unit, reference):
    xs = [float(r["interactions"]) for r in rows]
    ys = [v for _, key, _ in series for v in (float(r[key]) for r in rows)]
    lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    px = lambda v: x0 + M + (math.log10(v) - lx0) / (lx1 - lx0) * (W - M - 10)
    py = lambda v: 20 + (ly1 - math.log10(v)) / (ly1 - ly0) * (H - M - 20)
    out = [f'<text x="{x0 + W / 2}" y="14" text-anchor="middle" font-weight="bold">{title}</text>']
    for e in range(lx0, lx1 + 1):
        x = px(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{H - M + 0:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{H - M + 16}" text-anchor="middle">10^{e}</text>')
    for e in range(ly0, ly1 + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{x0 + M}" y1="{y:.1f}" x2="{x0 + W - 10}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 + M - 4}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    out.append(f'<text x="{x0 + W / 2 + 20}" y="{H - 12}" text-anchor="middle">interactions</text>')
    out.append(f'<text x="{x0 + 12}" y="{(H - M) / 2 + 10}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 12} {(H - M) / 2 + 10})">{unit}</text>')
    # The 1e5/1e6/1e7 files as lines; the ML-1M shape as a ringed point.
    first = min(rows, key=lambda r: float(r["interactions"]))
    for name, key, colour in series:
        pts = sorted((float(r["interactions"]), float(r[key])) for r in rows if r["label"].startswith("1e"))
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        for r in rows:
            if r["label"] == "ml-1m-shape":
                x, y = px(float(r["interactions"])), py(float(r[key]))
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="none" stroke="{colour}"/>')
                out.append(f'<text x="{x + 8:.1f}" y="{y + 12:.1f}" fill="{colour}">ML-1M shape</text>')
    # Linear growth from the smallest point, for comparison.
    x, y = float(first["interactions"]), float(first[reference])
    x_end = 10 ** lx1
    y_end = y * x_end / x
    if y_end > 10 ** ly1:
        x_end, y_end = x * 10 ** ly1 / y, 10 ** ly1
    out.append(f'<line x1="{px(x):.1f}" y1="{py(y):.1f}" x2="{px(x_end):.1f}" y2="{py(y_end):.1f}" '
               f'stroke="#999" stroke-dasharray="4 3"/>')
    ly = 30
    for name, _, colour in series + [("linear growth", None, "#999")]:
        out.append(f'<rect x="{x0 + M + 8}" y="{ly - 8}" width="10" height="3" fill="{colour}"/>')
        out.append(f'<text x="{x0 + M + 22}" y="{ly - 4}">{name}</text>')
        ly += 14
    return out
body = panel(0, "Time of one default run", [("wall (machine shared)", "wall_s", "#c44"),
                                            ("CPU (user + sys)", "cpu_s", "#36c")], "seconds", "cpu_s")
body += panel(W + 20, "Peak memory (RSS)", [("peak RSS", "peak_rss_mb", "#393")], "MiB",
              "peak_rss_mb")
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W + 20}" height="{H}" '
       f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n'
       + "\n".join(body) + "\n</svg>\n")
open(sys.argv[2], "w").write(svg)
EOF
say "wrote $CSV and docs/scale.svg"
