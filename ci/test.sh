#!/usr/bin/env bash
# The tests, as the README gives them: installs every tool the tests use when it is missing
# (Debian/Ubuntu, as root; otherwise it names what to install and stops), then runs `cargo test`.
# No test skips: a tool still missing makes the test that needs it fail, naming the tool.
#
# Tools: busybox (init.sh under busybox ash, an Alpine-like PATH), dash, wget (init.sh's fallback),
# zsh and fish (completion scripts loaded into the real shells), rustup 1.29 (interop: rustup reads
# what tcup installs), tmux (the terminal tests), script from util-linux (tcup-init on a
# pseudo-terminal), man from man-db (`tcup man` pages rendered with `man -l`), musl (a glibc
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
exec cargo test "$@"
