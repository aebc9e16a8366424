#!/usr/bin/env bash
# The GitHub Action (action.yml) run locally, its own steps read from action.yml by
# ci/action-runner.py (GITHUB_ENV/GITHUB_OUTPUT/GITHUB_PATH files, a directory standing in for
# actions/cache), against loopback servers only:
#   - a dist server: this machine's stable packed by `tcup mirror pack` (as ci/actions.sh does);
#   - an update root holding this build of tcup (stripped) as archive/<version>/<triple>/tcup-init
#     (and its tcup-proxy beside it, when built),
#     with a copy of the action whose action/tcup-init.sha256s ci/publish-action.sh wrote for it.
# Runs, each on a fresh runner (its own HOME, no rustup of this machine on PATH):
#   lock cold/warm    a project with rust-toolchain.toml (stable, clippy) and its rust-toolchain.lock
#                     (`tcup lock` against the packed tree); warm restores the cache: 0 archive bytes
#   drifted           the toolchain file gains rustfmt without `tcup lock`: fails, naming both
#   input cold/warm   toolchain: stable, components: clippy (no lock), cold and warm likewise
#   tampered          the action's table holds another SHA-256: refused before anything runs
#   macOS             RUNNER_OS=macOS: refused, naming the alternative
# Prints a table: run, seconds, bytes the server sent (tcup-init, manifests and the rest, archives).
#
# Usage: ci/action-local.sh      (TCUP_BIN=path to use another tcup build;
#                                 ACTION_LOCAL_KEEP=1 keeps the work directory, to look into)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

step() { printf '\n==> %s\n' "$*"; }
die() { echo "action-local: $*" >&2; exit 1; }

if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
python3 -c 'import yaml' 2>/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >/dev/null
}
HOST=$(rustc -vV | sed -n 's/^host: //p')
case $HOST in
  x86_64-unknown-linux-gnu) ARCH=X64 ;;
  aarch64-unknown-linux-gnu) ARCH=ARM64 ;;
  *) die "this machine ($HOST) is no runner the action supports" ;;
esac
STABLE=$(rustc +stable --print sysroot)
VERSION=$("$TCUP" --version | awk '{ print $2 }')

WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  if [ -n "${ACTION_LOCAL_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

step "Packing this machine's stable (default profile, gz) as the dist server"
WWW=$WORK/www
"$TCUP" --quiet mirror pack --toolchain "$STABLE" --out "$WWW" --profile default --formats gz
DATE=$(sed -n 's/^date = "\(.*\)"$/\1/p' "$WWW/dist/channel-rust-stable.toml" | head -n 1)
[ -f "$WWW/dist/$DATE/channel-rust-stable.toml" ] || die "the packed tree has no dated manifest dist/$DATE/channel-rust-stable.toml"

step "The update root: this build as tcup-init $VERSION, and the action's table for it"
mkdir -p "$WWW/update/archive/$VERSION/$HOST"
strip -o "$WWW/update/archive/$VERSION/$HOST/tcup-init" "$TCUP"
[ ! -f "$(dirname "$TCUP")/tcup-proxy" ] || strip -o "$WWW/update/archive/$VERSION/$HOST/tcup-proxy" "$(dirname "$TCUP")/tcup-proxy"
ACTION=$WORK/action
mkdir -p "$ACTION"
cp -r "$REPO/action.yml" "$REPO/action" "$ACTION/"
ci/publish-action.sh "$WWW/update" "$VERSION" "$ACTION/action"

# The server counts the bytes of each file it sends: "path bytes" lines in $WORK/sent.log.
PORT=$((20000 + RANDOM % 20000))
python3 - "$WWW" "$PORT" "$WORK/sent.log" >"$WORK/http.log" 2>&1 <<'PY' &
import functools, http.server, sys
root, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Counting(http.server.SimpleHTTPRequestHandler):
    def copyfile(self, source, dest):
        n = 0
        while chunk := source.read(1 << 16):
            dest.write(chunk)
            n += len(chunk)
        with open(log, "a") as f:
            f.write(f"{self.path} {n}\n")
http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Counting, directory=root)).serve_forever()
PY
SERVER=$!
touch "$WORK/sent.log"
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/dist/channel-rust-stable.toml.sha256" && break
  sleep 0.1
done
: >"$WORK/sent.log"
URL=http://127.0.0.1:$PORT

step "The project: rust-toolchain.toml (stable, minimal, clippy) and its rust-toolchain.lock"
PROJECT=$WORK/project
mkdir -p "$PROJECT/src"
printf '[toolchain]\nchannel = "stable"\nprofile = "minimal"\ncomponents = ["clippy"]\n' >"$PROJECT/rust-toolchain.toml"
printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' >"$PROJECT/Cargo.toml"
printf 'fn main() {\n    println!("hello");\n}\n' >"$PROJECT/src/main.rs"
HAVE_LOCK=
if "$TCUP" lock --help >/dev/null 2>&1; then
  (cd "$PROJECT" && HOME=$WORK/locker RUSTUP_HOME=$WORK/locker/rustup CARGO_HOME=$WORK/locker/cargo \
    RUSTUP_DIST_SERVER=$URL "$TCUP" lock)
  HAVE_LOCK=1
  sed 's/^/    /' "$PROJECT/rust-toolchain.lock" | head -n 20
  : >"$WORK/sent.log"
else
  echo "    TODO: this tcup has no \`tcup lock\` yet: the lock runs are skipped"
fi

ROWS=()
# run LABEL CACHE_DIR WORKSPACE [--input NAME=VALUE]... → runs the action on a fresh runner;
# sets RC, OUT (its outputs file), ARCHIVES (archive bytes sent) and adds a row to the table.
run() {
  local label=$1 cache=$2 workspace=$3
  shift 3
  local runner=$WORK/runner start end
  # The same paths on every run, as GitHub's runners have (the cache restores absolute paths),
  # each run on an empty home.
  rm -rf "$runner"
  mkdir -p "$runner/home" "$runner/temp" "$cache"
  OUT=$WORK/outputs-$label.json
  : >"$WORK/sent.log"
  step "run: $label"
  start=$(date +%s.%N)
  set +e
  env -i HOME="$runner/home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    RUNNER_OS="${RUNNER_OS_OVERRIDE:-Linux}" RUNNER_ARCH=$ARCH RUNNER_TEMP="$runner/temp" \
    python3 "$REPO/ci/action-runner.py" "$ACTION" "$workspace" "$cache" "$OUT" \
    --input "dist-servers=$URL" --input "update-root=$URL/update" "$@" 2>&1 | tee "$WORK/log-$label"
  RC=${PIPESTATUS[0]}
  set -e
  end=$(date +%s.%N)
  local init=0 other=0 archives=0 path bytes
  while read -r path bytes; do
    case $path in
      /update/*) init=$((init + bytes)) ;;
      *.tar.gz | *.tar.xz | *.tar.zst) archives=$((archives + bytes)) ;;
      *) other=$((other + bytes)) ;;
    esac
  done <"$WORK/sent.log"
  ARCHIVES=$archives
  local install=- cache=-
  if [ "$RC" = 0 ]; then
    install=$(seconds install)
    cache=$(seconds restore save)
  fi
  ROWS+=("$(printf '%-11s %6.1f %8s %6s %10d %10d %10d  %d' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$install" "$cache" "$init" "$other" "$archives" "$RC")")
}

output() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outputs"][sys.argv[2]])' "$OUT" "$1"; }
# seconds ID... → the time the action's steps of those ids took (0 for one that did not run).
seconds() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["seconds"]; print("%.1f" % sum(s.get(i, 0) for i in sys.argv[2:]))' "$OUT" "$@"; }

# check_run NAME HIT DIR: the action passed, named NAME, reported the cache hit, gave dtolnay's
# cachekey, and a later step of the job runs clippy in DIR (with nothing installed on demand).
check_run() {
  [ "$RC" = 0 ] || die "the run failed (exit $RC)"
  [ "$(output name)" = "$1" ] || die "the action named '$(output name)', expected '$1'"
  [ "$(output cache-hit)" = "$2" ] || die "cache-hit '$(output cache-hit)', expected '$2'"
  [[ $(output cachekey) =~ ^[0-9]{8}[0-9a-f]{4}$ ]] || die "cachekey '$(output cachekey)' is not dtolnay's 12 characters"
  local home=$WORK/runner/home
  (cd "$3" && env -i HOME="$home" PATH="$home/.cargo/bin:/usr/bin:/bin" TCUP_DIST_SERVERS="$URL" RUSTUP_AUTO_INSTALL=0 cargo clippy --version) ||
    die "cargo clippy does not run in $3 after the action"
}

if [ -n "$HAVE_LOCK" ]; then
  LOCKED=$(sed -n 's/^version = "\([0-9.]*\)"$/\1/p' "$PROJECT/rust-toolchain.lock" | head -n 1)
  run lock-cold "$WORK/cache-lock" "$PROJECT"
  check_run "$LOCKED-$HOST" false "$PROJECT"
  [ "$ARCHIVES" -gt 0 ] || die "the cold run downloaded no archive"
  run lock-warm "$WORK/cache-lock" "$PROJECT"
  check_run "$LOCKED-$HOST" true "$PROJECT"
  [ "$ARCHIVES" = 0 ] || die "the warm run downloaded $ARCHIVES archive bytes"
  # A toolchain file changed without its lock: the action fails, naming the change and `tcup lock`.
  cp "$PROJECT/rust-toolchain.toml" "$WORK/toolchain.toml"
  printf '[toolchain]\nchannel = "stable"\ncomponents = ["clippy", "rustfmt"]\n' >"$PROJECT/rust-toolchain.toml"
  run drifted "$WORK/cache-lock" "$PROJECT"
  mv "$WORK/toolchain.toml" "$PROJECT/rust-toolchain.toml"
  if [ "$RC" != 1 ] || ! grep -q "no longer matches its toolchain file (.*rustfmt.*): run \`tcup lock\`" "$WORK/log-drifted"; then
    die "a lock that no longer matches its toolchain file did not fail the action, naming tcup lock"
  fi
fi

EMPTY=$WORK/empty
mkdir -p "$EMPTY"
run input-cold "$WORK/cache-input" "$EMPTY" --input toolchain=stable --input components=clippy
check_run "stable-$HOST" false "$EMPTY"
[ "$ARCHIVES" -gt 0 ] || die "the cold run downloaded no archive"
run input-warm "$WORK/cache-input" "$EMPTY" --input toolchain=stable --input components=clippy
check_run "stable-$HOST" true "$EMPTY"
[ "$ARCHIVES" = 0 ] || die "the warm run downloaded $ARCHIVES archive bytes"

# A table whose hash is not the update root's tcup-init: refused, saying both hashes.
sed -i -E "s/^[0-9a-f]{64}  $HOST/$(printf '0%.0s' $(seq 64))  $HOST/" "$ACTION/action/tcup-init.sha256s"
run tampered "$WORK/cache-x" "$EMPTY" --input toolchain=stable
if [ "$RC" != 1 ] || ! grep -q "carries $(printf '0%.0s' $(seq 64)) for $HOST: refusing it" "$WORK/log-tampered"; then
  die "a tcup-init with another SHA-256 than the table's was not refused"
fi
RUNNER_OS_OVERRIDE=macOS run macOS "$WORK/cache-x" "$EMPTY" --input toolchain=stable
if [ "$RC" != 1 ] || ! grep -q "tcup has no build for a macOS $ARCH runner yet.*dtolnay/rust-toolchain" "$WORK/log-macOS"; then
  die "a macOS runner was not refused with the alternative named"
fi

step "Summary (bytes the loopback servers sent)"
printf '%-11s %6s %8s %6s %10s %10s %10s  %s\n' run total install cache tcup-init manifests archives exit
echo "(seconds: the whole run, the install step, restoring and saving the cache as uncompressed tar; bytes the loopback server sent)"
printf '%s\n' "${ROWS[@]}"
[ -n "$HAVE_LOCK" ] || echo "TODO: the lock runs were skipped: this tcup has no \`tcup lock\`"
