#!/usr/bin/env python3
"""Counts every import in src/ against the layer order in docs/architecture.md.

Reads the layer block of docs/architecture.md (the fenced block after "<!-- layers -->"): one
layer a line, top to bottom; a line may end with "-> a b c", the only layers it may import.
A module reaches only downward (or within its own layer), and the module graph (one node a
file) has no cycles. Prints each upward import, each import outside a "->" list and each cycle,
then a summary; exits 1 when any is found. Usage: ci/layers.py [--verbose] (from the repository
root).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")


def read_layers():
    text = open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8").read()
    m = re.search(r"<!-- layers -->\s*```[a-z]*\n(.*?)```", text, re.S)
    if not m:
        sys.exit("docs/architecture.md: no ```-block after <!-- layers -->")
    rank, only = {}, {}
    for i, line in enumerate(l for l in m.group(1).splitlines() if l.strip()):
        head, _, allowed = line.partition("->")
        names = [n.strip("/") for n in head.split()]
        for n in names:
            rank[n] = i
            if allowed.strip():
                only[n] = {a.strip("/") for a in allowed.split()}
    return rank, only


def modules():
    """Module path (tuple) -> file, for every .rs file under src/ (lib's tree)."""
    mods = {}
    for dirpath, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), SRC)
            parts = rel[:-3].split(os.sep)
            if parts[0] == "bin" or parts == ["main"]:
                mods[("<bin>",) + tuple(parts)] = rel
                continue
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts == ["lib"]:
                parts = []
            mods[tuple(parts)] = rel
    return mods


def strip_comments(text):
    out = []
    for line in text.splitlines():
        s = line.lstrip()
        if s.startswith("//"):
            continue
        out.append(re.sub(r'"(\\.|[^"\\])*"', '""', line))
    return "\n".join(out)


def expand(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (rough, enough for use trees)."""
    tree = re.sub(r"\s+", "", tree)
    i = tree.find("{")
    if i < 0:
        return [tree]
    depth, parts, cur = 0, [], ""
    body = tree[i + 1 : tree.rfind("}")]
    for ch in body:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return [p2 for p in parts if p for p2 in expand(tree[:i] + p)]


def inline_modules(body, here):
    """`body` as (text, module path) pieces: an inline `mod name { … }` (a file's `mod tests`) is
    module `here::name`, so its `use super::*` names the file's own module, not the parent's."""
    outer, pieces, pos = [], [], 0
    for m in re.finditer(r"\bmod\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{", body):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(body) and depth:
            depth += body[i] == "{"
            depth -= body[i] == "}"
            i += 1
        outer.append(body[pos : m.start()])
        pieces.extend(inline_modules(body[m.end() : i - 1], here + (m.group(1),)))
        pos = i
    outer.append(body[pos:])
    return [("".join(outer), here)] + pieces


def references(text, here, mods):
    """Module paths (tuples) `text` of module `here` names through crate::, super::, self::."""
    out = []
    for body, path in inline_modules(strip_comments(text), tuple(here)):
        out.extend(references_in(body, path, mods))
    return out


def references_in(body, here, mods):
    """As `references`, for comment-free `body` of (file or inline) module `here`."""
    refs = []
    for m in re.finditer(r"\buse\s+([^;]+);", body):
        refs.extend(expand(m.group(1)))
    body_wo_use = re.sub(r"\buse\s+[^;]+;", "", body)
    refs.extend(m.group(0) for m in re.finditer(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+", body_wo_use))
    out = []
    for r in refs:
        segs = [s for s in r.split(" as ")[0].split("::") if s]
        if not segs:
            continue
        if segs[0] == "crate":
            path = segs[1:]
        elif segs[0] in ("super", "self"):
            base = list(here)
            while segs and segs[0] in ("super", "self"):
                if segs[0] == "super":
                    base = base[:-1]
                segs = segs[1:]
            path = base + segs
        elif tuple(here) + (segs[0],) in mods:  # `use child::X` inside a mod.rs
            path = list(here) + segs
        else:
            continue
        # the longest prefix that is a module file
        for n in range(len(path), -1, -1):
            if tuple(path[:n]) in mods:
                out.append(tuple(path[:n]))
                break
    return out


def layer_of(mod):
    return mod[0] if mod else "lib"


def main():
    verbose = "--verbose" in sys.argv
    rank, only = read_layers()
    mods = modules()
    edges = {}
    problems = []
    for mod, rel in sorted(mods.items()):
        if mod and mod[0] == "<bin>":
            continue
        text = open(os.path.join(SRC, rel), encoding="utf-8").read()
        targets = set()
        for t in references(text, mod, mods):
            if t != mod and not (len(t) < len(mod) and mod[: len(t)] == t and t == ()):
                targets.add(t)
        edges[mod] = targets
        src_layer = layer_of(mod)
        for t in sorted(targets):
            dst_layer = layer_of(t)
            if src_layer == dst_layer or src_layer == "lib" or t == ():
                continue
            if src_layer not in rank or dst_layer not in rank:
                problems.append(f"{rel}: layer of {src_layer!r} or {dst_layer!r} not in docs/architecture.md")
                continue
            if src_layer in only and dst_layer not in only[src_layer]:
                problems.append(f"past the layer below: {rel} -> {mods[t]} ({src_layer} may import only {' '.join(sorted(only[src_layer]))})")
            elif rank[dst_layer] < rank[src_layer]:
                problems.append(f"upward: {rel} -> {mods[t]} ({src_layer} is below {dst_layer})")
    # cycles: strongly connected components of the file graph (a mod.rs naming its own child
    # module is the parent's declaration, not an import, and a child reaching its parent is fine
    # unless the parent imports it back by name for more than re-exporting).
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    for comp in sccs:
        problems.append("cycle: " + " <-> ".join(mods[c] for c in comp))
    for p in problems:
        print(p)
    n_edges = sum(len(t) for t in edges.values())
    ups = sum(p.startswith("upward") for p in problems)
    past = sum(p.startswith("past") for p in problems)
    print(f"layers: {len(edges)} modules, {n_edges} imports between them; "
          f"{ups} upward, {past} past the layer below, {len(sccs)} cycles")
    if verbose:
        for v in sorted(edges):
            print(mods[v], "->", ", ".join(sorted(mods[t] for t in edges[v])))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
