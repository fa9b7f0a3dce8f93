#!/usr/bin/env bash
# Makes an input for `memberlens audit` whose truth is known, from generated data only:
#   1. `memberlens synth` writes a MovieLens-shaped ratings.csv (the auditor's interactions);
#   2. `memberlens run --users` plays the audited service: its target recommender is trained on
#      the members of one half of the users and serves every user of that half a list;
#   3. the run's per-user records become lists.csv (user,member,list; see docs/audit.md), plus,
#      under protocol popular, the *new* record (there every non-member got the popularity list,
#      which is what a new account without history gets).
# Usage: bash scripts/audit-input.sh OUT_DIR USERS ITEMS RATINGS [RUN_CONFIG_JSON]
#   e.g. bash scripts/audit-input.sh /tmp/audit 200000 20000 10000000 '{"recommender":"item-knn"}'
# The audit of OUT_DIR/lists.csv against OUT_DIR/ratings.csv then audits USERS/2 users.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "audit-input.sh: $*" >&2; }
[ $# -ge 4 ] || { say "usage: $0 OUT_DIR USERS ITEMS RATINGS [RUN_CONFIG_JSON]"; exit 2; }
OUT="$1"; USERS="$2"; ITEMS="$3"; RATINGS="$4"; CONFIG="${5:-{\}}"
command -v python3 >/dev/null || { say "needs python3"; exit 1; }
BIN="${MEMBERLENS:-$ROOT/target/release/memberlens}"
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --quiet)
mkdir -p "$OUT"

"$BIN" synth --users "$USERS" --items "$ITEMS" --ratings "$RATINGS" --seed 1 --out "$OUT/ratings.csv"
"$BIN" run --ratings "$OUT/ratings.csv" --config "$CONFIG" --json --force \
  --users "$OUT/users.json" > "$OUT/run.json"
python3 - "$OUT/users.json" "$OUT/lists.csv" "$OUT/run.json" <<'PY'
import json, sys
records = json.load(open(sys.argv[1]))
popular = json.load(open(sys.argv[3]))["config"]["protocol"] == "popular"
with open(sys.argv[2], "w") as out:
    out.write("user,member,list\n")
    new = None
    for r in records:
        out.write(f"{r['user']},{str(r['member']).lower()},{' '.join(map(str, r['list']))}\n")
        if popular and r["member"] is False and new is None:
            new = r["list"]
    if new is not None:
        out.write(f"*new*,,{' '.join(map(str, new))}\n")
PY
rm "$OUT/users.json"
say "wrote $OUT/ratings.csv and $OUT/lists.csv ($(($(wc -l < "$OUT/lists.csv") - 1)) records); the run's own numbers are in $OUT/run.json"
