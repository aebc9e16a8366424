#!/usr/bin/env bash
# The curl|sh bootstrap on every architecture tcup serves (run by hand after ci/release.sh; called
# by ci/emulate.sh). For each userland below, a chroot holds nothing but Debian's static busybox of
# that architecture as /bin/sh (with its applets: uname, od, wget, sha256sum, …), /proc with the
# /proc/cpuinfo of a real board of that kind bound over it, and the libc loader's name where the
# case needs one. The init.sh ci/release.sh published in UPDATE_ROOT (carrying the release's
# hashes, so plain HTTP is enough) runs inside it under that busybox sh against UPDATE_ROOT,
# served over HTTP on 127.0.0.1 (busybox wget; the HTTPS path of init.sh is tested with curl on
# this machine), and must pick, verify and run the right tcup-init, which installs tcup in the
# chroot's HOME. The installed tcup then runs `--version` and `doctor host` there.
#
# Foreign binaries run through binfmt_misc and qemu-user-static, with QEMU_CPU the oldest CPU the
# case stands for; handlers this script registers are removed again at exit. The i386 userland
# runs natively: a 32-bit userland over this 64-bit kernel is one of the cases init.sh exists for.
#
# Usage: ci/bootstrap-chroot.sh UPDATE_ROOT     (needs root: chroot, mount, binfmt_misc)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || [ ! -d "$1/dist" ]; then
  echo "usage: ci/bootstrap-chroot.sh UPDATE_ROOT (made by ci/release.sh)" >&2
  exit 2
fi
ROOT=$(cd "$1" && pwd)
grep -q '^RELEASE_VERSION="[^"]' "$ROOT/init.sh" 2>/dev/null || {
  echo "bootstrap-chroot: $ROOT/init.sh carries no release hashes (run ci/release.sh again)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bootstrap-chroot: needs root (chroot, mount, binfmt_misc)" >&2; exit 2; }
# In a private mount namespace the kernel drops every mount below when the script ends, however
# it ends (even SIGKILL); cleanup() still unmounts them in order first.
if [ -z "${TCUP_CHROOT_NS:-}" ]; then
  exec env TCUP_CHROOT_NS=1 unshare --mount --propagation private "$0" "$@"
fi
CACHE=${TCUP_RELEASE_CACHE:-$HOME/.cache/tcup-release}/busybox
# Every command in a chroot is bounded: a hung emulated process must not stop the run.
CHROOT=("$(command -v timeout)" 600 "$(command -v chroot)")
ARCHES=(amd64 i386 arm64 armhf armel)

# --- tools: qemu-user-static, and Debian's busybox-static of each architecture (cached) ----------
# shellcheck source=ci/foreign.sh
. ci/foreign.sh
busybox_debs "$CACHE" "${ARCHES[@]}"

WORK=$(mktemp -d /tmp/tcup-chroot.XXXXXX)
# shellcheck source=ci/loopback-server.sh
. ci/loopback-server.sh
MOUNTS=()
# Every chroot lives below WORK, a fresh mktemp directory: refuse anything else before mounting,
# chrooting or removing.
under_work() {
  case $1 in
    "$WORK"/?*) ;;
    *) echo "bootstrap-chroot: refusing to touch '$1' (not below $WORK)" >&2; exit 3 ;;
  esac
}
cleanup() {
  local i
  [ "${#SERVER_PIDS[@]}" -eq 0 ] || kill "${SERVER_PIDS[@]}" 2>/dev/null || true
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true; done
  unregister_qemu
  # Only ever the directory mktemp made (a still-mounted /proc below it is skipped).
  case $WORK in /tmp/tcup-chroot.??????) rm -rf --one-file-system "$WORK" ;; esac
}
# mount_below DIR ARGS...: mount ARGS on DIR (below WORK), remembered for cleanup; a failure stops.
mount_below() {
  local dir=$1
  shift
  under_work "$dir"
  mount "$@" "$dir" || { echo "bootstrap-chroot: mount $* $dir failed" >&2; exit 1; }
  MOUNTS+=("$dir")
}
trap cleanup EXIT

# --- binfmt_misc: ARM and AArch64 ELF files run through qemu-user-static (ci/foreign.sh) ---------
register_qemu arm aarch64

# --- the update root over HTTP, and a file over HTTPS from a private CA, on 127.0.0.1 ------------
serve "$WORK" "$ROOT" http
ROOT_URL=$URL
make_ca "$WORK"
mkdir -p "$WORK/www"
head -c 100000 /dev/urandom >"$WORK/www/file"
FILE_SHA=$(sha256sum "$WORK/www/file" | cut -d ' ' -f 1)
serve "$WORK" "$WORK/www" https
FILE_URL=https://$DNS_NAME:${URL##*:}/file
serve_dns "$WORK"

# /proc/cpuinfo of real boards (first core), so the installed tcup sees what it would see there.
cpuinfo() {
  case $1 in
    arm1176*) printf 'processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nBogoMIPS\t: 697.95\nFeatures\t: half thumb fastmult vfp edsp java tls\nCPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: 0x0\nCPU part\t: 0xb76\nCPU revision\t: 7\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi Zero W Rev 1.1\n' ;;
    cortex-a7) printf 'processor\t: 0\nmodel name\t: ARMv7 Processor rev 5 (v7l)\nBogoMIPS\t: 38.40\nFeatures\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm\nCPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: 0x0\nCPU part\t: 0xc07\nCPU revision\t: 5\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 2 Model B Rev 1.1\n' ;;
    cortex-a53) printf 'processor\t: 0\nBogoMIPS\t: 38.40\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd03\nCPU revision\t: 4\n' ;;
    *) cat /proc/cpuinfo ;;
  esac
}

failures=0
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }

# system_ca CHROOT LAYOUT: puts the private CA where a distribution keeps the system's trust store
# (and nothing anywhere else): debian (/etc/ssl/certs: bundle and hash link), alpine (only
# /etc/ssl/cert.pem), fedora (only /etc/pki/tls/certs/ca-bundle.crt), none.
system_ca() {
  local r=$1
  under_work "$r/etc"
  rm -rf "$r/etc/ssl" "$r/etc/pki"
  case $2 in
    debian)
      mkdir -p "$r/etc/ssl/certs"
      cp "$WORK/ca.pem" "$r/etc/ssl/certs/tcup-test-ca.pem"
      ln -s tcup-test-ca.pem "$r/etc/ssl/certs/$(openssl x509 -hash -noout -in "$WORK/ca.pem").0"
      cp "$WORK/ca.pem" "$r/etc/ssl/certs/ca-certificates.crt"
      ;;
    alpine) mkdir -p "$r/etc/ssl" && cp "$WORK/ca.pem" "$r/etc/ssl/cert.pem" ;;
    fedora) mkdir -p "$r/etc/pki/tls/certs" && cp "$WORK/ca.pem" "$r/etc/pki/tls/certs/ca-bundle.crt" ;;
    none) ;;
  esac
}

# trust_and_dns CHROOT [QEMU_CPU=…]: with no SSL_CERT_* variable, the installed tcup downloads
# FILE_URL (a host name that only DNS_SERVER knows, named by the chroot's /etc/resolv.conf) through
# each backend, with the CA in each layout's place; with no store at all every backend refuses.
trust_and_dns() {
  local r=$1 layout backend out line
  shift
  printf 'nameserver %s\n' "$DNS_SERVER" >"$r/etc/resolv.conf"
  : >"$r/etc/hosts"
  for layout in debian alpine fedora none; do
    system_ca "$r" "$layout"
    line="  system CA store, $layout layout, $DNS_NAME from DNS:"
    for backend in curl rustls native-tls; do
      if out=$(env -i "$@" HOME=/root "${CHROOT[@]}" "$r" /root/.cargo/bin/tcup --backends "$backend" \
        doctor download "$FILE_URL" 2>&1) && grep -q "sha256 $FILE_SHA" <<<"$out"; then
        [ "$layout" != none ] || fail "$backend trusted a certificate with no system CA store: $out"
        line+=" $backend ok"
      elif [ "$layout" = none ]; then
        grep -qi 'certificate' <<<"$out" || fail "$backend, no CA store: not a certificate error: $out"
        line+=" $backend refused"
      else
        fail "$backend, $layout layout: $out"
      fi
    done
    echo "$line"
  done
}

# case DEB_ARCH QEMU_CPU(or -) LOADER(or -) EXPECTED_TRIPLE EXPECTED_HOST
run_case() {
  local arch=$1 cpu=$2 loader=$3 triple=$4 host=$5 r out picked version
  r=$WORK/$arch-$triple
  under_work "$r"
  mkdir -p "$r/proc" "$r/tmp" "$r/root" "$r/dev" "$r/lib" "$r/etc"
  dpkg-deb -x "$(compgen -G "$CACHE/busybox-static_*_$arch.deb" | head -n 1)" "$r"
  : >"$r/dev/null"
  mount_below "$r/dev/null" --bind /dev/null # a bind mount works where /tmp is nodev
  [ "$loader" = - ] || : >"$r$loader"
  cp "$ROOT/init.sh" "$r/init.sh"
  cpuinfo "$cpu" >"$WORK/cpuinfo-$arch-$triple"
  mount_below "$r/proc" -t proc proc
  mount_below "$r/proc/cpuinfo" --bind "$WORK/cpuinfo-$arch-$triple"
  local qemu=()
  [ "$cpu" = - ] || qemu=(QEMU_CPU="$cpu")
  env -i "${qemu[@]}" "${CHROOT[@]}" "$r" /bin/busybox --install -s /bin
  local with="" shown=$cpu
  [ "$loader" = - ] || with=" with $loader"
  [ "$cpu" != - ] || shown="this machine's"
  echo "== init.sh in a $arch busybox userland$with, CPU $shown (expects $triple)"
  if out=$(env -i "${qemu[@]}" PATH=/bin HOME=/root TCUP_UPDATE_ROOT="$ROOT_URL" \
    "${CHROOT[@]}" "$r" /bin/sh /init.sh -y --default-toolchain none --no-modify-path 2>&1); then
    picked=$(sed -n 's/.*downloading tcup-init for //p' <<<"$out")
    if [ "$picked" != "$triple" ]; then
      fail "$arch: init.sh picked '$picked'"
    elif ! cmp -s "$r/root/.cargo/bin/tcup" "$ROOT/dist/$triple/tcup-init"; then
      fail "$arch: the installed tcup is not dist/$triple/tcup-init"
    else
      if version=$(env -i "${qemu[@]}" "${CHROOT[@]}" "$r" /root/.cargo/bin/tcup --version 2>&1); then
        echo "  picked $triple, verified, installed: $version"
      else
        fail "$arch: the installed tcup --version: $version"
      fi
      out=$(env -i "${qemu[@]}" HOME=/root "${CHROOT[@]}" "$r" /root/.cargo/bin/tcup doctor host 2>&1 || true)
      if [ "$(head -n 1 <<<"$out")" = "$host" ]; then
        echo "  doctor host there: $host"
        trust_and_dns "$r" "${qemu[@]}"
      else
        fail "$arch: doctor host answered '$out', expected $host"
      fi
    fi
  else
    fail "$arch: init.sh failed: $out"
  fi
}

run_case amd64 - /lib/ld-musl-x86_64.so.1 x86_64-unknown-linux-musl x86_64-unknown-linux-musl
run_case i386 - - i686-unknown-linux-gnu i686-unknown-linux-gnu
run_case arm64 cortex-a53 - aarch64-unknown-linux-gnu aarch64-unknown-linux-gnu
run_case arm64 cortex-a53 /lib/ld-musl-aarch64.so.1 aarch64-unknown-linux-musl aarch64-unknown-linux-musl
run_case armhf cortex-a7 - arm-unknown-linux-gnueabihf armv7-unknown-linux-gnueabihf
run_case armel arm1176,vfp=off - arm-unknown-linux-gnueabi arm-unknown-linux-gnueabi

echo "bootstrap-chroot: $failures failure(s)"
[ "$failures" -eq 0 ]
