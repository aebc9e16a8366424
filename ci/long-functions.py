#!/usr/bin/env python3
"""Lists every function in src/ longer than a limit (default 80 lines, from its `fn` line to its
closing brace), outside test code (`#[cfg(test)]` modules and `*_tests.rs` files). Exits 1 when
any is found. Usage: ci/long-functions.py [LIMIT] (from the repository root)."""
import os
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 80
ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
FN = re.compile(r"^(\s*)(pub(\([a-z]+\))?\s+)?(const\s+)?(unsafe\s+)?fn\s+([A-Za-z0-9_]+)")

long = []
for dirpath, _, files in os.walk(ROOT):
    for f in sorted(files):
        if not f.endswith(".rs") or f.endswith("_tests.rs"):
            continue
        path = os.path.join(dirpath, f)
        lines = open(path, encoding="utf-8").read().split("\n")
        test_from = next((i for i, l in enumerate(lines) if l.strip() == "#[cfg(test)]"), len(lines))
        i = 0
        while i < test_from:
            m = FN.match(lines[i])
            if not m:
                i += 1
                continue
            indent = m.group(1)
            # the body ends at the first line that is exactly the indent + "}" after the signature
            j = i
            while j < len(lines) and not lines[j].rstrip().endswith("{") and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j].rstrip().endswith(";"):
                i = j + 1
                continue
            k = j + 1
            while k < len(lines) and lines[k] != indent + "}":
                k += 1
            n = k - i + 1
            if n > LIMIT:
                long.append((n, os.path.relpath(path, os.path.dirname(ROOT)), i + 1, m.group(6)))
            i = k + 1
for n, path, line, name in sorted(long, reverse=True):
    print(f"{path}:{line}: {name} is {n} lines")
print(f"long-functions: {len(long)} functions over {LIMIT} lines outside tests")
sys.exit(1 if long else 0)
