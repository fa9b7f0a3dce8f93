#!/usr/bin/env python3
"""Runs `memberlens run --json` for each named config and seed and prints one row per config: the
headline attack's ROC-AUC and TPR at 1 % FPR, the two shadow-free baselines' ROC-AUC, the target's
recall@N and its ratio to the popularity list's (mean ± sample std over the seeds), and, for runs
that carry `privacy`, the accountant's ε and the one-run audit's lower bound.

    python3 scripts/compare_configs.py --ratings ../shared/data/ml-latest-small/ratings.csv \
        --seeds 0,1,2,3,4 \
        'lfm positive={"init":"positive"}' 'lfm centred={"init":"centred"}'

Each config is `name=JSON`, or `name:JSON` when the name holds '=' (keys over the defaults;
`--preset` applies to all). `--binary` picks the CLI (default target/release/memberlens).
"""

import argparse
import json
import statistics
import subprocess
import sys


def mean_std(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.fmean(xs):.3f} ± {sd:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ratings", required=True)
    ap.add_argument("--binary", default="target/release/memberlens")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--preset", default=None)
    ap.add_argument("--per-seed", action="store_true",
                    help="also print each seed's ROC-AUC and recall@N under the row")
    ap.add_argument("configs", nargs="+", help="name=JSON")
    a = ap.parse_args()
    cols = ["ROC-AUC", "TPR@1%", "strongest", "strongest ROC-AUC", "distance", "overlap", "recall@N", "vs popular", "epsilon",
            "audit lower bound", "seconds"]
    print("| config | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for spec in a.configs:
        name, _, text = spec.partition(":" if ":{" in spec else "=")
        extra = json.loads(text or "{}")
        rows = []
        for seed in (int(s) for s in a.seeds.split(",")):
            cmd = [a.binary, "run", "--ratings", a.ratings, "--json",
                   "--force", "--config", json.dumps(dict(extra, seed=seed))]
            if a.preset:
                cmd += ["--preset", a.preset]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True)
            rows.append(json.loads(out.stdout))
        t = [r["recommender"]["target"] for r in rows]
        priv = [r.get("privacy") for r in rows]
        audit = [p.get("audit") if p else None for p in priv]
        cells = [
            mean_std([r["roc_auc"] for r in rows]),
            mean_std([r["tpr_at_fpr"]["0.01"] for r in rows]),
            "/".join(sorted({r["strongest"]["attack"] for r in rows})),
            mean_std([r["strongest"]["roc_auc"] for r in rows]),
            mean_std([r["baselines"]["distance"]["roc_auc"] for r in rows]),
            mean_std([r["baselines"]["overlap"]["roc_auc"] for r in rows]),
            mean_std([x["recall_at_n"] for x in t]),
            mean_std([x["recall_vs_popularity"] for x in t]),
            mean_std([p["epsilon"] if p else None for p in priv]),
            mean_std([x["epsilon_lower_bound"] if x else None for x in audit]),
            mean_std([r["timings_ms"]["total"] / 1000 for r in rows]),
        ]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        if a.per_seed:
            for r in rows:
                bound = (r.get("privacy") or {}).get("audit") or {}
                print(f"|   seed {r['config']['seed']} | {r['roc_auc']:.4f} | "
                      f"{r['tpr_at_fpr']['0.01']} | {r['strongest']['attack']} | "
                      f"{r['strongest']['roc_auc']:.4f} | {r['baselines']['distance']['roc_auc']:.4f} | "
                      f"{r['baselines']['overlap']['roc_auc']:.4f} | "
                      f"{r['recommender']['target']['recall_at_n']:.4f} | "
                      f"{r['recommender']['target']['recall_vs_popularity']:.4f} | "
                      f"{(r.get('privacy') or {}).get('epsilon', '-')} | "
                      f"{bound.get('epsilon_lower_bound', '-')} | |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
