#!/usr/bin/env bash
# tcup's main job, offline: pack this machine's own stable toolchain into a dist-server mirror,
# serve it on loopback, install it with tcup into a fresh temporary home, and run the installed
# rustc (version, then compile and run hello world).
#
# Usage: ci/demo.sh        (DEMO_FORMATS=xz,gz ci/demo.sh to pack xz too; slower)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# TCUP_BIN=path runs another tcup build (e.g. the static one from ci/release.sh) instead.
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
  step "Using the tcup build at $TCUP"
else
  step "Building tcup (release). The first build fetches its crates from crates.io and takes a few minutes; cargo shows its progress."
  cargo build --release
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
SYSROOT=$(rustc --print sysroot)
HOST=$(rustc -vV | sed -n 's/^host: //p')
FORMATS=${DEMO_FORMATS:-gz}
MIRROR=$PWD/target/demo-mirror-${FORMATS//,/-}

if [ ! -f "$MIRROR/dist/channel-rust-stable.toml" ]; then
  step "Packing this machine's toolchain ($SYSROOT, minimal profile, $FORMATS) into a dist-server mirror: $MIRROR (once; reused next time)"
  echo "    tcup mirror pack --toolchain $SYSROOT --out $MIRROR --profile minimal --formats $FORMATS"
  rm -rf "$MIRROR.tmp"
  "$TCUP" mirror pack --toolchain "$SYSROOT" --out "$MIRROR.tmp" --profile minimal --formats "$FORMATS"
  mv "$MIRROR.tmp" "$MIRROR"
fi

step "Serving the mirror on 127.0.0.1 with python3 -m http.server"
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
python3 -m http.server --bind 127.0.0.1 --directory "$MIRROR" "$PORT" >"$WORK/http.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/dist/channel-rust-stable.toml.sha256" && break
  sleep 0.1
done

export RUSTUP_HOME=$WORK/rustup CARGO_HOME=$WORK/cargo RUSTUP_DIST_SERVER=http://127.0.0.1:$PORT
step "Installing stable from the mirror into a fresh home ($RUSTUP_HOME)"
echo "    RUSTUP_DIST_SERVER=$RUSTUP_DIST_SERVER tcup toolchain install stable --profile minimal"
time "$TCUP" toolchain install stable --profile minimal

RUSTC=$RUSTUP_HOME/toolchains/stable-$HOST/bin/rustc
step "Running the installed compiler: $RUSTC --version"
"$RUSTC" --version
printf 'fn main() { println!("Hello from a toolchain installed by tcup!"); }\n' >"$WORK/hello.rs"
"$RUSTC" "$WORK/hello.rs" -o "$WORK/hello"
step "Compiled hello world with it; running it:"
"$WORK/hello"
if command -v rustup >/dev/null; then
  step "rustup reads the same home (rustup toolchain list):"
  rustup toolchain list
fi
