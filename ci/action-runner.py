#!/usr/bin/env python3
"""A small runner for a composite GitHub Action, so ci/action-local.sh runs action.yml's own steps.

It does what the Actions runner does for the parts the tcup action uses, and refuses the rest:
  - `${{ … }}` in `run`, `env`, `with`, `name` and the action's outputs, and `if:` conditions, over
    the contexts `inputs`, `steps.<id>.outputs`, `github.action_path`/`workspace`, `runner.*`,
    `env.*`, with literals, `==`, `!=`, `&&`, `||`, `!`, parentheses and success()/always();
  - `run` steps with `shell: bash` (bash --noprofile --norc -eo pipefail FILE, in the workspace),
    each with fresh GITHUB_ENV, GITHUB_OUTPUT and GITHUB_PATH files that are applied after the step
    (NAME=value and NAME<<DELIMITER lines; paths prepended to PATH) as the runner applies them;
  - `actions/cache/restore@v4` and `actions/cache/save@v4`, emulated by a directory standing in
    for the cache service: the key names a tarball of the listed paths (absolute, tar -P).

Usage: ci/action-runner.py ACTION_DIR WORKSPACE CACHE_DIR OUTPUTS_JSON [--input NAME=VALUE]...
OUTPUTS_JSON gets {"outputs": the action's outputs, "seconds": each step's time by id}.
The environment is the runner's (RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, HOME, PATH). Exit status 1
when a step fails (its name is printed), 2 for a usage error or an action feature it lacks.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import yaml


class Unsupported(Exception):
    pass


# --- expressions -------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<id>[A-Za-z_][A-Za-z0-9_.-]*))")


def tokens(text):
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read the expression {text!r} at {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
    return out


def truthy(v):
    return v not in (None, False, 0, "")


def text_of(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    return str(v)


def equal(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return text_of(a).casefold() == text_of(b).casefold()


class Expr:
    """Recursive descent over: or := and ('||' and)*; and := cmp ('&&' cmp)*; cmp := not (op not)?;
    not := '!' not | primary."""

    def __init__(self, text, contexts):
        self.toks = tokens(text)
        self.i = 0
        self.ctx = contexts

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def value(self):
        v = self.or_()
        if self.i != len(self.toks):
            raise Unsupported(f"unexpected {self.peek()[1]!r} in an expression")
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            rhs = self.and_()
            v = v if truthy(v) else rhs
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            rhs = self.cmp()
            v = rhs if truthy(v) else v
        return v

    def cmp(self):
        v = self.not_()
        if self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            rhs = self.not_()
            v = equal(v, rhs) if op == "==" else not equal(v, rhs)
        return v

    def not_(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.not_())
        return self.primary()

    def primary(self):
        kind, tok = self.take()
        if kind == "op" and tok == "(":
            v = self.or_()
            if self.take() != ("op", ")"):
                raise Unsupported("missing ')' in an expression")
            return v
        if kind == "str":
            return tok[1:-1].replace("''", "'")
        if kind == "num":
            return float(tok)
        if kind == "id":
            if tok in ("true", "false"):
                return tok == "true"
            if tok == "null":
                return None
            if self.peek() == ("op", "("):
                self.take()
                if self.take() != ("op", ")") or tok not in ("success", "always", "failure"):
                    raise Unsupported(f"function {tok}() is not supported")
                return {"success": True, "always": True, "failure": False}[tok]
            return self.lookup(tok)
        raise Unsupported(f"unexpected {tok!r} in an expression")

    def lookup(self, path):
        head, *rest = path.split(".")
        if head not in self.ctx:
            raise Unsupported(f"the context '{head}' is not supported")
        v = self.ctx[head]
        for part in rest:
            v = v.get(part) if isinstance(v, dict) else None
        return v


def interpolate(text, contexts):
    if not isinstance(text, str):
        return text_of(text)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: text_of(Expr(m.group(1), contexts).value()), text)


def condition(text, contexts):
    text = str(text).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    return truthy(Expr(m.group(1) if m else text, contexts).value())


# --- the runner's files --------------------------------------------------------------------------

def read_pairs(path):
    """NAME=value lines and NAME<<DELIMITER … DELIMITER blocks, as GITHUB_ENV and GITHUB_OUTPUT hold."""
    pairs, lines = {}, open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise Unsupported(f"{path}: no closing {delim!r} for {name}")
            i += 1
            pairs[name] = "\n".join(body)
        else:
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


# --- actions/cache -------------------------------------------------------------------------------

def cache_file(cache_dir, key):
    return os.path.join(cache_dir, re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".tar")


def cache_restore(w, cache_dir):
    paths = [p.strip() for p in w.get("path", "").split("\n") if p.strip()]
    tar = cache_file(cache_dir, w["key"])
    if not paths:
        raise Unsupported("actions/cache/restore: no path")
    if os.path.exists(tar):
        subprocess.run(["tar", "-xPf", tar], check=True)
        print(f"Cache restored from key: {w['key']}")
        return {"cache-hit": "true", "cache-primary-key": w["key"], "cache-matched-key": w["key"]}
    print(f"Cache not found for input keys: {w['key']}")
    return {"cache-hit": "false", "cache-primary-key": w["key"], "cache-matched-key": ""}


def cache_save(w, cache_dir):
    paths = [p.strip() for p in w.get("path", "").split("\n") if p.strip()]
    tar = cache_file(cache_dir, w["key"])
    if os.path.exists(tar):
        print(f"Failed to save: a cache entry for key {w['key']} already exists")
        return {}
    found = [p for p in paths if os.path.exists(p)]
    if not found:
        print("Warning: Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.")
        return {}
    subprocess.run(["tar", "-cPf", tar + ".tmp", *found], check=True)
    os.replace(tar + ".tmp", tar)
    print(f"Cache saved with key: {w['key']} ({os.path.getsize(tar)} bytes)")
    return {}


# --- steps ---------------------------------------------------------------------------------------

def run_step(step, env, paths, workspace, tmp):
    if step.get("shell") != "bash":
        raise Unsupported(f"step {step.get('id')}: only shell: bash is supported")
    files = {k: os.path.join(tmp, k.lower()) for k in ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH")}
    for f in files.values():
        open(f, "w").close()
    script = os.path.join(tmp, "step.sh")
    with open(script, "w", encoding="utf-8") as f:
        f.write(step["run"])
    full = dict(env, **files)
    full["PATH"] = os.pathsep.join(list(reversed(paths)) + [env.get("PATH", "")])
    rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], env=full, cwd=workspace).returncode
    new_env = read_pairs(files["GITHUB_ENV"])
    outputs = read_pairs(files["GITHUB_OUTPUT"])
    new_paths = [p for p in open(files["GITHUB_PATH"], encoding="utf-8").read().split("\n") if p]
    return rc, new_env, outputs, new_paths


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    action_dir, workspace, cache_dir, outputs_json = (os.path.abspath(a) for a in argv[:4])
    given = {}
    rest = argv[4:]
    while rest:
        if rest[0] != "--input" or len(rest) < 2 or "=" not in rest[1]:
            print(f"action-runner: unexpected {rest[0]!r}", file=sys.stderr)
            return 2
        name, _, value = rest[1].partition("=")
        given[name] = value
        rest = rest[2:]
    action = yaml.safe_load(open(os.path.join(action_dir, "action.yml"), encoding="utf-8"))
    if action["runs"]["using"] != "composite":
        raise Unsupported("only composite actions")
    declared = action.get("inputs") or {}
    unknown = set(given) - set(declared)
    if unknown:
        print(f"action-runner: the action has no input {sorted(unknown)}", file=sys.stderr)
        return 2
    inputs = {k: given.get(k, text_of((v or {}).get("default", ""))) for k, v in declared.items()}
    env = dict(os.environ)
    paths = []
    steps = {}
    seconds = {}
    base = {
        "inputs": inputs,
        "github": {"action_path": action_dir, "workspace": workspace},
        "runner": {"os": env.get("RUNNER_OS"), "arch": env.get("RUNNER_ARCH"), "temp": env.get("RUNNER_TEMP")},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for n, step in enumerate(action["runs"]["steps"]):
            ctx = dict(base, steps=steps, env=env)
            sid = step.get("id", f"__{n}")
            name = interpolate(step.get("name", sid), ctx)
            if "if" in step and not condition(step["if"], ctx):
                print(f"::group::{name} (skipped)")
                steps[sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                continue
            print(f"::group::{name}", flush=True)
            started = time.monotonic()
            if "uses" in step:
                w = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
                uses = step["uses"]
                if uses == "actions/cache/restore@v4":
                    out = cache_restore(w, cache_dir)
                elif uses == "actions/cache/save@v4":
                    out = cache_save(w, cache_dir)
                else:
                    raise Unsupported(f"uses: {uses}")
                rc = 0
            else:
                step_env = dict(env, GITHUB_ACTION_PATH=action_dir, GITHUB_WORKSPACE=workspace)
                step_env.update({k: interpolate(v, ctx) for k, v in (step.get("env") or {}).items()})
                step = dict(step, run=interpolate(step["run"], ctx))
                rc, new_env, out, new_paths = run_step(step, step_env, paths, workspace, tmp)
                env.update(new_env)
                paths.extend(new_paths)
            seconds[sid] = round(time.monotonic() - started, 1)
            print(f"::endgroup:: {seconds[sid]} s", flush=True)
            if rc != 0:
                print(f"::error::step '{name}' failed (exit {rc})", flush=True)
                return 1
            steps[sid] = {"outputs": out, "outcome": "success", "conclusion": "success"}
        ctx = dict(base, steps=steps, env=env)
        result = {k: interpolate((v or {}).get("value", ""), ctx) for k, v in (action.get("outputs") or {}).items()}
    with open(outputs_json, "w", encoding="utf-8") as f:
        json.dump({"outputs": result, "seconds": seconds}, f, indent=1)
    print("outputs: " + json.dumps(result))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Unsupported as e:
        print(f"action-runner: {e}", file=sys.stderr)
        sys.exit(2)
