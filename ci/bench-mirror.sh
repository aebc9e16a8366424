#!/usr/bin/env bash
# Benchmark (by hand, not a test; needs root and the internet): `tcup mirror sync` of stable from
# the real dist server (default profile, one host, every format the manifest lists), into a mirror
# on a fresh loop-mounted ext4 (ci/loopfs.sh):
#   first:     an empty tree;
#   no-change: the same command again (nothing new upstream: no archive byte should move).
# Prints wall time, archive bytes and manifest bytes downloaded (from tcup's summary line), files
# written, and the tree's size (without .tcup-sync/).
#
# Usage: ci/bench-mirror.sh
#   TCUP=path/to/tcup    use that build (default: cargo build --release)
#   HOST=triple          the host to mirror (default: rustc's host)
#   FORMATS=xz           only these formats (default: every format the manifest lists)
#   RUSTUP_DIST_SERVER   the upstream (default https://static.rust-lang.org)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
loopfs_need
if [ -z "${TCUP:-}" ]; then
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
HOST=${HOST:-$(rustc -vV | sed -n 's/^host: //p')}
DIST=${RUSTUP_DIST_SERVER:-https://static.rust-lang.org}
WORK=$(mktemp -d)
MNT=$(loopfs_new "$WORK" 4G)
cleanup() { loopfs_drop "$MNT" || true; rm -rf "$WORK"; }
trap cleanup EXIT
OUT=$MNT/mirror
formats=()
[ -n "${FORMATS:-}" ] && formats=(--formats "$FORMATS")

echo "bench-mirror: tcup $("$TCUP" --version | cut -d' ' -f2), $DIST, stable, default profile, host $HOST, mirror on a fresh ext4 ($MNT)"
printf '%-10s %9s %12s %12s %7s %10s\n' phase wall_s archives_MiB manifest_KiB files tree_MiB
for phase in first no-change; do
  log=$WORK/$phase.log
  start=$(date +%s.%N)
  env -i PATH="$PATH" HOME="$WORK" RUSTUP_HOME="$WORK/rustup" CARGO_HOME="$WORK/cargo" RUSTUP_DIST_SERVER="$DIST" \
    "$TCUP" mirror sync --out "$OUT" --channel stable --host "$HOST" --profile default "${formats[@]}" 2>"$log"
  end=$(date +%s.%N)
  line=$(grep 'synced ' "$log")
  python3 - "$phase" "$start" "$end" "$line" "$(du -sb --exclude=.tcup-sync "$OUT" | cut -f1)" <<'PY'
import re, sys
phase, start, end, line, tree = sys.argv[1:]
def size(text):
    n, unit = text.split()
    return float(n) * {"B": 1, "KiB": 1024, "MiB": 1024**2}[unit]
archives = size(re.search(r"fetched, ([\d.]+ \w+) downloaded", line).group(1))
other = size(re.search(r"written(?:, \d+ pruned)?, ([\d.]+ \w+) of manifests", line).group(1))
files = re.search(r"(\d+) files written", line).group(1)
print(f"{phase:<10} {float(end) - float(start):9.1f} {archives / 2**20:12.1f} {other / 1024:12.1f} {files:>7} {int(tree) / 2**20:10.1f}")
PY
  echo "  $line" | sed "s|$OUT|OUT|"
done
