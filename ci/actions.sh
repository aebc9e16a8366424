#!/usr/bin/env bash
# The install steps of the two most used GitHub Actions for Rust, as shell, with tcup as `rustup`
# (issue 27): dtolnay/rust-toolchain (action.yml at 3c5f7ea) and
# actions-rust-lang/setup-rust-toolchain (action.yml at 0267444), against a loopback mirror of this
# machine's own stable and nightly toolchains (`tcup mirror pack`), offline.
#
# The steps are what those action.yml files run, with the inputs filled in:
#   1. dtolnay, toolchain stable, a target and two components;
#   2. setup-rust-toolchain with a rust-toolchain.toml and no toolchain input;
#   3. setup-rust-toolchain, toolchain "stable,1.95.0" with override: true;
#   4. dtolnay, nightly with a component its newest date lacks (--allow-downgrade backtracks).
# Each ends with the actions' versions step. Any failing command fails the script.
#
# Usage: ci/actions.sh      (TCUP_BIN=path to use another tcup build)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')
STABLE=$(rustc +stable --print sysroot)
NIGHTLY=$(rustc +nightly --print sysroot)

WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

step "Packing this machine's stable and nightly (default profile, gz) into one mirror"
MIRROR=$WORK/mirror
"$TCUP" --quiet mirror pack --toolchain "$STABLE" --out "$MIRROR" --profile default --formats gz
"$TCUP" --quiet mirror pack --toolchain "$NIGHTLY" --out "$WORK/nightly" --profile default --formats gz
cp -rn "$WORK/nightly/dist/." "$MIRROR/dist/"
# The newest nightly lacks clippy: a manifest dated the day after the packed one, with clippy
# unavailable. The packed date keeps its complete manifest (dist/<date>/channel-rust-nightly.toml).
python3 - "$MIRROR/dist" <<'PY'
import datetime, hashlib, pathlib, re, sys
dist = pathlib.Path(sys.argv[1])
text = (dist / "channel-rust-nightly.toml").read_text()
date = re.search(r'^date = "(\d{4}-\d\d-\d\d)"', text, re.M).group(1)
newer = (datetime.date.fromisoformat(date) + datetime.timedelta(days=1)).isoformat()
text = text.replace(f'date = "{date}"', f'date = "{newer}"', 1)
text = re.sub(r'(\[pkg\.clippy-preview\.target\.[^\]]+\]\n)available = true\n(?:[a-z_]+ = "[^"]*"\n)*', r'\1available = false\n', text)
out = dist / "channel-rust-nightly.toml"
out.write_text(text)
(dist / "channel-rust-nightly.toml.sha256").write_text(hashlib.sha256(text.encode()).hexdigest() + "  channel-rust-nightly.toml\n")
for stale in dist.glob("channel-rust-nightly.toml.asc"):
    stale.unlink()
(dist.parent / "nightly-date").write_text(date)
print(f"    newest nightly {newer} lacks clippy; {date} has it")
PY

PORT=$((20000 + RANDOM % 20000))
python3 -m http.server --bind 127.0.0.1 --directory "$MIRROR" "$PORT" >"$WORK/http.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/dist/channel-rust-stable.toml.sha256" && break
  sleep 0.1
done

# A fresh runner: its own homes, nothing of this machine's rustup on PATH.
fresh() {
  export HOME=$WORK/$1 RUSTUP_HOME=$WORK/$1/rustup CARGO_HOME=$WORK/$1/cargo
  export RUSTUP_DIST_SERVER=http://127.0.0.1:$PORT RUSTUP_UPDATE_ROOT=http://127.0.0.1:9
  unset RUSTUP_TOOLCHAIN RUSTUP_AUTO_INSTALL
  export PATH=$CARGO_HOME/bin:/usr/local/bin:/usr/bin:/bin
  mkdir -p "$HOME"
  cp "$TCUP" "$WORK/tcup-init"
  # Both actions bootstrap rustup like this when the runner has none.
  "$WORK/tcup-init" -y --default-toolchain none --no-modify-path --no-man --as-rustup
  command -v rustup
  rustup --version
}

step "1. dtolnay/rust-toolchain: toolchain stable, targets $HOST, components clippy, rustfmt"
fresh dtolnay-stable
rustup toolchain install stable --target "$HOST" --component clippy,rustfmt --profile minimal --no-self-update
rustup default stable
rustc +stable --version --verbose
cargo +stable clippy --version
rustfmt +stable --version

step "2. setup-rust-toolchain: a rust-toolchain.toml, no toolchain input"
fresh setup-file
mkdir -p "$HOME/project"
cd "$HOME/project"
printf '[toolchain]\nchannel = "stable"\ncomponents = ["clippy"]\nprofile = "minimal"\n' >rust-toolchain.toml
rustup show active-toolchain || rustup toolchain install
rustup component add rustfmt
rustup target add "$HOST"
rustc --version --verbose
cargo --version --verbose
rustup --version
cd - >/dev/null

step "3. setup-rust-toolchain: toolchain \"stable,1.95.0\", override: true"
fresh setup-override
mkdir -p "$HOME/project"
cd "$HOME/project"
rustup toolchain install stable 1.95.0 --component clippy --profile minimal --no-self-update
rustup override set 1.95.0
verbose=$(rustc --version --verbose)
grep -q '^release: 1.95.0$' <<<"$verbose"
cargo --version --verbose
rustup --version
cd - >/dev/null

step "4. dtolnay/rust-toolchain: nightly with clippy, which the newest nightly lacks (--allow-downgrade)"
fresh dtolnay-nightly
rustup toolchain install nightly --component clippy --profile minimal --allow-downgrade --no-self-update 2>"$WORK/nightly.err" || {
  cat "$WORK/nightly.err" >&2
  exit 1
}
cat "$WORK/nightly.err" >&2
grep -q "installing nightly $(cat "$MIRROR/nightly-date")" "$WORK/nightly.err"
rustup default nightly
rustc +nightly --version --verbose
cargo +nightly clippy --version

step "The four action runs passed with tcup as rustup"
