#!/usr/bin/python3
"""The layer rule of DESIGN.md ("Layers of the house"), checked on every #include "..." of the tree:
a file may include only headers of its own layer and of the layers its row allows. Layers: core/,
kernels/, engine/, models/, augment/, train/, search/, apps/, python/; tests/ and bench/ may use
everything.
An include not rooted at one of these folders (a system or third-party header, or a relative path)
is not judged: the tree roots every include at the top. Any upward include fails the test.
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
    "python": {"core", "engine", "augment", "python"},
    "apps": None, "tests": None, "bench": None,  # everything
}

def layer(path):
    top = path.split("/", 1)[0]
    return top if top in MAY_USE else None


def upward_includes(root, extra=None):
    found = []
    for top in ("core", "kernels", "engine", "models", "augment", "train", "search", "python"):
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
    if "--plant" in sys.argv:
        planted = ("kernels/relu.cu", "search/controller.h")
        hits = [x for x in upward_includes(root, planted) if x == f"{planted[0]} -> {planted[1]}"]
        if not hits:
            sys.exit(f"FAIL: the planted include {planted[0]} -> {planted[1]} was not caught")
        print(f"planted upward include caught: {hits[0]}")
        return
    found = sorted(set(upward_includes(root)))
    for x in found:
        print(f"FAIL upward include (DESIGN.md layer table): {x}")
    print(f"{len(found)} upward includes")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
