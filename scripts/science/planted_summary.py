#!/usr/bin/python3
"""Prints, for each search under OUT (paper, sparse), the planted element's pair mass over its uniform
share and the KL to uniform for best θ, last θ and every null, via `aws compare`.
    planted_summary.py OUT ELEMENT [AWS_BIN]"""
import glob
import json
import os
import subprocess
import sys

out, element = sys.argv[1], sys.argv[2]
aws = sys.argv[3] if len(sys.argv) > 3 else "build/aws"
for run in sorted(os.listdir(out)):
    d = os.path.join(out, run)
    if not os.path.isfile(os.path.join(d, "policy.json")):
        continue
    files = [os.path.join(d, "policy.json"), os.path.join(d, "policy-last.json")]
    files += sorted(glob.glob(os.path.join(d, "null-*", "policy*.json")))
    rows = json.loads(subprocess.check_output([aws, "compare", "--element", element] + files))
    print(f"{run}: {element} pairs' mass / uniform share (pass < 0.5), KL to uniform")
    for r in rows:
        name = os.path.relpath(r["file"], d)
        print(f"  {name:28s} mass/uniform {r['element_pair_mass_over_uniform']:.3f}  KL {r['kl_uniform']:.4f}")
