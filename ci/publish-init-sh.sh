#!/usr/bin/env bash
# Writes UPDATE_ROOT/init.sh: installer/init.sh with the release block filled in, so that the
# published script carries the version it installs and the SHA-256 of every build of that version
# (docs/threat-model.md, "The bootstrap never downgrades TLS"). The builds are read from the
# update root itself, UPDATE_ROOT/archive/VERSION/<triple>/tcup-init and tcup-proxy, as
# ci/release.sh lays them out; the hashes are computed here, never copied from a .sha256 file.
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
  for name in tcup-init tcup-proxy; do
    [ -f "$dir/$name" ] || continue
    hashes+=$'\n'"$(sha256sum "$dir/$name" | cut -d ' ' -f 1) $triple/$name"
  done
done
grep -q 'tcup-init$' <<<"$hashes" || { echo "publish-init-sh: no tcup-init under $root/archive/$version/<triple>/" >&2; exit 1; }

begin='# --- release hashes: ci/publish-init-sh.sh replaces these lines in the init.sh it publishes ---'
end='# --- end of release hashes ---'
[ "$(grep -cxF -e "$begin" -e "$end" "$src")" = 2 ] || { echo "publish-init-sh: $src lacks the release block's two marker lines" >&2; exit 1; }
out="$root/init.sh.tmp"
# Through the environment: awk -v would read escapes in the values.
BEGIN_LINE=$begin END_LINE=$end VERSION=$version HASHES=$hashes awk '
  $0 == ENVIRON["BEGIN_LINE"] { print; skip = 1; next }
  $0 == ENVIRON["END_LINE"] { print "RELEASE_VERSION=\"" ENVIRON["VERSION"] "\""; print "RELEASE_SHA256S=\"" ENVIRON["HASHES"]; print "\""; skip = 0 }
  !skip || /^#/ { print }
' "$src" >"$out"
mv "$out" "$root/init.sh"
echo "publish-init-sh: $root/init.sh carries tcup $version's hashes for $(grep -c . <<<"$hashes") builds"
