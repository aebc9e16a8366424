#!/usr/bin/env bash
# Release build (run by hand; too slow for CI): a static, baseline-CPU tcup-init for every Linux
# host triple installer/init.sh can choose, written as an update root:
#   OUT_DIR/dist/<triple>/tcup-init  +  tcup-init.sha256   (sha256sum format)  [+ tcup-init.asc]
#   OUT_DIR/dist/<triple>/tcup-proxy +  .sha256  [+ .asc]   (the proxy program, docs/design.md active-8)
#   OUT_DIR/archive/<version>/<triple>/tcup-init, tcup-proxy  +  .sha256  [+ .asc]
#   OUT_DIR/init.sh   (installer/init.sh carrying VERSION and the SHA-256 of every build under
#                      archive/VERSION/, written by ci/publish-init-sh.sh: it runs only those bytes)
#   action/tcup-init.sha256s (this repository's: the GitHub Action's table of those tcup-init
#                      hashes, written by ci/publish-action.sh; commit it with the release)
#   OUT_DIR/man/tcup.1, tcup-<subcommand>.1 …   (written by a built binary that runs here: `tcup man`)
# Each binary is built for musl with the architecture's float ABI (docs/design.md release-1), OpenSSL
# vendored, and checked: no ELF interpreter or shared library, readelf -A CPU attributes, size.
#
# Tools (installed when missing): Debian's rustc-web/cargo-web/rust-web-src 1.96 (std is rebuilt
# with -Zbuild-std, since no prebuilt musl std can be fetched here), cargo-zigbuild and ziglang from
# PyPI (zig cc is the C cross compiler, musl libc and linker), binutils' readelf.
#
# Windows (x86_64-pc-windows-gnu, built with rustup's stable toolchain and its prebuilt std, linked
# by mingw-w64): tcup-init.exe and tcup-proxy.exe, the C runtime linked statically (+crt-static,
# -static: libgcc and winpthread inside the .exe) and checked with objdump -p: only DLLs every
# Windows has. OUT_DIR/init.ps1 is written beside init.sh (ci/publish-init-sh.sh). macOS cannot be
# built here: the release says what it lacks (the SDK) and publishes no darwin build, which init.sh
# then reports to a Mac.
#
# Usage: ci/release.sh OUT_DIR [BUILD_TRIPLE...]   (default: all, x86_64 first, Windows last)
#        ci/release.sh --only BUILD_TRIPLE OUT_DIR  (that build alone into OUT_DIR/dist and archive,
#                                                    checked; no init scripts, action table or man pages)
# Env:   TCUP_RELEASE_CACHE (default ~/.cache/tcup-release: the cargo target dir, kept between runs)
#        TCUP_VERSION (default: the version in Cargo.toml)
#        TCUP_RELEASE_KEY: a key in the maintainer's GnuPG keyring (fingerprint or user ID); when
#          set, each tcup-init gets a detached armoured signature tcup-init.asc (gpg --detach-sign),
#          which `tcup self update` requires (docs/design.md trust-8; docs/trust.md "Release signing key")
set -euo pipefail
cd "$(dirname "$0")/.."
ONLY=
if [ "${1:-}" = --only ]; then
  [ $# -eq 3 ] || { echo "usage: ci/release.sh --only BUILD_TRIPLE OUT_DIR" >&2; exit 2; }
  ONLY=$2
  set -- "$3" "$2"
fi
[ $# -ge 1 ] || { echo "usage: ci/release.sh OUT_DIR [BUILD_TRIPLE...]" >&2; exit 2; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
shift
ALL=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl arm-unknown-linux-musleabihf
  armv7-unknown-linux-musleabihf arm-unknown-linux-musleabi i686-unknown-linux-musl x86_64-pc-windows-gnu)
if [ $# -gt 0 ]; then BUILDS=("$@"); else BUILDS=("${ALL[@]}"); fi
# What a macOS release needs that this machine lacks: said on every run, since none is published.
echo "release: no macOS build (aarch64-apple-darwin, x86_64-apple-darwin): linking one needs Apple's macOS SDK (its"
echo "  libSystem, Security and CoreFoundation .tbd stubs and headers, from Xcode or the Command Line Tools, under"
echo "  Apple's licence, on a Mac), which this machine does not have; cargo check for darwin runs here (ci/macos-check.sh),"
echo "  a link does not. init.sh tells a Mac that this release has no build for it."
VERSION=${TCUP_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)}
CACHE=${TCUP_RELEASE_CACHE:-$HOME/.cache/tcup-release}
MAX_BYTES=$((16 * 1024 * 1024))

# --- tools -------------------------------------------------------------------------------------
if [ -n "${TCUP_RELEASE_KEY:-}" ]; then
  command -v gpg >/dev/null || { echo "release: TCUP_RELEASE_KEY is set but gpg is missing (apt-get install gnupg)" >&2; exit 2; }
  gpg --batch --list-secret-keys "$TCUP_RELEASE_KEY" >/dev/null 2>&1 || { echo "release: TCUP_RELEASE_KEY=$TCUP_RELEASE_KEY names no secret key in gpg's keyring" >&2; exit 2; }
fi
need=()
[ -x /usr/bin/rustc ] && grep -q '^rustc 1\.9[6-9]' <<<"$(/usr/bin/rustc -V)" || need+=(rustc-web)
[ -x /usr/bin/cargo ] || need+=(cargo-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
command -v readelf >/dev/null || need+=(binutils)
WINDOWS=
for build in "${BUILDS[@]}"; do [[ $build == *-windows-* ]] && WINDOWS=1; done
if [ -n "$WINDOWS" ]; then
  command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
  command -v x86_64-w64-mingw32-objdump >/dev/null || need+=(binutils-mingw-w64-x86-64)
fi
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v cargo-zigbuild >/dev/null || ! python3 -m ziglang version >/dev/null 2>&1; then
  python3 -m pip install -q 'cargo-zigbuild==0.24.0' 'ziglang==0.17.1'
fi

# Debian's toolchain, never rustup's proxies (they would pick the stable toolchain without musl).
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO=/usr/bin/cargo
export RUSTC_BOOTSTRAP=1 # for -Zbuild-std on a stable compiler
export CARGO_TARGET_DIR=$CACHE/target
# Stripped after the build (llvm's objcopy from rustc-web reads every architecture): a cargo
# profile or RUSTFLAGS change would rebuild everything (about 40 minutes a target on 2 busy cores).
OBJCOPY=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-objcopy
mkdir -p "$CACHE"

# served BUILD → the host triples init.sh (init.ps1) may ask for that this build serves
served() {
  case $1 in
    x86_64-pc-windows-gnu) echo x86_64-pc-windows-gnu ;;
    x86_64-unknown-linux-musl) echo x86_64-unknown-linux-gnu x86_64-unknown-linux-musl ;;
    aarch64-unknown-linux-musl) echo aarch64-unknown-linux-gnu aarch64-unknown-linux-musl ;;
    arm-unknown-linux-musleabihf) echo arm-unknown-linux-gnueabihf ;;
    armv7-unknown-linux-musleabihf) echo armv7-unknown-linux-gnueabihf ;;
    arm-unknown-linux-musleabi) echo arm-unknown-linux-gnueabi ;;
    i686-unknown-linux-musl) echo i686-unknown-linux-gnu ;;
    *) echo "release: unknown build triple $1" >&2; exit 2 ;;
  esac
}

# check_elf BUILD FILE: static, the right machine, the architecture's baseline attributes.
check_elf() {
  local build=$1 f=$2 hdr attrs
  hdr=$(readelf -hlW "$f")
  if grep -q 'Requesting program interpreter' <<<"$hdr" || grep -q NEEDED <<<"$(readelf -dW "$f")"; then
    echo "release: $f is not static" >&2; return 1
  fi
  attrs=$(readelf -A "$f" 2>/dev/null || true)
  local machine arch="" vfp=""
  machine=$(sed -n 's/^ *Machine: *//p' <<<"$hdr")
  case $build in
    x86_64-*) [[ $machine == *X86-64* ]] ;;
    i686-*) [[ $machine == *80386* ]] ;;
    aarch64-*) [[ $machine == *AArch64* ]] ;;
    arm-*eabihf) arch=v6 vfp="VFP registers" ;;
    armv7-*) arch=v7 vfp="VFP registers" ;;
    arm-*eabi) arch=v6 vfp=none ;;
  esac || { echo "release: $f has machine '$machine'" >&2; return 1; }
  if [ -n "$arch" ]; then
    local got_arch got_vfp
    got_arch=$(sed -n 's/^ *Tag_CPU_arch: *//p' <<<"$attrs")
    got_vfp=$(sed -n 's/^ *Tag_ABI_VFP_args: *//p' <<<"$attrs")
    [ "$got_arch" = "$arch" ] || { echo "release: $f has Tag_CPU_arch '$got_arch', expected $arch" >&2; return 1; }
    if [ "$vfp" = none ]; then
      if [ -n "$got_vfp" ] || grep -q 'Tag_FP_arch' <<<"$attrs"; then
        echo "release: soft-float $f uses VFP ($got_vfp)" >&2; return 1
      fi
    else
      [ "$got_vfp" = "$vfp" ] || { echo "release: $f has Tag_ABI_VFP_args '$got_vfp'" >&2; return 1; }
    fi
    local fp
    fp=$(sed -n 's/^ *Tag_FP_arch: *//p' <<<"$attrs" | head -n 1)
    echo "  $(basename "$(dirname "$f")"): Tag_CPU_arch $got_arch, Tag_ABI_VFP_args ${got_vfp:-(soft-float)}, Tag_FP_arch ${fp:-(none)}"
  fi
  local size
  size=$(stat -c %s "$f")
  [ "$size" -le "$MAX_BYTES" ] || { echo "release: $f is $size bytes (> 16 MiB)" >&2; return 1; }
  echo "  $build: $size bytes, static, $machine"
}

# publish_file BUILD NAME: CACHE/BUILD/NAME into dist/ and archive/VERSION/ of every triple the
# build serves, with its .sha256 (and .asc when TCUP_RELEASE_KEY is set).
publish_file() {
  local build=$1 name=$2 triple dir
  for triple in $(served "$build"); do
    for dir in "$OUT/dist/$triple" "$OUT/archive/$VERSION/$triple"; do
      mkdir -p "$dir"
      cp "$CACHE/$build/$name" "$dir/$name.tmp"
      chmod 755 "$dir/$name.tmp"
      mv "$dir/$name.tmp" "$dir/$name"
      (cd "$dir" && sha256sum "$name" >"$name.sha256")
      if [ -n "${TCUP_RELEASE_KEY:-}" ]; then
        gpg --batch --yes --armor --local-user "$TCUP_RELEASE_KEY" --output "$dir/$name.asc" --detach-sign "$dir/$name"
        gpg --batch --verify "$dir/$name.asc" "$dir/$name" 2>/dev/null || { echo "release: $dir/$name.asc does not verify" >&2; exit 1; }
      else
        rm -f "$dir/$name.asc"
      fi
    done
  done
}

# The DLLs a Windows build may import: Windows's own (system32), nothing from mingw (libgcc_s,
# libwinpthread), no libcurl or OpenSSL DLL.
SYSTEM_DLLS=" kernel32.dll advapi32.dll ntdll.dll user32.dll ws2_32.dll bcrypt.dll bcryptprimitives.dll crypt32.dll
  secur32.dll ncrypt.dll msvcrt.dll userenv.dll shell32.dll ole32.dll oleaut32.dll iphlpapi.dll wldap32.dll
  normaliz.dll dnsapi.dll api-ms-win-core-synch-l1-2-0.dll "

# check_pe FILE: a PE32+ x86-64 program importing only SYSTEM_DLLS, within the size bound.
check_pe() {
  local f=$1 head dlls dll size
  head=$(x86_64-w64-mingw32-objdump -f "$f")
  grep -q 'file format pei-x86-64' <<<"$head" || { echo "release: $f is not a PE32+ x86-64 program: $head" >&2; return 1; }
  dlls=$(x86_64-w64-mingw32-objdump -p "$f" | sed -n 's/^[[:space:]]*DLL Name: *//p' | tr -d '\r' | tr '\n' ' ')
  for dll in $dlls; do
    # The list spans lines: a newline separates names as a space does.
    [[ " ${SYSTEM_DLLS//$'\n'/ } " == *" ${dll,,} "* ]] || { echo "release: $f imports $dll, which Windows does not ship (imports: $dlls)" >&2; return 1; }
  done
  size=$(stat -c %s "$f")
  [ "$size" -le "$MAX_BYTES" ] || { echo "release: $f is $size bytes (> 16 MiB)" >&2; return 1; }
  echo "  $(basename "$f"): $size bytes, PE32+ x86-64, imports only system DLLs: $dlls"
}

# build_windows BUILD: tcup.exe and tcup-proxy.exe with rustup's stable toolchain (the prebuilt std
# for the -gnu target; Debian's toolchain has none) and mingw-w64 as linker and C compiler; the C
# runtime static (+crt-static), and -static so libgcc and winpthread are linked in, not imported.
# Its own target dir: the flags and the compiler differ from the Linux builds'.
build_windows() {
  local build=$1 var
  rustup target list --installed --toolchain stable | grep -qx "$build" || rustup target add --toolchain stable "$build"
  var=$(tr '[:lower:]-' '[:upper:]_' <<<"$build")
  env -u RUSTC -u RUSTDOC -u CARGO -u RUSTC_BOOTSTRAP CARGO_TARGET_DIR="$CACHE/target-windows" \
    "CARGO_TARGET_${var}_LINKER=x86_64-w64-mingw32-gcc" \
    "CARGO_TARGET_${var}_RUSTFLAGS=-C target-feature=+crt-static -C link-arg=-static -C link-arg=-static-libgcc" \
    nice -n 15 rustup run stable cargo build --locked --release --quiet --target "$build"
}

for build in "${BUILDS[@]}"; do
  served "$build" >/dev/null
  echo "release: building $build"
  if [[ $build == *-windows-* ]]; then
    start=$(date +%s)
    build_windows "$build"
    echo "  built in $(($(date +%s) - start)) s"
    mkdir -p "$CACHE/$build"
    for pair in tcup-init.exe:tcup.exe tcup-proxy.exe:tcup-proxy.exe; do
      name=${pair%%:*}
      built=$CACHE/target-windows/$build/release/${pair#*:}
      x86_64-w64-mingw32-strip -o "$CACHE/$build/$name" "$built"
      check_pe "$CACHE/$build/$name"
      if [ "$name" = tcup-proxy.exe ] && grep -qE ' (curl_easy_init|OPENSSL_init_ssl)$' <<<"$(x86_64-w64-mingw32-nm "$built" 2>/dev/null)"; then
        echo "release: $name links libcurl or OpenSSL" >&2; exit 1
      fi
      publish_file "$build" "$name"
    done
    continue
  fi
  var=$(tr '[:lower:]-' '[:upper:]_' <<<"$build")
  # std comes from rust-web-src, so its crt objects do not exist: zig provides crt and libc.
  export "CARGO_TARGET_${var}_RUSTFLAGS=-C link-self-contained=no"
  case $build in
    # On i386 a uint64_t may be 4-byte aligned, so clang turns OpenSSL's __atomic_is_lock_free()
    # into a libatomic call that zig's musl does not provide: use OpenSSL's lock-based fallback.
    i686-*) export CFLAGS_i686_unknown_linux_musl=-DBROKEN_CLANG_ATOMICS ;;
  esac
  start=$(date +%s)
  nice -n 15 "$CARGO" zigbuild --locked --release --quiet --target "$build" -Zbuild-std=std,panic_abort
  echo "  built in $(($(date +%s) - start)) s"
  mkdir -p "$CACHE/$build"
  # tcup-init (the tcup binary) and tcup-proxy (the proxy program the proxies link to, docs/design.md active-8).
  for pair in tcup-init:tcup tcup-proxy:tcup-proxy; do
    name=${pair%%:*}
    bin=$CACHE/$build/$name
    "$OBJCOPY" --strip-all "$CARGO_TARGET_DIR/$build/release/${pair#*:}" "$bin"
    check_elf "$build" "$bin"
    # The proxy program must not carry libcurl or OpenSSL (its curl_global_init stand-in, 20.7).
    if [ "$name" = tcup-proxy ] && grep -qE ' (curl_easy_init|OPENSSL_init_ssl)$' <<<"$(readelf -sW "$CARGO_TARGET_DIR/$build/release/tcup-proxy")"; then
      echo "release: $bin links libcurl or OpenSSL" >&2; exit 1
    fi
    publish_file "$build" "$name"
  done
done
if [ -n "$ONLY" ]; then
  echo "release: $ONLY alone (--only) in $OUT/dist and $OUT/archive/$VERSION: no init scripts, action table or man pages"
  exit 0
fi
# init.sh and init.ps1 carry this release's hashes and fetch its archive/<version>/ paths (docs/threat-model.md).
ci/publish-init-sh.sh "$OUT" "$VERSION"
# The GitHub Action carries the same hashes (action/tcup-init.sha256s, committed with the release).
ci/publish-action.sh "$OUT" "$VERSION"
# The man pages come from the clap definitions of the binary just built (`tcup self man-pages DIR`), run
# from one of the builds this machine executes; called `tcup`, not `tcup-init` (which installs).
man_bin=
for build in "${BUILDS[@]}"; do
  [[ $build == *-windows-* ]] && continue
  if [ -z "$man_bin" ] && "$CACHE/$build/tcup-init" --version >/dev/null 2>&1; then man_bin=$CACHE/$build/tcup-init; fi
done
[ -n "$man_bin" ] || { echo "release: none of the builds (${BUILDS[*]}) runs here to write the man pages" >&2; exit 1; }
man_tmp=$(mktemp -d)
cp "$man_bin" "$man_tmp/tcup"
rm -rf "$OUT/man.tmp"
"$man_tmp/tcup" self man-pages "$OUT/man.tmp" >/dev/null
rm -rf "$OUT/man" "$man_tmp"
mv "$OUT/man.tmp" "$OUT/man"
echo "release: $(find "$OUT/man" -maxdepth 1 -type f | wc -l) man pages in $OUT/man"
echo "release: update root for tcup $VERSION in $OUT"
