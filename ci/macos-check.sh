#!/usr/bin/env bash
# macOS type check (run by hand; issue 32): `cargo check --all-targets` for aarch64-apple-darwin
# and x86_64-apple-darwin, then clippy with -D warnings for both, from this Linux machine. Nothing
# is linked (that needs Apple's SDK, which is not here), so this proves that every dependency and
# tcup's own code compile for macOS, not that tcup runs there.
#
# C parts go through zig (`cargo-zigbuild check`: zig cc as CC for the darwin targets, with zig's
# macOS libc headers): ring's, zstd's, liblzma's. curl-sys compiles no C for darwin (Cargo.toml
# links the system's libcurl there: a built-in libcurl includes the SDK's Security and
# SystemConfiguration headers, which zig does not carry) and openssl-sys is not in the darwin
# tree (native-tls is Security.framework there); the script fails if it ever is.
#
# Tools (installed when missing): the two rustup targets; cargo-zigbuild and ziglang from PyPI,
# pinned as in ci/release.sh.
#
# Usage: ci/macos-check.sh [TRIPLE...]   (default: both)
# Env:   TCUP_MACOS_CACHE (default ~/.cache/tcup-macos: the cargo target dir, kept between runs;
#        CARGO_TARGET_DIR wins when set)
# Prints one line per target and step with its time; exits 1 when any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${TCUP_MACOS_CACHE:-$HOME/.cache/tcup-macos}}"

installed=$(rustup target list --installed)
for t in "${TARGETS[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
if ! command -v cargo-zigbuild >/dev/null || ! python3 -m ziglang version >/dev/null 2>&1; then
  python3 -m pip install -q 'cargo-zigbuild==0.24.0' 'ziglang==0.17.1'
fi

results=()
failed=0
# step NAME TARGET COMMAND...: runs COMMAND, records "TARGET NAME ok|FAILED seconds".
step() {
  local name=$1 target=$2 start status=ok
  shift 2
  start=$(date +%s)
  echo "== $target: $name" >&2
  "$@" || { status=FAILED; failed=1; }
  results+=("$(printf '%-22s %-28s %-7s %4ss' "$target" "$name" "$status" $(($(date +%s) - start)))")
}

# no_openssl TARGET: succeeds when openssl-sys is not in TARGET's tree; else prints who pulls it.
# shellcheck disable=SC2317  # called through step
no_openssl() {
  local out
  out=$(cargo tree --locked --target "$1" -e normal,build -i openssl-sys 2>&1) || { echo "$out" >&2; return 1; }
  if grep -q '^openssl-sys v' <<<"$out"; then
    echo "$out" >&2
    return 1
  fi
}

for t in "${TARGETS[@]}"; do
  step "no openssl-sys in the tree" "$t" no_openssl "$t"
  step "check --all-targets" "$t" cargo-zigbuild check --locked --target "$t" --all-targets
  step "clippy -D warnings" "$t" cargo-zigbuild clippy --locked --target "$t" --all-targets -- -D warnings
done

printf '\n%-22s %-28s %-7s %5s\n' target step result time
printf '%s\n' "${results[@]}"
exit "$failed"
