#!/usr/bin/env bash
# The tests, as the README gives them: installs every tool the tests use when it is missing
# (Debian/Ubuntu, as root; otherwise it names what to install and stops), then runs `cargo test`.
# No test skips: a tool still missing makes the test that needs it fail, naming the tool.
#
# Tools: busybox (init.sh under busybox ash, an Alpine-like PATH), dash, wget (init.sh's fallback),
# zsh and fish (completion scripts loaded into the real shells), rustup 1.29.0 and 1.29.1 (interop:
# rustup reads what tcup installs and writes), tmux (the terminal tests), script from util-linux (tcup-init on a
# pseudo-terminal), man from man-db (`tcup self man-pages` pages rendered with `man -l`, `tcup man rustc`), musl (a glibc
# system with musl's loader beside glibc's, for init.sh), GNU time (tcup's peak memory under an
# archive bomb).
#
# Usage: ci/test.sh [cargo test arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in busybox:busybox-static dash:dash wget:wget zsh:zsh fish:fish rustup:rustup tmux:tmux script:util-linux man:man-db; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
# Debian's musl (/lib/ld-musl-*): init.sh must still send this glibc system the gnu build.
compgen -G '/lib/ld-musl-*.so.1' >/dev/null || need+=(musl)
# `time` is also a shell keyword: look for the program.
type -P time >/dev/null || need+=(time)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ci/test.sh: the tests need these packages: ${need[*]} (install them, then run again)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
for tool in busybox dash wget zsh fish rustup tmux script man; do
  command -v "$tool" >/dev/null || { echo "ci/test.sh: $tool is still missing after installing" >&2; exit 1; }
done
compgen -G '/lib/ld-musl-*.so.1' >/dev/null || { echo "ci/test.sh: musl is still missing after installing" >&2; exit 1; }
type -P time >/dev/null || { echo "ci/test.sh: GNU time is still missing after installing" >&2; exit 1; }

# rustup 1.29.1 (2026-09-01) beside the machine's rustup 1.29.0: the interop tests run both on
# every settings file tcup writes (docs/rustup-compat.md). An install step like apt-get: fetched
# once from rustup's archive, checked against the release's SHA-256, cached; the tests stay on
# loopback. rustup-init run under the name `rustup` is rustup.
rustup_1291_sha=dda7234360b7f578ca8b0ddcb80145646fa61a67c1720a5abc7051b35c9fcb71
rustup_1291_dir="${XDG_CACHE_HOME:-$HOME/.cache}/tcup/rustup-1.29.1"
if ! echo "$rustup_1291_sha  $rustup_1291_dir/rustup-init" | sha256sum -c --status 2>/dev/null; then
  mkdir -p "$rustup_1291_dir"
  curl --proto '=https' --tlsv1.2 -sSf -o "$rustup_1291_dir/rustup-init.part" \
    https://static.rust-lang.org/rustup/archive/1.29.1/x86_64-unknown-linux-gnu/rustup-init
  echo "$rustup_1291_sha  $rustup_1291_dir/rustup-init.part" | sha256sum -c --status || {
    echo "ci/test.sh: rustup-init 1.29.1 does not have SHA-256 $rustup_1291_sha" >&2
    exit 1
  }
  chmod +x "$rustup_1291_dir/rustup-init.part"
  mv "$rustup_1291_dir/rustup-init.part" "$rustup_1291_dir/rustup-init"
fi
ln -f "$rustup_1291_dir/rustup-init" "$rustup_1291_dir/rustup"
export TCUP_TEST_RUSTUP_1_29_1="$rustup_1291_dir/rustup"
exec cargo test "$@"
