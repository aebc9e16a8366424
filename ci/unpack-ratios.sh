#!/usr/bin/env bash
# By hand, never in CI (it uses the real dist server and downloads several GB): streams every
# archive of the `complete` profile of stable, beta and nightly for one target, in every format
# the manifest offers (xz and gz), through tcup's real unpacker under the default bound on
# unverified bytes (docs/design.md install-4, src/install/bound.rs), into a scratch directory
# that is emptied after each archive. Prints one line per archive — compressed bytes, unpacked
# bytes, entries, the highest decompressed ÷ compressed ratio at any point once 1 MiB was
# received, the final ratio, and the least room (MiB) left under 64 × received + 64 MiB at any
# check (before each entry or piece of a file) — then the maxima. An archive the bound refuses
# is printed as REFUSED and makes the script exit 1.
#
# Usage: ci/unpack-ratios.sh [target]      (default x86_64-unknown-linux-gnu;
#        CHANNELS="stable" ci/unpack-ratios.sh for fewer; SCRATCH=dir for the unpack directory)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-x86_64-unknown-linux-gnu}
CHANNELS=${CHANNELS:-stable beta nightly}
DIST=${RUSTUP_DIST_SERVER:-https://static.rust-lang.org}

cargo build --quiet --example unpack_ratios
BIN=${CARGO_TARGET_DIR:-$PWD/target}/debug/examples/unpack_ratios
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SCRATCH=${SCRATCH:-$WORK/scratch}
mkdir -p "$SCRATCH"
OUT=$WORK/results.tsv

printf 'channel\tarchive\tformat\tcompressed\tunpacked\tentries\thighest\tfinal\tleast room MiB\n'
for ch in $CHANNELS; do
  curl -sSf "$DIST/dist/channel-rust-$ch.toml" -o "$WORK/$ch.toml"
  "$BIN" list "$WORK/$ch.toml" "$TARGET" | while read -r pkg format url; do
    url=${url/https:\/\/static.rust-lang.org/$DIST}
    # A refused archive stops reading: curl then fails on the closed pipe, which is no error here.
    line=$(curl -sSf "$url" | "$BIN" measure "$format" "$pkg" "$SCRATCH") || true
    [ -n "$line" ] || line="$pkg	$format	0	REFUSED	download or unpack failed"
    printf '%s\t%s\n' "$ch" "$line" | tee -a "$OUT"
  done
done

echo
if grep -q REFUSED "$OUT"; then
  echo "refused by the bound:"
  grep REFUSED "$OUT"
  exit 1
fi
# Maxima per format: highest prefix ratio, final ratio, entries; and the least room left.
awk -F'\t' '
  { if ($7 > hi[$3]) { hi[$3] = $7; hiwho[$3] = $1 " " $2 }
    if ($8 > fin[$3]) { fin[$3] = $8; finwho[$3] = $1 " " $2 }
    if ($6 > ent) { ent = $6; entwho = $1 " " $2 }
    if (room == "" || $9 < room) { room = $9; roomwho = $1 " " $2 " " $3 } }
  END {
    for (f in hi) printf "%s: highest prefix ratio %.1f× (%s), highest final ratio %.1f× (%s)\n", f, hi[f], hiwho[f], fin[f], finwho[f]
    printf "most entries: %d (%s)\n", ent, entwho
    printf "least room under the bound at any check: %s MiB (%s)\n", room, roomwho
  }' "$OUT"
