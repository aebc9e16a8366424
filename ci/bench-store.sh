#!/usr/bin/env bash
# Benchmark (not a test): a default-profile install seeded from a toolchain store
# (TCUP_TOOLCHAIN_STORE, docs/store.md) against a normal install, on one fresh loop-mounted ext4
# (ci/loopfs.sh; root). The store is a home on that file system that installed this machine's
# stable (packed once into a loopback mirror with `tcup mirror pack`, as ci/bench.sh does) from
# nginx on loopback. Then, RUNS times each (default 3), into fresh homes on the same file system:
#   - seeded: `TCUP_TOOLCHAIN_STORE=<store home>/toolchains tcup -v toolchain install stable
#     --profile default` (hard links, every file checked: length and CRC-32);
#   - normal: the same install without the store.
# Prints per run the bytes nginx sent for archives (goal for seeded: 0), the wall seconds, and for
# seeded the store phase's own line (placement and the CRC-32 check, from `-v`).
# Needs about 4 GB free in $TMPDIR for the sparse image (TMPDIR=/dev/shm works).
#
# Usage: ci/bench-store.sh   (RUNS=5 for more; TCUP_BIN=path for another build; MIRROR=dir for a
#        mirror already packed, default target/bench-mirror)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}

if ! command -v nginx >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light time >/dev/null
fi
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')

MIRROR=${MIRROR:-$PWD/target/bench-mirror}
if [ ! -f "$MIRROR/dist/channel-rust-stable.toml" ]; then
  echo "bench-store: packing $(rustc --print sysroot) into $MIRROR (once)"
  rm -rf "$MIRROR.tmp"
  "$TCUP" mirror pack --toolchain "$(rustc --print sysroot)" --out "$MIRROR.tmp" --profile default --formats xz,gz
  mv "$MIRROR.tmp" "$MIRROR"
fi

WORK=$(mktemp -d)
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
loopfs_need
# shellcheck source=ci/nginx.sh
. ci/nginx.sh
start_nginx "$WORK" "root $MIRROR; access_log $WORK/access.log;"
DIST=http://127.0.0.1:$PORT
FS=$(loopfs_new "$WORK" 8G)
# Unmount before start_nginx's trap removes WORK (which holds the image).
trap 'loopfs_drop "$FS" || true; nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

# archive_bytes → bytes nginx sent for archives since the log was last read (then clears the log).
archive_bytes() {
  local n
  n=$(awk '$7 ~ /\.tar\./ { s += $10 } END { print s + 0 }' "$WORK/access.log")
  : >"$WORK/access.log"
  echo "$n"
}

# install HOME [STORE] → prints "wall_s" and leaves stderr in HOME/err.txt
install() {
  local home=$1 store=${2:-} t0 t1
  mkdir -p "$home"
  sync
  t0=$(date +%s.%N)
  env RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo" RUSTUP_DIST_SERVER="$DIST" ${store:+TCUP_TOOLCHAIN_STORE="$store"} \
    "$TCUP" -v toolchain install stable --profile default >/dev/null 2>"$home/err.txt" \
    || { echo "bench-store: install into $home failed:" >&2; cat "$home/err.txt" >&2; exit 1; }
  t1=$(date +%s.%N)
  "$home/rustup/toolchains/stable-$HOST/bin/rustc" --version >/dev/null
  python3 -c "print(f'{$t1 - $t0:.2f}')"
}

echo "bench-store: $(loopfs_file_cost "$FS") ms kernel CPU per file created on the loop ext4; tcup $("$TCUP" --version)"
: >"$WORK/access.log"
wall=$(install "$FS/store")
echo "bench-store: the store: normal install ${wall} s, $(archive_bytes) archive bytes"
STORE=$FS/store/rustup/toolchains
echo "bench-store: store toolchain: $(du -sh "$STORE/stable-$HOST" | cut -f1), $(find "$STORE/stable-$HOST" -type f | wc -l) files"
printf '\n| %-8s | %-3s | %8s | %15s | %-60s |\n' run "#" "wall s" "archive bytes" "store phase (-v)"
printf '|%s|%s|%s|%s|%s|\n' "----------" "-----" "----------" "-----------------" "--------------------------------------------------------------"
for i in $(seq "$RUNS"); do
  wall=$(install "$FS/seeded-$i" "$STORE")
  line=$(sed -n 's/^verbose: store: //p; s/^info: store: //p' "$FS/seeded-$i/err.txt" | head -1)
  [ -n "$line" ] || line=$(grep -m1 'store' "$FS/seeded-$i/err.txt" || true)
  printf '| %-8s | %-3s | %8s | %15s | %-60s |\n' seeded "$i" "$wall" "$(archive_bytes)" "$line"
  links=$(find "$FS/seeded-$i/rustup/toolchains/stable-$HOST" -type f -links +1 | wc -l)
  [ "$i" = 1 ] && echo "bench-store: seeded run 1: $links files share an inode with the store; $(grep -m1 'files:' "$FS/seeded-$i/err.txt")" >&2
  rm -rf "$FS/seeded-$i"
done
for i in $(seq "$RUNS"); do
  wall=$(install "$FS/normal-$i")
  printf '| %-8s | %-3s | %8s | %15s | %-60s |\n' normal "$i" "$wall" "$(archive_bytes)" "-"
  rm -rf "$FS/normal-$i"
done
