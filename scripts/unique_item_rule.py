#!/usr/bin/env python3
"""The unique-item rule against a defended target (issue 16): "this user's list contains a movie that
only this user ever rated" flags a target user as a member. It needs only public data (the histories
the attacker holds and the served lists). Under a defence that keeps its promise (dp-sgd under
protocol fold-in) it must flag members and non-members at the same rate, within noise.

Runs `memberlens run --users FILE` once per (protocol, strength, seed) and prints one table row per
(protocol, strength): users flagged among members and non-members (all of them, and among those who
have a unique item at all), summed over the seeds, with a two-sided Fisher exact p-value.

    python3 scripts/unique_item_rule.py --ratings ../shared/data/ml-latest-small/ratings.csv \
        [--binary target/release/memberlens] [--seeds 0,1,2,3,4] [--protocols fold-in,popular] \
        [--strengths 0,0.5,1] [--config '{"recommender":"bpr"}']

Nothing is written but temporary files; the ratings are never copied.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter


def raters_per_item(path):
    """How many distinct users rated each item (MovieLens ratings.csv)."""
    seen = set()
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for r in rows:
            seen.add((r[0], r[1]))
    return Counter(int(item) for _, item in seen)


def fisher_two_sided(a, b, c, d):
    """Two-sided Fisher exact p-value of the 2x2 table [[a, b], [c, d]] (sum of the tables at most
    as likely as the observed one, with the margins fixed)."""
    n1, n2, k = a + b, c + d, a + c
    n = n1 + n2

    def log_p(x):
        return (math.lgamma(n1 + 1) - math.lgamma(x + 1) - math.lgamma(n1 - x + 1)
                + math.lgamma(n2 + 1) - math.lgamma(k - x + 1) - math.lgamma(n2 - k + x + 1)
                - math.lgamma(n + 1) + math.lgamma(k + 1) + math.lgamma(n - k + 1))

    lo, hi = max(0, k - n2), min(k, n1)
    observed = log_p(a)
    return min(1.0, sum(math.exp(log_p(x)) for x in range(lo, hi + 1)
                        if log_p(x) <= observed + 1e-9))


def one_run(binary, ratings, cfg):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as t:
        users_path = t.name
    try:
        out = subprocess.run(
            # --force: the temporary file exists (empty), and --users replaces only its own
            # earlier outputs without it.
            [binary, "run", "--ratings", ratings, "--config", json.dumps(cfg), "--json",
             "--force", "--users", users_path],
            check=True, capture_output=True, text=True)
        report = json.loads(out.stdout)
        with open(users_path) as f:
            users = json.load(f)
    finally:
        os.unlink(users_path)
    return report, users


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ratings", required=True)
    ap.add_argument("--binary", default="target/release/memberlens")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--protocols", default="fold-in,popular")
    ap.add_argument("--strengths", default="0,0.5,1")
    ap.add_argument("--defence", default="dp-sgd")
    ap.add_argument("--config", default="{}", help="extra config keys (JSON object)")
    a = ap.parse_args()
    raters = raters_per_item(a.ratings)
    extra = json.loads(a.config)
    print(f"{'protocol':<9} {'strength':>8} {'epsilon':>8}  {'members flagged':>16} "
          f"{'non-members flagged':>20}  {'of those with a unique item':>28}  {'Fisher p':>8}")
    for protocol in a.protocols.split(","):
        for strength in (float(s) for s in a.strengths.split(",")):
            fm = fn = nm = nn = um = un = 0
            eps = []
            for seed in (int(s) for s in a.seeds.split(",")):
                cfg = dict(extra, seed=seed, protocol=protocol, defence=a.defence,
                           defence_strength=strength, attack="distance")
                report, users = one_run(a.binary, a.ratings, cfg)
                if report.get("privacy"):
                    eps.append(report["privacy"]["epsilon"])
                for u in users:
                    unique = {i for i in u["history"] if raters[i] == 1}
                    flagged = any(i in unique for i in u["list"])
                    if u["member"]:
                        nm += 1
                        um += bool(unique)
                        fm += flagged
                    else:
                        nn += 1
                        un += bool(unique)
                        fn += flagged
            e = f"{sum(eps) / len(eps):.2f}" if eps else "-"
            p = fisher_two_sided(fm, nm - fm, fn, nn - fn)
            print(f"{protocol:<9} {strength:>8g} {e:>8}  {fm:>5}/{nm:<4} {fm / nm:6.1%} "
                  f"{fn:>7}/{nn:<4} {fn / nn:6.1%}  {fm:>5}/{um:<4} vs {fn:>4}/{un:<4}      "
                  f"{p:8.2g}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
