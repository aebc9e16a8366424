#!/usr/bin/env bash
# tcup's main job on the real thing (run by hand as root; needs the default dist server, Debian's
# packages and the crate registry, so never in CI or tests). Cases (issue 19):
#   dist-x86_64    the static x86_64 tcup-init installs stable (default profile), beta, nightly and
#                  1.95.0 with -t aarch64-unknown-linux-musl -t wasm32-wasip1 from the default dist
#                  server; cargo builds a crate with a dependency from the registry; hello world
#                  cross-compiled for aarch64-unknown-linux-musl with rust-lld runs under qemu on a
#                  Cortex-A53; stable-aarch64-unknown-linux-gnu installs with a warning (and
#                  --force-non-host is accepted); a second `tcup update` downloads nothing; rustup
#                  reads the home and calls every toolchain unchanged.
#   side-by-side   tcup-init against rustup-init (from rustup's update root), default-profile
#                  stable into fresh homes, 3 alternating runs each: median wall time and peak RSS;
#                  six parallel curl of the same archives; tcup-init from a loopback mirror of them.
#   arm32-refused  armhf (Cortex-A7) and armel (ARM1176, no VFP) userlands: tcup names the right
#                  triple and refuses in one line naming it and the dist server; nothing installed.
#   containers     installer/docker/Dockerfile.debian built with podman for amd64 and arm64 from
#                  base images made with mmdebstrap, init.sh and the update root on loopback; and
#                  a musl image (Debian's musl + busybox-static: no Alpine rootfs can be had here).
#   arm64-machine  an emulated arm64 Debian (Cortex-A53): init.sh picks the aarch64 build, which
#                  installs stable-aarch64-unknown-linux-gnu; `cargo new hello && cargo run` runs;
#                  rustup-init timed doing the same in a second copy of the root.
# It prints a table: case, pass/fail, seconds. Homes and timed work live on a loop-mounted ext4
# made for the run (creating files on this machine's root file system costs ~1 ms of kernel CPU
# each, which would swamp the numbers); everything is unmounted and removed at exit.
#
# The update root comes from ci/release.sh (x86_64 and aarch64 builds only, into the cache); it
# is rebuilt incrementally on every run, so the binaries are those of the working tree.
#
# Usage: ci/real-world.sh [CASE...]          (default: every case, in the order above)
# Env:   TCUP_REAL_CACHE    (default ~/.cache/tcup-real: update root, base images, rustup-init)
#        TCUP_RELEASE_CACHE (ci/release.sh's cargo target dir; default ~/.cache/tcup-release)
#        TCUP_REAL_UPDATE_ROOT  an update root made already (e.g. by a full ci/release.sh run):
#                           used as it is, without running ci/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "real-world: needs root (mount, chroot, binfmt_misc, podman)" >&2; exit 2; }
ALL=(dist-x86_64 side-by-side arm32-refused containers arm64-machine)
if [ $# -gt 0 ]; then CASES=("$@"); else CASES=("${ALL[@]}"); fi
for c in "${CASES[@]}"; do
  [[ " ${ALL[*]} " == *" $c "* ]] || { echo "real-world: unknown case '$c' (cases: ${ALL[*]})" >&2; exit 2; }
done
# In a private mount namespace the kernel drops every mount of the run when it ends, however it
# ends; cleanup() still unmounts them in order first.
if [ -z "${TCUP_REAL_NS:-}" ]; then
  exec env TCUP_REAL_NS=1 unshare --mount --propagation private "$0" "$@"
fi
CACHE=${TCUP_REAL_CACHE:-$HOME/.cache/tcup-real}
DIST=https://static.rust-lang.org
UPDATE_ROOT=${TCUP_REAL_UPDATE_ROOT:-$CACHE/update-root}
mkdir -p "$CACHE"

# --- tools ---------------------------------------------------------------------------------------
need=()
for t in podman:podman mmdebstrap:mmdebstrap qemu-aarch64:qemu-user qemu-aarch64-static:qemu-user-static \
  mkfs.ext4:e2fsprogs readelf:binutils /usr/bin/time:time curl:curl dpkg-deb:dpkg python3:python3 \
  openssl:openssl nginx:nginx-light; do
  command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
[ -f /usr/lib/musl/lib/libc.so ] || [ -e /usr/lib/x86_64-linux-musl/libc.so ] || need+=(musl)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v rustup >/dev/null || [ -x "$HOME/.cargo/bin/rustup" ] || {
  echo "real-world: rustup 1.29 is needed for the interop check (apt-get install rustup)" >&2; exit 2; }
RUSTUP=$(command -v rustup || echo "$HOME/.cargo/bin/rustup")

# --- the update root: static tcup-init for x86_64 and aarch64 ------------------------------------
if [ -z "${TCUP_REAL_UPDATE_ROOT:-}" ]; then
  echo "== ci/release.sh (x86_64 and aarch64; incremental)"
  nice -n 10 ci/release.sh "$UPDATE_ROOT" x86_64-unknown-linux-musl aarch64-unknown-linux-musl
fi
[ -x "$UPDATE_ROOT/dist/x86_64-unknown-linux-gnu/tcup-init" ] || {
  echo "real-world: no dist/x86_64-unknown-linux-gnu/tcup-init in $UPDATE_ROOT" >&2; exit 2; }
TCUP_INIT=$UPDATE_ROOT/dist/x86_64-unknown-linux-gnu/tcup-init

# --- the run's scratch space ---------------------------------------------------------------------
WORK=$(mktemp -d /tmp/tcup-real.XXXXXX)
FS=$WORK/fs
# shellcheck source=ci/loopback-server.sh
. ci/loopback-server.sh
# shellcheck source=ci/nginx.sh
. ci/nginx.sh
# shellcheck source=ci/foreign.sh
. ci/foreign.sh
MOUNTS=()
under_work() {
  case $1 in
    "$WORK"/?*) ;;
    *) echo "real-world: refusing to touch '$1' (not below $WORK)" >&2; exit 3 ;;
  esac
}
mount_below() {
  local dir=$1
  shift
  under_work "$dir"
  mount "$@" "$dir" || { echo "real-world: mount $* $dir failed" >&2; exit 1; }
  MOUNTS+=("$dir")
}
# rm_below DIR: removes a directory below WORK (never a mount point that is still mounted).
rm_below() {
  under_work "$1"
  rm -rf --one-file-system "$1"
}
cleanup() {
  local i
  [ "${#SERVER_PIDS[@]}" -eq 0 ] || kill "${SERVER_PIDS[@]}" 2>/dev/null || true
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    mountpoint -q "${MOUNTS[$i]}" || continue # a case may have unmounted it already
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true
  done
  unregister_qemu
  case $WORK in /tmp/tcup-real.??????) rm -rf --one-file-system "$WORK" ;; esac
}
trap cleanup EXIT
trap 'echo "real-world: \"$BASH_COMMAND\" failed at ${BASH_SOURCE[0]}:$LINENO" >&2' ERR
register_qemu arm aarch64

# A fresh ext4 for homes, images and builds (sparse: only what is written takes space).
mkdir -p "$FS"
truncate -s 60G "$WORK/fs.img"
mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$WORK/fs.img"
mount_below "$FS" -o loop "$WORK/fs.img"
echo "== scratch: $WORK (homes on a loop-mounted ext4 at $FS)"

# The update root over HTTP and HTTPS (private CA) on 127.0.0.1.
make_ca "$WORK"
serve "$WORK" "$UPDATE_ROOT" http
ROOT_HTTP=$URL
serve "$WORK" "$UPDATE_ROOT" https
ROOT_HTTPS=$URL

# --- helpers -------------------------------------------------------------------------------------
ROWS=()
fail() { echo "  FAIL: $*"; return 1; }
# in_home DIR CMD...: CMD with nothing of this shell's environment but PATH, HOME, the homes
# (side-by-side spells the same out, since /usr/bin/time runs no shell function).
in_home() {
  local h=$1
  shift
  env -i PATH="$h/.cargo/bin:/usr/bin:/bin" HOME="$h" RUSTUP_HOME="$h/.rustup" CARGO_HOME="$h/.cargo" "$@"
}
# measure OUT CMD...: runs CMD, writes "seconds peak-RSS-KiB" to OUT.
measure() {
  local out=$1
  shift
  /usr/bin/time -f '%e %M' -o "$out" "$@"
}
median() { sort -n | sed -n 2p; }

# shellcheck source=ci/podman.sh
. ci/podman.sh
# shellcheck source=ci/real-world-cases.sh
. ci/real-world-cases.sh

# --- run -----------------------------------------------------------------------------------------
for c in "${CASES[@]}"; do
  echo "== $c"
  start=$(date +%s)
  if "case_${c//-/_}"; then result=pass; else result=FAIL; fi
  ROWS+=("$(printf '%-16s %-5s %6s s' "$c" "$result" "$(($(date +%s) - start))")")
done

echo
echo "case             result   time"
printf '%s\n' "${ROWS[@]}"
echo "load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg) (2 cores, shared)"
! printf '%s\n' "${ROWS[@]}" | grep ' FAIL ' >/dev/null
