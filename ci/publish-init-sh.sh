#!/usr/bin/env bash
# Writes UPDATE_ROOT/init.sh and UPDATE_ROOT/init.ps1: installer/init.sh and installer/init.ps1
# with the release block filled in, so that each published script carries the version it installs
# and the SHA-256 of every build of that version (docs/threat-model.md, "The bootstrap never
# downgrades TLS"). The builds are read from the update root itself,
# UPDATE_ROOT/archive/VERSION/<triple>/tcup-init and tcup-proxy (tcup-init.exe and tcup-proxy.exe
# for Windows), as ci/release.sh lays them out; the hashes are computed here, never copied from a
# .sha256 file. Both scripts carry the same table; each looks up only its own systems' builds.
# ci/release.sh runs it after the builds; the init.sh tests run it on their update roots.
#
# Usage: ci/publish-init-sh.sh UPDATE_ROOT VERSION
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: ci/publish-init-sh.sh UPDATE_ROOT VERSION" >&2; exit 2; }
root=$1
version=$2
src="$(dirname "$0")/../installer/init.sh"
[[ $version =~ ^[0-9A-Za-z.+-]+$ ]] || { echo "publish-init-sh: '$version' is not a version (expected e.g. 1.2.3)" >&2; exit 2; }
[ -d "$root/archive/$version" ] || { echo "publish-init-sh: no $root/archive/$version (the builds of tcup $version)" >&2; exit 1; }

hashes=""
for dir in "$root/archive/$version"/*/; do
  triple=$(basename "$dir")
  [[ $triple =~ ^[0-9a-z_]+(-[0-9a-z_]+)+$ ]] || { echo "publish-init-sh: $dir is not named after a host triple" >&2; exit 1; }
  for name in tcup-init tcup-proxy tcup-init.exe tcup-proxy.exe; do
    [ -f "$dir/$name" ] || continue
    hashes+=$'\n'"$(sha256sum "$dir/$name" | cut -d ' ' -f 1) $triple/$name"
  done
done
grep -qE 'tcup-init(\.exe)?$' <<<"$hashes" || { echo "publish-init-sh: no tcup-init under $root/archive/$version/<triple>/" >&2; exit 1; }

begin='# --- release hashes: ci/publish-init-sh.sh replaces these lines in the init.sh it publishes ---'
end='# --- end of release hashes ---'
# publish SCRIPT FORMAT: writes UPDATE_ROOT/SCRIPT from installer/SCRIPT, its release block (the
# lines between its two marker lines) replaced: sh variables, or PowerShell ones (FORMAT ps1; the
# hashes as an array of single-quoted strings, safe: they are hex, triples and file names).
publish() {
  local src out begin_line
  src="$(dirname "$0")/../installer/$1"
  begin_line=${begin/init.sh/$1}
  [ "$(grep -cxF -e "$begin_line" -e "$end" "$src")" = 2 ] || { echo "publish-init-sh: $src lacks the release block's two marker lines" >&2; exit 1; }
  out="$root/$1.tmp"
  # Through the environment: awk -v would read escapes in the values.
  BEGIN_LINE=$begin_line END_LINE=$end VERSION=$version HASHES=$hashes FORMAT=$2 awk '
    $0 == ENVIRON["BEGIN_LINE"] { print; skip = 1; next }
    $0 == ENVIRON["END_LINE"] && ENVIRON["FORMAT"] == "sh" {
      print "RELEASE_VERSION=\"" ENVIRON["VERSION"] "\""; print "RELEASE_SHA256S=\"" ENVIRON["HASHES"]; print "\""; skip = 0
    }
    $0 == ENVIRON["END_LINE"] && ENVIRON["FORMAT"] == "ps1" {
      print "$ReleaseVersion = \047" ENVIRON["VERSION"] "\047"; print "$ReleaseSha256s = @("
      n = split(ENVIRON["HASHES"], lines, "\n")
      for (i = 1; i <= n; i++) if (lines[i] != "") print "    \047" lines[i] "\047"
      print ")"; skip = 0
    }
    !skip || /^#/ { print }
  ' "$src" >"$out"
  mv "$out" "$root/$1"
}
publish init.sh sh
publish init.ps1 ps1
echo "publish-init-sh: $root/init.sh (and init.ps1) carries tcup $version's hashes for $(grep -c . <<<"$hashes") builds"
