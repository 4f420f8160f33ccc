#!/usr/bin/python3
"""The layer rule of DESIGN.md ("Layers of the house"), checked on every #include "..." of the tree:
a file may include only headers of its own layer and of the layers its row allows. Layers:
engine/core/ = core; kernels/; engine/ (the rest) = engine; models/; augment/; train/; search/;
apps/; tests/ and bench/ may use everything. An include not rooted at one of these folders (a system
or third-party header, or a relative path) is not judged: the tree roots every include at the top.
known_upward_includes.txt (beside this file) lists the upward includes that exist today (issue 13 removes them): a listed include that is
gone is reported so the list only shrinks, and any other upward include fails the test.
    check_includes.py ROOT [--plant]   (--plant: check that a planted upward include is caught)"""
import os
import re
import sys

MAY_USE = {
    "core": {"core"},
    "kernels": {"core", "kernels"},
    "engine": {"core", "kernels", "engine"},
    "models": {"core", "engine", "models"},
    "augment": {"core", "engine", "kernels", "augment"},
    "train": {"core", "engine", "models", "augment", "train"},
    "search": {"core", "engine", "kernels", "models", "augment", "train", "search"},
    "apps": None, "tests": None, "bench": None,  # everything
}

def layer(path):
    if path.startswith("engine/core/"):
        return "core"
    top = path.split("/", 1)[0]
    return top if top in MAY_USE else None


def upward_includes(root, extra=None):
    found = []
    for top in ("engine", "kernels", "models", "augment", "train", "search"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".h", ".cpp", ".cu", ".cuh")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, f), root)
                text = open(os.path.join(root, rel), encoding="utf-8", errors="replace").read()
                if extra and rel == extra[0]:
                    text += '\n#include "' + extra[1] + '"\n'
                me = layer(rel)
                for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
                    them = layer(inc)
                    if them is None or MAY_USE[me] is None or them in MAY_USE[me]:
                        continue
                    found.append(f"{rel} -> {inc}")
    return found


def main():
    root = sys.argv[1]
    known_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_upward_includes.txt")
    known = {l.strip() for l in open(known_file) if l.strip() and not l.startswith("#")}
    if "--plant" in sys.argv:
        planted = ("kernels/relu.cu", "search/controller.h")
        hits = [x for x in upward_includes(root, planted) if x == f"{planted[0]} -> {planted[1]}"]
        if not hits:
            sys.exit(f"FAIL: the planted include {planted[0]} -> {planted[1]} was not caught")
        print(f"planted upward include caught: {hits[0]}")
        return
    found = set(upward_includes(root))
    new, gone = sorted(found - known), sorted(known - found)
    for x in new:
        print(f"FAIL upward include (DESIGN.md layer table): {x}")
    for x in gone:
        print(f"FAIL {x} is gone: remove it from tests/layers/known_upward_includes.txt")
    print(f"{len(found)} upward includes, {len(known)} known, {len(new)} new, {len(gone)} gone")
    sys.exit(1 if new or gone else 0)


if __name__ == "__main__":
    main()
