#!/usr/bin/env bash
# Runs each tcup-init of an update root made by ci/release.sh under qemu-user on the oldest CPU of
# its architecture (run by hand, after ci/release.sh; too slow for CI). Per build:
#   --version (timed), doctor host, and a 16 MiB download over HTTPS from a server on 127.0.0.1
#   whose certificate comes from a private CA (SSL_CERT_FILE), through each backend alone, with the
#   SHA-256 compared to sha256sum's; prints seconds and throughput.
# Then the bootstrap: installer/init.sh against the update root served over HTTPS on loopback picks,
# verifies (curl, private CA) and runs this machine's tcup-init (--default-toolchain none) into a
# scratch home; and ci/bootstrap-chroot.sh does the same in a busybox chroot of each architecture.
#
# Usage: ci/emulate.sh UPDATE_ROOT
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || [ ! -d "$1/dist" ]; then
  echo "usage: ci/emulate.sh UPDATE_ROOT (made by ci/release.sh)" >&2
  exit 2
fi
ROOT=$(cd "$1" && pwd)
command -v qemu-arm >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null
}

WORK=$(mktemp -d)
# shellcheck source=ci/loopback-server.sh
. ci/loopback-server.sh
cleanup() {
  [ "${#SERVER_PIDS[@]}" -eq 0 ] || kill "${SERVER_PIDS[@]}" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- a private CA and an HTTPS server on 127.0.0.1 serving WORK/www -------------------------------
make_ca "$WORK"
mkdir -p "$WORK/www"
ln -s "$ROOT" "$WORK/www/root"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$WORK/www/blob"
BLOB_SHA=$(sha256sum "$WORK/www/blob" | cut -d ' ' -f 1)
serve "$WORK" "$WORK/www" https

# qemu BUILD-TRIPLE → "qemu-<arch> -cpu <oldest model of the architecture>"
emulator() {
  case $1 in
    x86_64-*) echo "qemu-x86_64 -cpu Opteron_G1" ;;    # x86-64 v1: SSE2, no SSE3/SSSE3/CX16
    i686-*) echo "qemu-i386 -cpu pentium3,+sse2" ;;     # a Pentium 4 (Willamette): SSE2, no SSE3
    aarch64-*) echo "qemu-aarch64 -cpu cortex-a53" ;;   # ARMv8.0
    armv7-*) echo "qemu-arm -cpu cortex-a7" ;;          # ARMv7-A, VFPv4, NEON
    arm-*eabihf) echo "qemu-arm -cpu arm1176" ;;        # ARMv6 + VFPv2 (Raspberry Pi 1/Zero)
    arm-*eabi) echo "qemu-arm -cpu arm1176,vfp=off" ;;  # ARMv6 without VFP: any VFP instruction traps
  esac
}

failures=0
fail() { echo "  FAIL: $*"; failures=$((failures + 1)); }
declare -A seen
for dir in "$ROOT"/dist/*/; do
  triple=$(basename "$dir")
  (cd "$dir" && sha256sum -c --quiet tcup-init.sha256) || { fail "$triple: checksum"; continue; }
  sum=$(cut -d ' ' -f 1 "$dir/tcup-init.sha256")
  if [ -n "${seen[$sum]:-}" ]; then
    echo "== $triple: same binary as ${seen[$sum]} (checked there)"
    continue
  fi
  seen[$sum]=$triple
  # Called tcup-init it would only install itself: run it under the name tcup.
  mkdir -p "$WORK/$triple"
  cp "$dir/tcup-init" "$WORK/$triple/tcup"
  bin=$WORK/$triple/tcup
  read -r -a qemu <<<"$(emulator "$triple")"
  echo "== $triple under ${qemu[*]} ($(stat -c %s "$bin") bytes)"
  start=$(date +%s%N)
  version=$("${qemu[@]}" "$dir/tcup-init" --version) || fail "$triple: --version"
  echo "  --version: $version in $((($(date +%s%N) - start) / 1000000)) ms"
  # doctor host reads the userland's ELF files: give it one of this architecture (the binary
  # itself as /bin/sh, and the glibc loader's name), since this machine's userland is x86_64.
  fake=$WORK/$triple/root
  mkdir -p "$fake/bin" "$fake/lib"
  cp "$bin" "$fake/bin/sh"
  case $triple in
    x86_64-*) fake=/ ;;
    i686-*) : >"$fake/lib/ld-linux.so.2" ;;
    aarch64-*) : >"$fake/lib/ld-linux-aarch64.so.1" ;;
    *gnueabihf) : >"$fake/lib/ld-linux-armhf.so.3" ;;
    *gnueabi) : >"$fake/lib/ld-linux.so.3" ;;
  esac
  if host=$(env -i PATH=/usr/bin:/bin HOME="$WORK" "${qemu[@]}" "$bin" doctor host --root "$fake" 2>&1); then
    if [ "$(head -n 1 <<<"$host")" = "$triple" ]; then
      echo "  doctor host: $triple"
    else
      fail "$triple: doctor host answered: $host"
    fi
  else
    fail "$triple: doctor host: $host"
  fi
  for backend in curl rustls native-tls; do
    if out=$(env -i PATH=/usr/bin:/bin HOME="$WORK" SSL_CERT_FILE="$WORK/ca.pem" \
      "${qemu[@]}" "$bin" --backends "$backend" doctor download "$URL/blob" 2>&1); then
      if grep -q "sha256 $BLOB_SHA" <<<"$out"; then
        echo "  $backend: $out"
      else
        fail "$triple: $backend: wrong SHA-256: $out"
      fi
    else
      fail "$triple: $backend: $out"
    fi
  done
  # Without the private CA the same download must be refused by every backend.
  if env -i PATH=/usr/bin:/bin HOME="$WORK" "${qemu[@]}" "$bin" --backends native-tls doctor download "$URL/blob" >/dev/null 2>&1; then
    fail "$triple: a certificate from an unknown CA was accepted"
  fi
done

# --- the bootstrap on this machine: init.sh picks, verifies and runs the right tcup-init -------------
echo "== installer/init.sh against $URL/root"
home=$WORK/home
mkdir -p "$home"
if out=$(env -i PATH=/usr/bin:/bin HOME="$home" CARGO_HOME="$home/.cargo" RUSTUP_HOME="$home/.rustup" \
  TCUP_UPDATE_ROOT="$URL/root" CURL_CA_BUNDLE="$WORK/ca.pem" SSL_CERT_FILE="$WORK/ca.pem" \
  sh installer/init.sh -y --default-toolchain none --no-modify-path 2>&1); then
  picked=$(sed -n 's/.*downloading tcup-init for //p' <<<"$out")
  if cmp -s "$home/.cargo/bin/tcup" "$ROOT/dist/$picked/tcup-init"; then
    echo "  picked $picked; installed $(env -i "$home/.cargo/bin/tcup" --version)"
  else
    fail "init.sh: the installed tcup is not dist/$picked/tcup-init"
  fi
else
  fail "init.sh: $out"
fi

# --- the bootstrap on each architecture, in chroots of that architecture's busybox ------------------
ci/bootstrap-chroot.sh "$ROOT" || fail "bootstrap-chroot.sh"

echo "emulate: $failures failure(s)"
[ "$failures" -eq 0 ]
