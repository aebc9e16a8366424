#!/usr/bin/env bash
# Writes action/tcup-init.sha256s: the tcup version the GitHub Action (action.yml) installs and the
# SHA-256 of that version's tcup-init (and tcup-proxy) for each host triple, so that the action runs only those
# bytes, whatever the update root serves (docs/action.md). The builds are read from the update
# root, UPDATE_ROOT/archive/VERSION/<triple>/tcup-init and tcup-proxy, as ci/release.sh lays them out; the hashes
# are computed here, never copied from a .sha256 file (as ci/publish-init-sh.sh does for init.sh).
# ci/release.sh runs it after the builds (the release commits the table with the action's tag);
# ci/action-local.sh runs it on its loopback update root and a copy of the action.
#
# Usage: ci/publish-action.sh UPDATE_ROOT VERSION [ACTION_DIR]   (default: this repository's action/)
set -euo pipefail
[[ $# -ge 2 && $# -le 3 ]] || { echo "usage: ci/publish-action.sh UPDATE_ROOT VERSION [ACTION_DIR]" >&2; exit 2; }
root=$1
version=$2
dir=${3:-"$(dirname "$0")/../action"}
[[ $version =~ ^[0-9A-Za-z.+-]+$ ]] || { echo "publish-action: '$version' is not a version (expected e.g. 1.2.3)" >&2; exit 2; }
[ -d "$root/archive/$version" ] || { echo "publish-action: no $root/archive/$version (the builds of tcup $version)" >&2; exit 1; }
[ -d "$dir" ] || { echo "publish-action: no directory $dir" >&2; exit 1; }

out=$dir/tcup-init.sha256s
{
  echo "# The tcup-init builds the GitHub Action (action.yml) installs: written by ci/publish-action.sh"
  echo "# from the update root of the release; action/setup.sh refuses any other bytes."
  echo "version $version"
  for sub in "$root/archive/$version"/*/; do
    triple=$(basename "$sub")
    [[ $triple =~ ^[0-9a-z_]+(-[0-9a-z_]+)+$ ]] || { echo "publish-action: $sub is not named after a host triple" >&2; exit 1; }
    for name in tcup-init tcup-proxy; do
      [ -f "$sub/$name" ] || continue
      echo "$(sha256sum "$sub/$name" | cut -d ' ' -f 1)  $triple/$name"
    done
  done
} >"$out.tmp"
n=$(grep -c '/tcup-init$' "$out.tmp" || true)
[ "$n" -gt 0 ] || { rm -f "$out.tmp"; echo "publish-action: no tcup-init under $root/archive/$version/<triple>/" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "publish-action: $out carries tcup $version's hashes for $n triples ($(grep -c '/tcup-proxy$' "$out" || true) with tcup-proxy)"
