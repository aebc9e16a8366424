#!/usr/bin/env bash
# What checking a channel manifest's signature costs (docs/design.md trust-2): `tcup doctor` against a
# file:// dist server holding the real 1.2 MB stable manifest (tests/fixtures), RUNS times each
# (default 20), with the manifest signed by a throwaway key (RSA 3072 and Ed25519, GnuPG 2.2
# defaults) and unsigned. Doctor reads the manifest, loads the keyring (the compiled-in Rust key
# and TCUP_TRUSTED_KEYS) and verifies; the signed-minus-unsigned median is what verification adds
# to every install, update and check. Prints medians (CPU and wall) in milliseconds.
#
# Usage: ci/bench-verify.sh        (TCUP_BIN=path measures another build; default target/release/tcup,
#                                   built with `nice cargo build --release` when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
  [ -x "$TCUP" ] || nice -n 10 cargo build --release --quiet
fi
command -v gpg >/dev/null || { echo "bench-verify: needs gpg (apt-get install gnupg)" >&2; exit 2; }
work=$(mktemp -d)
export GNUPGHOME=$work/gnupg
cleanup() { gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -m 700 "$GNUPGHOME"
mkdir -p "$work/dist/dist"
cp tests/fixtures/channel-rust-1.95.0.toml "$work/dist/dist/channel-rust-stable.toml"
manifest=$work/dist/dist/channel-rust-stable.toml
g() { gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }

# median_ms ENV... : runs `tcup doctor` RUNS times; prints the median CPU time (user + system, ms;
# less disturbed than wall time on a shared machine) and the median wall time (ms).
median_ms() {
  local cpu=() wall=() i
  for ((i = 0; i < RUNS; i++)); do
    env "$@" RUSTUP_HOME="$work/home" CARGO_HOME="$work/cargo" RUSTUP_DIST_SERVER="file://$work/dist" \
      RUSTUP_UPDATE_ROOT=http://127.0.0.1:9 /usr/bin/time -f "%U %S %e" -o "$work/time" "$TCUP" doctor >"$work/out" 2>&1 \
      || { cat "$work/out" >&2; exit 1; }
    read -r u s e <"$work/time"
    cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }')")
    wall+=("$(awk -v e="$e" 'BEGIN { printf "%d", e * 1000 }')")
  done
  echo "$(printf '%s\n' "${cpu[@]}" | sort -n | sed -n "$((RUNS / 2 + 1))p") $(printf '%s\n' "${wall[@]}" | sort -n | sed -n "$((RUNS / 2 + 1))p")"
}

rm -f "$manifest.asc"
read -r ucpu uwall <<<"$(median_ms TCUP_SIGNATURE_POLICY=auto)"
grep -q "not signed" "$work/out"
printf '%-20s cpu %5d ms   wall %5d ms\n' "unsigned manifest" "$ucpu" "$uwall"
for algo in default future-default; do
  user="bench-$algo <bench@tcup.test>"
  g --quick-gen-key "$user" "$algo" default never
  g --armor --export "$user" >"$work/$algo.asc"
  g --yes --armor --local-user "$user" --output "$manifest.asc" --detach-sign "$manifest"
  read -r cpu wall <<<"$(median_ms TCUP_TRUSTED_KEYS="$work/$algo.asc")"
  grep -q "signed by bench-$algo" "$work/out"
  name=$([ "$algo" = default ] && echo "signed, RSA 3072" || echo "signed, Ed25519")
  printf '%-20s cpu %5d ms   wall %5d ms   (cpu %+d ms)\n' "$name" "$cpu" "$wall" $((cpu - ucpu))
done
echo "bench-verify: medians of $RUNS runs of \`tcup doctor\` (file://, $(wc -c <"$manifest") byte manifest); $("$TCUP" --version)"
