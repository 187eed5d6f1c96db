#!/usr/bin/env python3
"""The library's imports keep to the pipeline: no module imports one later in the pipeline
than itself, and no two modules (files) import each other.

Reads every `crate::`, `super::` and `self::` path in the code of crates/backscratch/src
(comments and `#[cfg(test)] mod tests` left out), resolves it to the file that defines it,
and fails (exit 1) on an import that runs up the floors below or on a pair of files that
import each other. A room importing its own folder's `mod.rs` (the folder's vocabulary types,
such as `graph::Graph` or `score::Severity`) is listed for information, not failed: see
CONTRIBUTING.md.
"""
import collections
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "backscratch", "src")
# The floors, lowest first: a module may import its own floor and those below it.
FLOORS = ["error", "warning", "hex", "rng", "par", "keys", "intern", "ingest", "graph", "detect", "score",
          "report", "vocab", "scan", "generate", "evaluate", "cluster"]


def modules():
    out = {}
    for folder, _, names in os.walk(SRC):
        for name in names:
            if name.endswith(".rs"):
                rel = os.path.relpath(os.path.join(folder, name), SRC)[:-3]
                path = re.sub(r"(^|/)mod$", "", rel).replace("/", "::")
                out["" if path == "lib" else path] = open(os.path.join(folder, name)).read()
    return out


def code_of(src):
    src = re.split(r"#\[cfg\(test\)\]\s*mod tests", src)[0]
    return "\n".join(line for line in src.split("\n") if not line.strip().startswith("//"))


def resolve(files, here, path):
    parts = path.split("::")
    if parts[0] == "crate":
        base, parts = [], parts[1:]
    else:
        base = here.split("::") if here else []
        while parts and parts[0] in ("super", "self"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
    full = base + parts
    for i in range(len(full), 0, -1):
        if "::".join(full[:i]) in files:
            return "::".join(full[:i])
    return None


def imports(files):
    edges = collections.defaultdict(set)
    for here, src in files.items():
        code = code_of(src)
        paths = re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", code)
        for base, items in re.findall(r"use\s+((?:crate|super|self)(?:::\w+)*)::\{([^;]*)\};", code, re.S):
            paths += [base + "::" + item for item in re.findall(r"\w+(?:::\w+)*", items)]
        for path in paths:
            there = resolve(files, here, path)
            if there is not None and there != here:
                edges[here].add(there)
    return edges


def main():
    files = modules()
    edges = imports(files)
    floor = {name: i for i, name in enumerate(FLOORS)}
    bad = []
    for a in sorted(edges):
        for b in sorted(edges[a]):
            top_a, top_b = a.split("::")[0], b.split("::")[0]
            if top_a and top_b and top_a != top_b and floor.get(top_b, 99) > floor.get(top_a, 99):
                bad.append(f"up the pipeline: {a} imports {b}")
            if a < b and a in edges.get(b, ()):
                bad.append(f"each other: {a} and {b}")
    rooms = sorted((a, b) for a in edges for b in edges[a] if b and a.startswith(b + "::"))
    print(f"{len(files)} files, {sum(map(len, edges.values()))} imports between them")
    print(f"rooms importing their folder's vocabulary from its mod.rs: {len(rooms)}")
    for a, b in rooms:
        print(f"  {a} -> {b}")
    for line in bad:
        print("FAIL:", line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
