#!/usr/bin/python3
"""Summarizes a science unit's final trainings (issue 12): per policy the final-epoch test accuracy,
mean +- std over seeds, the last epoch's train accuracy, and every policy's paired difference to each
reference policy (same seed = same subset and initialization), mean with a 95% t interval.
    summarize.py UNIT DIR [REF ...]     (DIR holds POLICY-sSEED/result.json; REF default: first policy)
Writes DIR/summary.json and prints a table."""
import json
import math
import os
import statistics
import sys

# Two-sided 95% Student t quantiles by degrees of freedom (n - 1).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}


def t95(df):
    keys = sorted(k for k in T95 if k <= df)
    return T95[keys[-1]] if keys else float("nan")


def main():
    unit, folder, refs = sys.argv[1], sys.argv[2], sys.argv[3:]
    runs = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name, "result.json")
        if not os.path.isfile(path) or "-s" not in name:
            continue
        policy, seed = name.rsplit("-s", 1)
        res = json.load(open(path))
        train_acc = None
        mpath = os.path.join(folder, name, "metrics.jsonl")
        if os.path.isfile(mpath):
            lines = [json.loads(l) for l in open(mpath) if l.strip()]
            train_acc = lines[-1]["train_acc"] if lines else None
        runs.setdefault(policy, {})[int(seed)] = {"test": res["final_test_acc"], "train": train_acc}
    if not runs:
        sys.exit(f"summarize: no POLICY-sSEED/result.json under {folder}")
    refs = refs or [next(iter(runs))]
    out = {"unit": unit, "policies": {}, "paired": []}
    print(f"{unit}: final-epoch test accuracy (%), mean +- std over seeds")
    for policy, by_seed in runs.items():
        tests = [v["test"] for v in by_seed.values()]
        trains = [v["train"] for v in by_seed.values() if v["train"] is not None]
        sd = statistics.stdev(tests) if len(tests) > 1 else float("nan")
        out["policies"][policy] = {"seeds": sorted(by_seed), "test_mean": statistics.mean(tests), "test_std": sd,
                                   "train_acc_mean": statistics.mean(trains) if trains else None}
        print(f"  {policy:28s} n={len(tests)}  test {statistics.mean(tests):6.2f} +- {sd:4.2f}"
              + (f"  train {statistics.mean(trains):6.2f}" if trains else ""))
    for ref in refs:
        if ref not in runs:
            sys.exit(f"summarize: reference policy {ref} has no runs")
        for policy, by_seed in runs.items():
            if policy == ref:
                continue
            seeds = sorted(set(by_seed) & set(runs[ref]))
            if len(seeds) < 2:
                continue
            d = [by_seed[s]["test"] - runs[ref][s]["test"] for s in seeds]
            m, sd = statistics.mean(d), statistics.stdev(d)
            h = t95(len(d) - 1) * sd / math.sqrt(len(d))
            out["paired"].append({"policy": policy, "reference": ref, "seeds": seeds, "diff_mean": m,
                                  "diff_std": sd, "ci95": [m - h, m + h], "excludes_zero": (m - h > 0) or (m + h < 0)})
            print(f"  {policy} - {ref}: {m:+.2f} points, 95% CI [{m - h:+.2f}, {m + h:+.2f}] over seeds {seeds}")
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
