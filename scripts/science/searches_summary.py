#!/usr/bin/python3
"""Summarizes the searches unit (issue 12): per search, best and last θ against its null runs (KL to
uniform, entropy, the five heaviest elements), the rewards of the first and last loops, and seed
agreement: the Pearson correlation of element marginals and of log p between two searches that differ
only in their seed, beside the same figure between disjoint pairs of null runs (a permutation p).
    searches_summary.py OUT [AWS_BIN]      (OUT holds NAME/policy.json, NAME/policy-last.json, NAME/null-*/)
Writes OUT/summary.json and prints a table."""
import glob
import json
import os
import statistics
import subprocess
import sys

out = sys.argv[1]
aws = sys.argv[2] if len(sys.argv) > 2 else "build/aws"


def compare(files):
    return json.loads(subprocess.check_output([aws, "compare"] + files))


T95 = {8: 2.306, 10: 2.228, 12: 2.179, 16: 2.120, 20: 2.086, 22: 2.074, 30: 2.042}


def slope_ci(ys):
    """Least-squares slope of ys against 0..n-1 with a 95% t interval (n - 2 degrees of freedom)."""
    n = len(ys)
    xs = list(range(n))
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    resid = [y - my - b * (x - mx) for x, y in zip(xs, ys)]
    se = (sum(r * r for r in resid) / (n - 2) / sxx) ** 0.5
    t = T95[max(k for k in T95 if k <= n - 2)] if n - 2 >= 8 else float("nan")
    return b, b - t * se, b + t * se


def permutation_p(observed, nulls):
    """One-sided: (1 + nulls at or beyond the observed value) / (1 + nulls)."""
    return (1 + sum(v >= observed for v in nulls)) / (1 + len(nulls))


def heaviest(row):
    return ", ".join(f"{e['element']} {e['over_uniform']:.2f}" for e in row["heaviest_elements"])


summary = {"searches": {}, "agreement": []}
names = sorted(n for n in os.listdir(out) if os.path.isfile(os.path.join(out, n, "policy.json")))
for name in names:
    d = os.path.join(out, name)
    nulls = sorted(glob.glob(os.path.join(d, "null-*", "policy-last.json")),
                   key=lambda f: int(os.path.basename(os.path.dirname(f))[5:]))
    rows = compare([os.path.join(d, "policy.json"), os.path.join(d, "policy-last.json")] + nulls)
    log = [json.loads(l) for l in open(os.path.join(d, "log.jsonl")) if l.strip()]
    first, last = log[: max(1, len(log) // 4)], log[-max(1, len(log) // 4):]
    mean_reward = lambda recs: statistics.mean(r for rec in recs for r in rec["rewards"])
    null_kl = [r["kl_uniform"] for r in rows[2:]]
    loop_means = [statistics.mean(rec["rewards"]) for rec in log]
    slope = slope_ci(loop_means) if len(log) >= 10 else (float("nan"),) * 3
    s = {"best": rows[0], "last": rows[1], "null_kl_last": null_kl, "reward_slope_per_loop": slope,
         "reward_first_quarter": mean_reward(first), "reward_last_quarter": mean_reward(last),
         "grad_snr_mean": statistics.mean([x["grad_snr"] for x in log if x.get("grad_snr") is not None] or [float("nan")])}
    summary["searches"][name] = s
    print(f"{name}: {len(log)} loops; reward first quarter {s['reward_first_quarter']:.2f}, last quarter "
          f"{s['reward_last_quarter']:.2f}; loop-mean reward slope {slope[0]:+.4f} per loop, 95% CI "
          f"[{slope[1]:+.4f}, {slope[2]:+.4f}]; mean grad SNR {s['grad_snr_mean']:.3f}")
    for label, r in (("best θ", rows[0]), ("last θ", rows[1])):
        print(f"  {label}: KL to uniform {r['kl_uniform']:.4f}  entropy {r['entropy']:.4f}  heaviest (x uniform): {heaviest(r)}")
    if null_kl:
        # One-sided p of "the search moved p further from uniform than its nulls": (1 + #nulls at or
        # beyond the run) / (1 + #nulls). The nulls' best θ is compared with the run's best θ, last with last.
        null_best = [r["kl_uniform"] for r in compare([os.path.join(os.path.dirname(f), "policy.json") for f in nulls])]
        p_last = permutation_p(rows[1]["kl_uniform"], null_kl)
        p_best = permutation_p(rows[0]["kl_uniform"], null_best)
        s["p_kl_last"], s["p_kl_best"] = p_last, p_best
        print(f"  its {len(null_kl)} nulls: last θ KL {min(null_kl):.4f} .. {max(null_kl):.4f} (median "
              f"{statistics.median(null_kl):.4f}), p = {p_last:.3f}; best θ KL median {statistics.median(null_best):.4f}, "
              f"p = {p_best:.3f}")

# Seed agreement: every two searches of one kind (NAME-sA against NAME-sB, last θ), beside the same
# figures for disjoint pairs of null runs (null-2k against null-2k+1, last θ) of the kind's searches
# that keep their nulls' policies (one copied back from the docs keeps only their summaries); p: the
# permutation p of the searches' figure among the null pairs'.
def last(name, sub=""):
    return os.path.join(out, name, sub, "policy-last.json")


def agreement(a, b):
    return compare([a, b])[1]["agreement_with_first"]


kinds = {}
for name in names:
    kind, _, seed = name.rpartition("-s")
    if kind and seed.isdigit():
        kinds.setdefault(kind, []).append(name)
for kind, members in sorted(kinds.items()):
    if len(members) < 2:
        continue
    null_pairs = []
    for src in members:
        k = 0
        while os.path.isfile(last(src, f"null-{k}")) and os.path.isfile(last(src, f"null-{k + 1}")):
            null_pairs.append(agreement(last(src, f"null-{k}"), last(src, f"null-{k + 1}")))
            k += 2
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            entry = {"pair": [a, b], "searches": agreement(last(a), last(b)), "null_pairs": len(null_pairs)}
            e = entry["searches"]
            print(f"seed agreement {a} vs {b} (last θ): marginals r {e['marginals_pearson']:+.3f}, "
                  f"log p r {e['log_p_pearson']:+.3f}, top-10 overlap {e['top10_overlap']:.2f}")
            if null_pairs:
                for key in ("marginals_pearson", "log_p_pearson"):
                    vals = [n[key] for n in null_pairs]
                    entry[f"p_{key}"] = permutation_p(e[key], vals)
                    entry[f"nulls_{key}"] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
                    print(f"  {len(vals)} null pairs' {key}: median {statistics.median(vals):+.3f}, range "
                          f"[{min(vals):+.3f}, {max(vals):+.3f}], p = {entry[f'p_{key}']:.3f}")
            summary["agreement"].append(entry)
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
