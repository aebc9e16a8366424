#!/usr/bin/env bash
# tcup on Windows, checked by hand under wine (issue 32; too slow for CI). Stages, each usable alone:
#   setup   mingw-w64 and wine (installed when missing), the x86_64-pc-windows-gnu standard library,
#           a fresh WINEPREFIX booted headless (no display, no X server: wineboot needs none), and the
#           stub bcryptprimitives.dll that wine 8.0 lacks (Rust's std imports its ProcessPrng; the
#           stub forwards to RtlGenRandom, advapi32's SystemFunction036). Checked: a Rust hello world
#           built for x86_64-pc-windows-gnu runs under wine.
#   mirror  a real, small Windows rustc.exe and cargo.exe (print `rustc 1.95.0 (fake 2026-01-01)` for
#           --version, their argv otherwise) for two releases, packed by tcup's own Linux build
#           (`tcup mirror pack`) from a toolchain directory with rustup's receipts into a dist server
#           for host x86_64-pc-windows-gnu (rustc, cargo, rust-std; .tar.gz and .tar.xz), served on
#           127.0.0.1 over HTTP and HTTPS (a private CA given to tcup in SSL_CERT_FILE) by
#           ci/loopback-server.sh. Wine programs reach the host's loopback directly.
#   e2e     under wine, tcup.exe and tcup-proxy.exe (cargo build --target x86_64-pc-windows-gnu --bins,
#           debug): per backend (TCUP_BACKENDS=curl, rustls, native-tls) tcup-init.exe into a fresh home
#           in the prefix's C:\tcuphome\<backend>, `rustc --version` through the rustc.exe proxy,
#           `tcup update` to the second release, rustc again; once over plain HTTP (rustls, native-tls);
#           then the user's Path in HKCU\Environment written by tcup-init and removed by
#           `self uninstall` (wine reg query), after which CARGO_HOME is gone (the running tcup.exe
#           and its links by the helper that outlives it); then `self update` from a loopback update
#           root signed by a throwaway GnuPG key (the running tcup.exe replaced); then `tcup update`
#           killed with SIGKILL at random moments WINDOWS_KILLS times (default 12), rustc run after
#           each kill and again after the next update, which must repair any interrupted swap. The
#           host is always given (--default-host x86_64-pc-windows-gnu): tcup, like rustup, picks
#           -msvc by default on Windows. Every home has TCUP_UPDATE_ROOT on loopback too (tcup-init
#           checks its own signature there).
#   unit    tcup's unit tests under wine (cargo test --lib, CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine):
#           passed, failed and ignored counts, and each failed test with its panic message.
# Every case is timed; a table of cases (exit code, seconds, PASS/FAIL/SKIPPED/WINE-GAP) ends the
# run, which exits 1 when a case failed (WINE-GAP: a failure wine causes, see wine_gap). A stage that cannot run (tcup.exe does not compile yet) prints
# "SKIPPED: <why>" in the table. Everything lives in one temporary directory removed at exit, wine's
# prefix and servers included. What wine does not prove (Defender's cost on close, replacing a
# running .exe on real NTFS, Ctrl-C forwarding to a console) is said in docs/platforms.md, not here.
#
# Usage: ci/windows.sh                           (all stages)
#        WINDOWS_STAGES=setup,mirror ci/windows.sh   (a subset of setup, mirror, e2e, unit; e2e and unit
#                                                  need setup, e2e needs mirror)
# Env:   CARGO_TARGET_DIR (default: target/), WINDOWS_KEEP=1 keeps the temporary directory (path printed)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
TARGET=x86_64-pc-windows-gnu
STAGES=,${WINDOWS_STAGES:-setup,mirror,e2e,unit},
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
export WINEDEBUG=-all
# No mono/gecko install prompts: tcup is a console program and needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tcup-windows.XXXXXX")
export WINEPREFIX=$ROOT/prefix
# wine puts its server's socket directory (wine-XXXXXX) in TMPDIR and leaves it there: keep it in ROOT.
export TMPDIR=$ROOT/tmp
mkdir -p "$TMPDIR"
LOGS=$ROOT/logs
mkdir -p "$LOGS"
# shellcheck source=ci/loopback-server.sh
. ci/loopback-server.sh

cleanup() {
  [ "${#SERVER_PIDS[@]}" -eq 0 ] || kill "${SERVER_PIDS[@]}" 2>/dev/null || true
  if [ -d "$WINEPREFIX" ]; then
    wineserver -k 2>/dev/null || true
    wineserver -w 2>/dev/null || true
  fi
  if [ -n "${WINDOWS_KEEP:-}" ]; then echo "kept: $ROOT"; else rm -rf "$ROOT"; fi
}
trap cleanup EXIT

# --- cases and the table ---------------------------------------------------------------------------
NAMES=() CODES=() SECS=() RESULTS=() NOTES=()
FAILED=0
record() { # NAME CODE SECONDS RESULT NOTE
  NAMES+=("$1") CODES+=("$2") SECS+=("$3") RESULTS+=("$4") NOTES+=("$5")
  [ "$4" != FAIL ] || FAILED=$((FAILED + 1))
  printf '  %-40s %-8s %7s s  %s\n' "$1" "$4" "$3" "$5"
}
skip() { record "$1" - - SKIPPED "SKIPPED: $2"; }
# case_ NAME CMD...: runs CMD (a function or program) in a background subshell, so that errexit
# holds inside it (bash ignores errexit in a function called from a condition: case_ is never
# called from one, and says how it went in OK), its output in LOGS/NAME.log; PASS when it exits
# 0. The last line of the log is the table's note.
OK=
case_() {
  local name=$1 log=$LOGS/$1.log start code=0 secs note
  shift
  start=$EPOCHREALTIME
  ("$@") >"$log" 2>&1 &
  wait "$!" || code=$?
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  note=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 | cut -c 1-90 || true)
  if [ "$code" -eq 0 ]; then
    OK=1
    record "$name" "$code" "$secs" PASS "$note"
  else
    OK=
    record "$name" "$code" "$secs" FAIL "$note"
    sed 's/^/      | /' "$log" | tail -n 15
  fi
}
# then_ NAME CMD...: case_ when the case before passed, else SKIPPED (OK stays empty).
then_() {
  if [ -n "$OK" ]; then case_ "$@"; else skip "$1" "the case before failed"; fi
}
# wine_gap NAME: a failed case NAME whose log shows CERT_E_REVOCATION_FAILURE (0x800B010E, printed
# as -2146762482) becomes WINE-GAP, not FAIL: wine 8.0's crypt32 fails a private CA's chain on its
# unknown revocation status although schannel-rs asks to ignore it
# (CERT_CHAIN_POLICY_IGNORE_ALL_REV_UNKNOWN_FLAGS), which Windows honours; curl over the same
# Schannel passes (its revocation check is best-effort), and native-tls passes over plain HTTP.
wine_gap() {
  local i=$((${#NAMES[@]} - 1)) j
  for j in "${!NAMES[@]}"; do [ "${NAMES[$j]}" = "$1" ] && i=$j; done
  [ "${NAMES[$i]}" = "$1" ] && [ "${RESULTS[$i]}" = FAIL ] || return 0
  grep -q -- '-2146762482' "$LOGS/$1.log" || return 0
  RESULTS[i]=WINE-GAP
  NOTES[i]="CERT_E_REVOCATION_FAILURE: wine's crypt32 ignores IGNORE_ALL_REV_UNKNOWN (see header)"
  FAILED=$((FAILED - 1))
}
stage() { [[ $STAGES == *,$1,* ]]; }
step() { printf '\n==> %s\n' "$*"; }
# A Unix path as wine's Z: drive sees it.
winpath() { printf 'Z:%s' "${1//\//\\}"; }
# The same path without its drive: rooted on the current drive (Z: when wine starts in a Unix
# directory). For `FILE[:FILE…]` variables that split on ':' (TCUP_UPDATE_KEYS).
nodrive() { printf '%s' "${1//\//\\}"; }
# expect_line PATTERN CMD...: runs CMD, shows its output, fails unless a line matches PATTERN.
# The output goes through a file, never a pipe (see boot_prefix).
expect_line() {
  local pattern=$1 out=$ROOT/expect.out code=0
  shift
  "$@" >"$out" 2>&1 || code=$?
  cat "$out"
  [ "$code" -eq 0 ] || { echo "exited $code: $*"; return 1; }
  grep -qE "$pattern" "$out" || { echo "no line matches /$pattern/"; return 1; }
  grep -E "$pattern" "$out" | tail -n 1
}

# --- stage 1: setup --------------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
  command -v wine >/dev/null && command -v wineserver >/dev/null || missing+=(wine wine64)
  if [ "${#missing[@]}" -gt 0 ]; then
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
  fi
  if ! rustup target list --installed | grep -qx "$TARGET"; then rustup target add "$TARGET"; fi
  echo "mingw: $(x86_64-w64-mingw32-gcc -dumpversion), $(wine --version 2>/dev/null), std for $TARGET"
}

boot_prefix() {
  # One wineserver for the whole run, with wineboot's services (each wine start is then ~0.2 s
  # instead of ~2 s). Started here, where the output is a file: wine's services inherit it, and a
  # pipe they hold open would never reach end-of-file (so no wine output is ever read through a pipe).
  mkdir -p "$WINEPREFIX"
  wineserver -p
  # wine 8.0 says "failed to open ...syswow64\rundll32.exe" without wine32: harmless for 64-bit programs.
  WINEARCH=win64 wineboot -i
  local dir=$ROOT/stub
  mkdir -p "$dir"
  cat >"$dir/bcryptprimitives.c" <<'C'
/* wine 8.0 has no bcryptprimitives.dll; Rust's std (1.78+) imports ProcessPrng from it. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
C
  printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\n  ProcessPrng\n' >"$dir/bcryptprimitives.def"
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/bcryptprimitives.dll" "$dir/bcryptprimitives.c" \
    "$dir/bcryptprimitives.def" -ladvapi32
  cp "$dir/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
  echo "prefix booted, bcryptprimitives.dll (ProcessPrng) in system32"
}

hello_world() {
  local dir=$ROOT/hello
  mkdir -p "$dir"
  printf '%s\n' 'use std::collections::HashMap; // RandomState: ProcessPrng' \
    'fn main() { let mut m = HashMap::new(); m.insert("wine", 1); println!("hello from {:?}", m); }' >"$dir/hello.rs"
  rustc --target "$TARGET" -C debuginfo=0 "$dir/hello.rs" -o "$dir/hello.exe"
  expect_line '^hello from \{"wine": 1\}$' wine "$dir/hello.exe"
}

# --- stage 2: the Windows toolchain and its dist server -------------------------------------------
# fake_tool DIR TOOL VERSION: DIR/TOOL.exe, a real Windows program printing "TOOL VERSION".
fake_tool() {
  local dir=$1 tool=$2 version=$3 src=$ROOT/fake.rs
  [ -f "$src" ] || cat >"$src" <<'RS'
// A stand-in for a Rust tool: `--version`/`-V` prints the version built in, anything else its argv.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version" | "-V") => println!("{} {}", env!("FAKE_TOOL"), env!("FAKE_VERSION")),
        _ => println!("{} argv: {:?}", env!("FAKE_TOOL"), args),
    }
}
RS
  FAKE_TOOL=$tool FAKE_VERSION=$version rustc --target "$TARGET" -C opt-level=s -C debuginfo=0 -C strip=symbols \
    "$src" -o "$dir/$tool.exe"
}

# fake_toolchain DIR VERSION DATE: an installed toolchain as rustup leaves it (receipts in
# lib/rustlib, the channel manifest it came from), for `tcup mirror pack`. The manifest's hashes are
# placeholders: pack writes the repacked archives' own.
fake_toolchain() {
  local tc=$1 version=$2 date=$3 full pkg
  full="$version (fake $date)"
  local lib=$tc/lib/rustlib
  mkdir -p "$tc/bin" "$lib/$TARGET/lib"
  fake_tool "$tc/bin" rustc "$full"
  fake_tool "$tc/bin" cargo "$full"
  printf 'std %s\n' "$version" >"$lib/$TARGET/lib/libstd-fake.rlib"
  printf 'rustc-%s\ncargo-%s\nrust-std-%s\n' "$TARGET" "$TARGET" "$TARGET" >"$lib/components"
  echo "file:bin/rustc.exe" >"$lib/manifest-rustc-$TARGET"
  echo "file:bin/cargo.exe" >"$lib/manifest-cargo-$TARGET"
  echo "file:lib/rustlib/$TARGET/lib/libstd-fake.rlib" >"$lib/manifest-rust-std-$TARGET"
  echo 3 >"$lib/rust-installer-version"
  {
    echo 'config_version = "1"'
    for pkg in rustc cargo rust-std; do
      printf '\n[[components]]\npkg = "%s"\ntarget = "%s"\nis_extension = false\n' "$pkg" "$TARGET"
    done
  } >"$lib/multirust-config.toml"
  {
    printf 'manifest-version = "2"\ndate = "%s"\n' "$date"
    for pkg in rustc cargo rust-std; do
      printf '\n[pkg.%s]\nversion = "%s"\n\n[pkg.%s.target.%s]\navailable = true\n' "$pkg" "$full" "$pkg" "$TARGET"
      printf 'url = "https://static.rust-lang.org/dist/%s/%s-%s-%s.tar.gz"\nhash = "%064d"\n' "$date" "$pkg" "$version" "$TARGET" 0
    done
    printf '\n[pkg.rust]\nversion = "%s"\n\n[pkg.rust.target.%s]\navailable = true\n' "$full" "$TARGET"
    for pkg in rustc cargo rust-std; do
      printf '\n[[pkg.rust.target.%s.components]]\npkg = "%s"\ntarget = "%s"\n' "$TARGET" "$pkg" "$TARGET"
    done
    printf '\n[profiles]\nminimal = ["rustc", "cargo", "rust-std"]\n'
    printf 'default = ["rustc", "cargo", "rust-std"]\ncomplete = ["rustc", "cargo", "rust-std"]\n'
  } >"$lib/multirust-channel-manifest.toml"
}

RELEASES=("1.95.0 2026-01-01" "1.96.0 2026-02-15")
pack_mirrors() {
  cargo build --bins --quiet
  local tcup=$CARGO_TARGET_DIR/debug/tcup n=1 release
  for release in "${RELEASES[@]}"; do
    read -r version date <<<"$release"
    local tc=$ROOT/toolchains/$n/stable-$TARGET
    fake_toolchain "$tc" "$version" "$date"
    "$tcup" mirror pack --toolchain "$tc" --out "$ROOT/mirror$n" --channel stable --formats gz,xz
    n=$((n + 1))
  done
  # The served tree holds both releases' archives; the channel manifest on top says which is stable.
  mkdir -p "$ROOT/www"
  cp -a "$ROOT/mirror2/." "$ROOT/www/"
  cp -a "$ROOT/mirror1/." "$ROOT/www/"
  find "$ROOT/www" -type f | sed "s|^$ROOT/www/||" | sort
}
publish_release() { # N: make release N the stable channel
  cp "$ROOT/mirror$1/dist/channel-rust-stable.toml" "$ROOT/mirror$1/dist/channel-rust-stable.toml.sha256" "$ROOT/www/dist/"
}

start_servers() {
  make_ca "$ROOT"
  serve "$ROOT" "$ROOT/www" http
  HTTP_URL=$URL
  serve "$ROOT" "$ROOT/www" https
  HTTPS_URL=$URL
  printf 'HTTP_URL=%s\nHTTPS_URL=%s\n' "$HTTP_URL" "$HTTPS_URL" >"$ROOT/urls"
  curl -fsS -o /dev/null "$HTTP_URL/dist/channel-rust-stable.toml"
  curl -fsS --cacert "$ROOT/ca.pem" -o /dev/null "$HTTPS_URL/dist/channel-rust-stable.toml"
  echo "serving $HTTP_URL and $HTTPS_URL"
}

# --- stage 3: tcup.exe under wine -----------------------------------------------------------------
WINBIN=$CARGO_TARGET_DIR/$TARGET/debug
build_exe() {
  cargo build --target "$TARGET" --bins
  ls -l "$WINBIN/tcup.exe" "$WINBIN/tcup-proxy.exe"
}

# in_home NAME CMD...: CMD with the environment of the home C:\tcuphome\NAME (wine passes the
# Unix environment through to Windows programs).
in_home() {
  local name=$1
  shift
  RUSTUP_HOME="C:\\tcuphome\\$name\\rustup" CARGO_HOME="C:\\tcuphome\\$name\\cargo" \
    RUSTUP_DIST_SERVER=$DIST_URL SSL_CERT_FILE=$(winpath "$ROOT/ca.pem") \
    TCUP_UPDATE_ROOT=$HTTP_URL/update TCUP_UPDATE_KEYS=$(nodrive "$ROOT/keys/release.asc") \
    TCUP_INIT_YES=1 "$@"
}
home_bin() { echo "$WINEPREFIX/drive_c/tcuphome/$1/cargo/bin"; }

init_home() { # NAME BACKEND [extra init flags]
  local name=$1 backend=$2
  shift 2
  cp "$WINBIN/tcup.exe" "$ROOT/tcup-init.exe"
  # As init.ps1 leaves them: tcup-proxy.exe beside tcup-init.exe, so the proxies are hard links to
  # it; WITHOUT_PROXY_PROGRAM=1: none, so they are hard links to tcup.exe itself.
  if [ -n "${WITHOUT_PROXY_PROGRAM:-}" ]; then rm -f "$ROOT/tcup-proxy.exe"; else cp "$WINBIN/tcup-proxy.exe" "$ROOT/"; fi
  in_home "$name" env TCUP_BACKENDS="$backend" wine "$ROOT/tcup-init.exe" -y --default-host "$TARGET" \
    --profile minimal --no-man "$@"
  local bin
  bin=$(home_bin "$name")
  ls "$bin"
  # wine makes a Windows hard link a Unix one: the same inode.
  local links=tcup.exe
  [ -n "${WITHOUT_PROXY_PROGRAM:-}" ] || links="tcup-proxy.exe"
  [ "$(stat -c %i "$bin/rustc.exe")" = "$(stat -c %i "$bin/$links")" ] ||
    { echo "rustc.exe is not a hard link to $links"; return 1; }
  echo "rustc.exe is a hard link to $links"
}
proxy_version() { # NAME VERSION
  expect_line "^rustc $2 \\(fake " in_home "$1" wine "$(home_bin "$1")/rustc.exe" --version
}
update_home() { # NAME BACKEND
  in_home "$1" env TCUP_BACKENDS="$2" wine "$(home_bin "$1")/tcup.exe" update
}

# The user's Path as `reg query` shows it, in ROOT/path.out (and on stdout).
user_path() {
  wine reg query 'HKCU\Environment' /v Path >"$ROOT/path.out" 2>&1 || true
  cat "$ROOT/path.out"
}
path_written() {
  WITHOUT_PROXY_PROGRAM=1 init_home path rustls
  local want
  want="C:\\tcuphome\\path\\cargo\\bin"
  user_path
  grep -qiF "$want" "$ROOT/path.out" || { echo "HKCU\\Environment Path lacks $want"; return 1; }
  echo "Path holds $want"
}
path_removed() {
  in_home path wine "$(home_bin path)/tcup.exe" self uninstall -y
  user_path
  if grep -qiF 'tcuphome\path' "$ROOT/path.out"; then echo "HKCU\\Environment Path still names tcuphome\\path"; return 1; fi
  # The running tcup.exe and its links go once it has exited, by a helper that deletes itself.
  local home=$WINEPREFIX/drive_c/tcuphome/path i
  for i in $(seq 1 50); do [ -e "$home/cargo" ] || break; sleep 0.2; done
  if [ -e "$home/cargo" ]; then find "$home/cargo"; echo "CARGO_HOME is still there 10 s after self uninstall"; return 1; fi
  for i in $(seq 1 50); do find "$WINEPREFIX/drive_c/users" -iname 'tcup-uninstall-*.exe' | grep -q . || break; sleep 0.2; done
  if find "$WINEPREFIX/drive_c/users" -iname 'tcup-uninstall-*.exe' | grep .; then echo "the uninstall helper's copy is left"; return 1; fi
  [ ! -e "$home/rustup" ] || { echo "RUSTUP_HOME is still there"; return 1; }
  printf '%s\n' 'Path no longer names C:\tcuphome\path\cargo\bin; CARGO_HOME and RUSTUP_HOME are gone, and the helper with them'
}

# The update root: dist/<triple>/tcup-init (and tcup-init.exe, whichever name tcup asks for) and
# tcup-proxy, each with .sha256 and a .asc by a throwaway GnuPG key.
publish_update() { # TCUP_EXE PROXY_EXE
  local dir=$ROOT/www/update/dist/$TARGET name src
  mkdir -p "$dir"
  for name in tcup-init tcup-init.exe tcup-proxy tcup-proxy.exe; do
    case $name in tcup-init*) src=$1 ;; *) src=$2 ;; esac
    cp "$src" "$dir/$name"
    (cd "$dir" && sha256sum "$name" >"$name.sha256")
    gpg_ --armor --output "$dir/$name.asc" --detach-sign "$dir/$name"
  done
}
gpg_() { gpg --homedir "$ROOT/gnupg" --batch --yes --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
make_release_key() {
  mkdir -p "$ROOT/keys"
  mkdir -m 700 "$ROOT/gnupg"
  gpg_ --quick-gen-key 'tcup Release (windows.sh) <release@tcup.test>' ed25519 sign 1d
  gpg_ --armor --export 'release@tcup.test' >"$ROOT/keys/release.asc"
  publish_update "$WINBIN/tcup.exe" "$WINBIN/tcup-proxy.exe"
  echo "update root $HTTP_URL/update signed by $(gpg_ --with-colons --list-keys release@tcup.test | awk -F: '$1 == "fpr" { print $10; exit }')"
}
self_update() {
  init_home selfupdate rustls --no-modify-path
  local bin old new
  bin=$(home_bin selfupdate)
  old=$(sha256sum <"$bin/tcup.exe" | cut -d ' ' -f 1)
  # A different but working build: the same PE with bytes appended (an overlay Windows ignores).
  cp "$WINBIN/tcup.exe" "$ROOT/tcup-new.exe"
  printf '\0tcup windows.sh self-update build\0' >>"$ROOT/tcup-new.exe"
  publish_update "$ROOT/tcup-new.exe" "$WINBIN/tcup-proxy.exe"
  local code=0
  in_home selfupdate wine "$bin/tcup.exe" self update || code=$?
  new=$(sha256sum <"$bin/tcup.exe" | cut -d ' ' -f 1)
  if [ "$code" -ne 0 ]; then
    [ "$new" = "$old" ] && echo "self update exited $code; tcup.exe is the old build, intact" ||
      echo "self update exited $code and tcup.exe CHANGED ($old -> $new)"
    return 1
  fi
  [ "$new" != "$old" ] || { echo "tcup.exe is unchanged"; return 1; }
  [ "$new" = "$(sha256sum <"$ROOT/tcup-new.exe" | cut -d ' ' -f 1)" ] || { echo "tcup.exe is not the published build"; return 1; }
  expect_line '^tcup ' in_home selfupdate wine "$bin/tcup.exe" --version
  # The old build was renamed aside (it was running); such files go at the next replacement.
  echo "set aside in bin: $(find "$bin" -maxdepth 1 -name '.*.old' | wc -l) .old files"
  echo "tcup.exe replaced by the published build ($old -> $new)"
}

# kill_during_update: `tcup update` between the two releases, killed with SIGKILL (what
# TerminateProcess does: no handler runs) at a random moment, KILLS times. After each kill rustc
# runs as one release or the other, or the toolchain is absent — the instant between the swap's
# first two renames (docs/design.md platform-3) — and the next `tcup update` repairs that from the
# journal; after it, rustc must print the published release, and no journal or set-aside tree is
# left in RUSTUP_HOME/tmp.
KILLS=${WINDOWS_KILLS:-12}
kill_during_update() {
  init_home kill rustls --no-modify-path
  local bin i want delay got old=0 new=0 absent=0 finished=0 tmpdir
  bin=$(home_bin kill)
  tmpdir=$WINEPREFIX/drive_c/tcuphome/kill/rustup/tmp
  for i in $(seq 1 "$KILLS"); do
    want=$((i % 2 + 1))
    publish_release "$want"
    delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", rand() * 1.2 }')
    in_home kill wine "$bin/tcup.exe" update --allow-downgrade >"$ROOT/kill.out" 2>&1 &
    sleep "$delay"
    if pkill -KILL -f 'tcuphome.kill.cargo.bin.tcup\.exe'; then :; else finished=$((finished + 1)); fi
    wait || true
    in_home kill wine "$bin/rustc.exe" --version >"$ROOT/kill.rustc" 2>&1 || true
    got=$(grep -oE '^rustc 1\.9[56]\.0' "$ROOT/kill.rustc" || echo absent)
    case $got in *1.95.0) old=$((old + 1)) ;; *1.96.0) new=$((new + 1)) ;; *) absent=$((absent + 1)) ;; esac
    echo "kill $i after ${delay}s (update to release $want): rustc $got"
    in_home kill wine "$bin/tcup.exe" update --allow-downgrade >"$ROOT/kill.out" 2>&1 || { cat "$ROOT/kill.out"; echo "tcup update after kill $i failed"; return 1; }
    expect_line "^rustc $([ "$want" = 1 ] && echo 1.95.0 || echo 1.96.0) \\(fake " in_home kill wine "$bin/rustc.exe" --version >/dev/null ||
      { cat "$ROOT/expect.out"; echo "after kill $i and an update, rustc is not release $want"; return 1; }
    if find "$tmpdir" -maxdepth 2 \( -name '*.swap' -o -name '*.old' \) | grep .; then
      echo "a journal or set-aside tree is left after kill $i"
      return 1
    fi
  done
  echo "$KILLS kills: rustc then ran old $old, new $new, absent $absent (until the next update); $finished updates ended before their kill; each repaired"
}

# --- stage 4: unit tests under wine ---------------------------------------------------------------
unit_tests() {
  local out=$ROOT/unit.out code=0 summary
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine cargo test --target "$TARGET" --lib -- --test-threads 2 \
    >"$out" 2>&1 || code=$?
  # Each failed test with its panic message's first line.
  awk '/^---- .* stdout ----$/ { name = $2; msg = ""; next }
       name != "" && msg == "" && /panicked at/ { getline; msg = $0; print "FAILED " name ": " substr(msg, 1, 200); name = "" }' "$out"
  cp "$out" "$LOGS/unit-full.out"
  summary=$(grep -E '^test result: ' "$out" | tail -n 1 || true)
  [ -n "$summary" ] || { tail -n 30 "$out"; echo "no test result (cargo test exited $code)"; return 1; }
  sed -E 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored.*/passed \1, failed \2, ignored \3/' <<<"$summary"
  return "$code"
}

# --- the run ---------------------------------------------------------------------------------------
SETUP_OK='' MIRROR_OK='' EXE_OK='' EXE_WHY="stage e2e not selected"
BACKENDS=(curl rustls native-tls)
echo "tcup under wine: stages ${STAGES//,/ } (temporary directory $ROOT)"
if stage setup; then
  step "setup"
  case_ "setup: tools" install_tools
  [ -z "$OK" ] || case_ "setup: wineboot + stub dll" boot_prefix
  [ -z "$OK" ] || case_ "setup: hello world under wine" hello_world
  SETUP_OK=$OK
fi
if stage mirror; then
  step "mirror"
  case_ "mirror: pack two releases" pack_mirrors
  [ -z "$OK" ] || case_ "mirror: serve http + https" start_servers
  MIRROR_OK=$OK
  # shellcheck source=/dev/null
  [ -z "$MIRROR_OK" ] || . "$ROOT/urls"
fi
if stage e2e || stage unit; then
  step "tcup.exe"
  if [ -z "$SETUP_OK" ]; then
    EXE_WHY="setup did not run or failed"
  else
    case_ "build tcup.exe tcup-proxy.exe" build_exe
    EXE_OK=$OK
    EXE_WHY="tcup.exe does not compile: $(grep -m 1 -E '^error' "$LOGS/build tcup.exe tcup-proxy.exe.log" || echo 'see its log')"
  fi
fi
if stage e2e; then
  step "e2e under wine"
  if [ -z "$EXE_OK" ] || [ -z "$MIRROR_OK" ]; then
    why=$EXE_WHY
    [ -n "$MIRROR_OK" ] || why="the mirror stage did not run or failed"
    for backend in "${BACKENDS[@]}"; do skip "$backend: init, proxy, update, proxy" "$why"; done
    for c in "http: init, proxy" "path: written, removed" "self update"; do skip "$c" "$why"; done
  else
    case_ "release key + update root" make_release_key
    DIST_URL=$HTTPS_URL
    for backend in "${BACKENDS[@]}"; do
      publish_release 1
      case_ "$backend: init (https)" init_home "$backend" "$backend" --no-modify-path
      then_ "$backend: rustc proxy 1.95.0" proxy_version "$backend" 1.95.0
      [ -z "$OK" ] || publish_release 2
      then_ "$backend: update to 1.96.0" update_home "$backend" "$backend"
      then_ "$backend: rustc proxy 1.96.0" proxy_version "$backend" 1.96.0
      wine_gap "$backend: init (https)"
    done
    publish_release 1
    DIST_URL=$HTTP_URL
    case_ "http: init (plain http)" init_home http rustls --no-modify-path
    then_ "http: rustc proxy 1.95.0" proxy_version http 1.95.0
    case_ "native-tls: init (plain http)" init_home http-native native-tls --no-modify-path
    then_ "native-tls: rustc proxy 1.95.0" proxy_version http-native 1.95.0
    DIST_URL=$HTTPS_URL
    case_ "path: init writes HKCU Path" path_written
    then_ "path: self uninstall removes it" path_removed
    case_ "self update (tcup.exe replaced)" self_update
    publish_release 1
    case_ "kill during update, $KILLS times" kill_during_update
  fi
fi
if stage unit; then
  step "unit tests under wine"
  if [ -n "$EXE_OK" ]; then case_ "unit tests (cargo test --lib)" unit_tests; else skip "unit tests" "$EXE_WHY"; fi
fi

printf '\n%-40s %5s %8s  %-7s %s\n' CASE EXIT SECONDS RESULT NOTE
for i in "${!NAMES[@]}"; do
  printf '%-40s %5s %8s  %-7s %s\n' "${NAMES[$i]}" "${CODES[$i]}" "${SECS[$i]}" "${RESULTS[$i]}" "${NOTES[$i]}"
done
echo "$FAILED failed of ${#NAMES[@]} cases in $SECONDS s"
[ "$FAILED" -eq 0 ]
