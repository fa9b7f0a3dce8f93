#!/usr/bin/env python3
"""Measures the attacks of issue 15 on real data with the release CLI and prints Markdown tables.

    python3 scripts/measure_attacks.py [--ratings PATH] [--seeds 0,1,2,3,4] [--out DIR] [--only NAME]

Tables (mean ± std over the seeds, and the mean 95 % bootstrap interval of each run):
  lira:      lira vs mlp (ROC-AUC, TPR at 1 % FPR) for lfm, bpr, item-knn under popular and fold-in,
             with the strongest attack of each run;
  baselines: every attack of the undefended default run, both protocols;
  knows:     each serving defence at strength 1 (and dp-sgd at 0.5 and 1), the naive attacker
             (attacker_knows_defence false) against the one who knows the defence.
Every run's JSON is kept in --out (default target/measure) so a table can be rebuilt without
running again (runs already there are reused).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("MEMBERLENS_BIN", os.path.join(ROOT, "target", "release", "memberlens"))


def run(ratings, out, name, seed, config):
    path = os.path.join(out, f"{name}-seed{seed}.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    cmd = [BIN, "run", "--ratings", ratings, "--seed", str(seed), "--json", "--force",
           "--config", json.dumps(config)]
    print("running", name, "seed", seed, file=sys.stderr, flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    with open(path, "w") as f:
        f.write(r.stdout)
    return json.loads(r.stdout)


def ms(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def tpr(r):
    return r["tpr_at_fpr"].get("0.01")


def lira_table(a, seeds):
    print("| recommender | protocol | mlp ROC-AUC | lira ROC-AUC | mlp TPR@1% | lira TPR@1% | strongest (lira run) |")
    print("|---|---|---|---|---|---|---|")
    for rec in ["lfm", "bpr", "item-knn"]:
        for proto in ["popular", "fold-in"]:
            base = {"recommender": rec, "protocol": proto}
            m = [run(a.ratings, a.out, f"mlp-{rec}-{proto}", s, base) for s in seeds]
            l = [run(a.ratings, a.out, f"lira-{rec}-{proto}", s, {**base, "attack": "lira"}) for s in seeds]
            strongest = {}
            for r in l:
                strongest.setdefault(r["strongest"]["attack"], []).append(r["strongest"]["roc_auc"])
            st = ", ".join(f"{k} {ms(v)} ({len(v)}×)" for k, v in strongest.items())
            print(f"| {rec} | {proto} | {ms([r['roc_auc'] for r in m])} | {ms([r['roc_auc'] for r in l])} "
                  f"| {ms([tpr(r) for r in m])} | {ms([tpr(r) for r in l])} | {st} |")


def baselines_table(a, seeds):
    print("| protocol | attack | ROC-AUC | TPR@1% | mean 95% interval | oriented on |")
    print("|---|---|---|---|---|---|")
    for proto in ["popular", "fold-in"]:
        rs = [run(a.ratings, a.out, f"mlp-lfm-{proto}", s, {"recommender": "lfm", "protocol": proto}) for s in seeds]
        rows = {"mlp (the run's)": [(r["roc_auc"], tpr(r), r["ci95"]["roc_auc"], "trained") for r in rs]}
        for name in rs[0]["baselines"]:
            rows[name] = [(r["baselines"][name]["roc_auc"], tpr(r["baselines"][name]), r["baselines"][name]["ci95"]["roc_auc"],
                           r["baselines"][name]["oriented_on"]) for r in rs]
        for name, v in rows.items():
            lo = statistics.mean(x[2][0] for x in v)
            hi = statistics.mean(x[2][1] for x in v)
            print(f"| {proto} | {name} | {ms([x[0] for x in v])} | {ms([x[1] for x in v])} | {lo:.3f}–{hi:.3f} | {v[0][3]} |")


def knows_table(a, seeds):
    print("| protocol | defence | strength | naive MLP | MLP knowing | strongest knowing (attack) | recall@100 |")
    print("|---|---|---|---|---|---|---|")
    points = [("popularity-randomisation", 1.0), ("list-perturbation", 1.0), ("score-noise", 1.0),
              ("dp-sgd", 0.5), ("dp-sgd", 1.0)]
    for proto in ["popular", "fold-in"]:
        for d, s in points:
            if d == "popularity-randomisation" and proto == "fold-in":
                continue
            cfg = {"protocol": proto, "defence": d, "defence_strength": s}
            naive = [run(a.ratings, a.out, f"naive-{proto}-{d}-{s}", x, {**cfg, "attacker_knows_defence": False}) for x in seeds]
            knows = [run(a.ratings, a.out, f"knows-{proto}-{d}-{s}", x, cfg) for x in seeds]
            names = sorted({r["strongest"]["attack"] for r in knows})
            print(f"| {proto} | {d} | {s} | {ms([r['roc_auc'] for r in naive])} | {ms([r['roc_auc'] for r in knows])} "
                  f"| {ms([r['strongest']['roc_auc'] for r in knows])} ({', '.join(names)}) "
                  f"| {ms([r['recommender']['target']['recall_at_n'] for r in knows])} |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ratings", default=os.path.join(ROOT, "..", "shared", "data", "ml-latest-small", "ratings.csv"))
    p.add_argument("--seeds", default="0,1,2,3,4")
    p.add_argument("--out", default=os.path.join(ROOT, "target", "measure"))
    p.add_argument("--only", choices=["lira", "baselines", "knows"])
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    for name, f in [("baselines", baselines_table), ("knows", knows_table), ("lira", lira_table)]:
        if a.only in (None, name):
            print(f"\n### {name} (seeds {a.seeds})\n")
            f(a, seeds)


if __name__ == "__main__":
    main()
