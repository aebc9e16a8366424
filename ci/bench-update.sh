#!/usr/bin/env bash
# Benchmark (not a test): tcup vs rustup changing an installed toolchain, in one run, from loopback
# mirrors served by nginx (the approach of ci/bench.sh).
#   update:        stable (default profile) installed from release A, then `update` to release B,
#                  in which only rustfmt's archive differs (bin/rustfmt has one byte appended);
#   component add: stable (minimal profile) from release A, then `component add clippy`.
# Each tool installs its own starting toolchain (untimed), then the change is timed (wall clock).
# Releases are this machine's stable toolchain packed with `tcup mirror pack` (gz: both tools
# read it, and it packs in a minute where xz takes many), cached in target/bench-update/. RUNS (default 3) runs each; medians and the tcup/rustup ratio are printed.
#
# Usage: ci/bench-update.sh        (RUNS=5 ci/bench-update.sh for more runs)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}

if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
command -v rustup >/dev/null || { echo "bench-update: rustup is needed for the comparison" >&2; exit 1; }
cargo build --release --quiet
TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
HOST=$(rustc -vV | sed -n 's/^host: //p')
SYSROOT=$(rustc --print sysroot)
CACHE=$PWD/target/bench-update

pack() { # pack TOOLCHAIN_DIR OUT
  rm -rf "$2.tmp"
  "$TCUP" --quiet mirror pack --toolchain "$1" --out "$2.tmp" --formats gz --channel stable
  mv "$2.tmp" "$2"
}
if [ ! -f "$CACHE/a/dist/channel-rust-stable.toml" ] || [ ! -f "$CACHE/b/dist/channel-rust-stable.toml" ]; then
  echo "bench-update: packing $SYSROOT into $CACHE/a, and release B with rustfmt changed into $CACHE/b (once)"
  mkdir -p "$CACHE"
  rm -rf "$CACHE/a" "$CACHE/b" "$CACHE/fmt"
  pack "$SYSROOT" "$CACHE/a"
  # Release B = release A with only rustfmt repacked: a toolchain directory holding just the
  # rustfmt component, whose bin/rustfmt is a copy with one byte appended (the original is never
  # written), packed alone; its archive replaces A's and its hash is substituted in A's manifest.
  fmt=$CACHE/fmt/stable-$HOST
  comp=rustfmt-preview-$HOST
  mkdir -p "$fmt/lib/rustlib"
  while IFS= read -r line; do
    rel=${line#file:}
    mkdir -p "$fmt/$(dirname "$rel")"
    cp "$SYSROOT/$rel" "$fmt/$rel"
  done <"$SYSROOT/lib/rustlib/manifest-$comp"
  printf '\n' >>"$fmt/bin/rustfmt"
  cp "$SYSROOT/lib/rustlib/manifest-$comp" "$SYSROOT/lib/rustlib/multirust-channel-manifest.toml" \
    "$SYSROOT/lib/rustlib/rust-installer-version" "$fmt/lib/rustlib/"
  echo "$comp" >"$fmt/lib/rustlib/components"
  pack "$fmt" "$CACHE/fmt/out"
  cp -al "$CACHE/a" "$CACHE/b.tmp"
  python3 - "$CACHE/a" "$CACHE/fmt/out" "$CACHE/b.tmp" "$HOST" <<'PY'
import hashlib, os, re, shutil, sys
a, fmt, b, host = sys.argv[1:]
def gz_entry(root):
    text = open(f"{root}/dist/channel-rust-stable.toml").read()
    block = re.search(r'\[pkg\.rustfmt-preview\.target\."?' + re.escape(host) + r'"?\]\n(?:(?!\[).*\n)*', text).group(0)
    return text, re.search(r'^url = "[^"]*/(dist/[^"]+)"', block, re.M).group(1), re.search(r'^hash = "([0-9a-f]{64})"', block, re.M).group(1)
text, rel, old = gz_entry(a)
_, _, new = gz_entry(fmt)
assert old != new, "rustfmt's archive did not change"
for suffix in ("", ".sha256"):
    if os.path.exists(f"{fmt}/{rel}{suffix}"):
        os.remove(f"{b}/{rel}{suffix}")
        shutil.copy(f"{fmt}/{rel}{suffix}", f"{b}/{rel}{suffix}")
text = text.replace(old, new)
for dirpath, _, files in os.walk(f"{b}/dist"):
    for f in files:
        if f.startswith("channel-rust-") and f.endswith(".toml"):
            path = f"{dirpath}/{f}"
            os.remove(path)
            open(path, "w").write(text)
            os.remove(path + ".sha256")
            open(path + ".sha256", "w").write(f"{hashlib.sha256(text.encode()).hexdigest()}  {f}\n")
PY
  mv "$CACHE/b.tmp" "$CACHE/b"
  rm -rf "$CACHE/fmt"
fi
changed=$(diff <(grep -o '[0-9a-f]\{64\}' "$CACHE/a/dist/channel-rust-stable.toml") \
  <(grep -o '[0-9a-f]\{64\}' "$CACHE/b/dist/channel-rust-stable.toml") | grep -c '^>' || true)
echo "bench-update: releases A and B differ in $changed archive hash(es)"

WORK=$(mktemp -d)
# Every home on a fresh loop-mounted ext4, dropped after its run (ci/loopfs.sh; root).
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
loopfs_need
# shellcheck source=ci/nginx.sh
. ci/nginx.sh
start_nginx "$WORK" "location /a/ { alias $CACHE/a/; } location /b/ { alias $CACHE/b/; }"
BASE=http://127.0.0.1:$PORT

# tool HOME RELEASE ARGS… : runs tcup or rustup (quiet) on HOME against release a or b.
tool() {
  local t=$1 home=$2 release=$3
  shift 3
  local bin=("$TCUP" --quiet)
  [ "$t" = rustup ] && bin=(rustup --quiet)
  env RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo" RUSTUP_DIST_SERVER="$BASE/$release" RUSTUP_AUTO_INSTALL=0 \
    "${bin[@]}" "$@" >/dev/null 2>"$home/err.txt" || { echo "bench-update: $t $* failed:" >&2; cat "$home/err.txt" >&2; exit 1; }
}

# timed SCENARIO TOOL → prints wall seconds of the change
timed() {
  local scenario=$1 t=$2 home profile start end fs
  fs=$(loopfs_new "$WORK")
  home=$fs/home
  mkdir "$home"
  local selfupd=()
  [ "$t" = rustup ] && selfupd=(--no-self-update)
  profile=default
  [ "$scenario" = component-add ] && profile=minimal
  tool "$t" "$home" a toolchain install stable --profile "$profile" "${selfupd[@]}"
  sync; sleep 2
  start=$(date +%s.%N)
  if [ "$scenario" = update ]; then
    tool "$t" "$home" b update stable "${selfupd[@]}"
  else
    tool "$t" "$home" a component add clippy --toolchain stable
  fi
  end=$(date +%s.%N)
  local tc="$home/rustup/toolchains/stable-$HOST"
  "$tc/bin/rustc" --version >/dev/null
  if [ "$scenario" = update ]; then
    cmp -s "$tc/bin/rustfmt" <(cat "$SYSROOT/bin/rustfmt"; printf '\n') \
      || { echo "bench-update: $t did not install release B's rustfmt" >&2; exit 1; }
  else
    [ -x "$tc/bin/cargo-clippy" ] || { echo "bench-update: $t did not add clippy" >&2; exit 1; }
  fi
  loopfs_drop "$fs"
  python3 -c "print(f'{$end - $start:.2f}')"
}

probe_fs=$(loopfs_new "$WORK" 1G)
echo "bench-update: homes on fresh loop-mounted ext4: $(loopfs_file_cost "$probe_fs") ms kernel CPU per file created (the root file system: $(loopfs_file_cost "$WORK") ms)"
loopfs_drop "$probe_fs"
echo "bench-update: $RUNS runs each; $(rustup --version 2>/dev/null | head -1); tcup $("$TCUP" --version)"
printf '%-14s %-7s %9s   %s\n' change tool "median s" "runs (s)"
for scenario in update component-add; do
  declare -A med=()
  for t in tcup rustup; do
    results=()
    for _ in $(seq "$RUNS"); do results+=("$(timed "$scenario" "$t")"); done
    m=$(printf '%s\n' "${results[@]}" | python3 -c 'import sys, statistics; print(f"{statistics.median(float(l) for l in sys.stdin if l.strip()):.2f}")')
    med[$t]=$m
    printf '%-14s %-7s %9s   %s\n' "$scenario" "$t" "$m" "${results[*]}"
  done
  python3 -c "print(f'{\"$scenario\":<14} ratio   tcup/rustup {${med[tcup]}/${med[rustup]}:.2f}')"
  unset med
done
