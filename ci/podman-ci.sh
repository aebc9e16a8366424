#!/usr/bin/env bash
# CI, after ci/demo.sh: installer/docker/Dockerfile.debian built with podman (amd64) as a user
# would build it, against loopback servers only. The base image is Debian bookworm minbase made
# with mmdebstrap (Debian's packages) and imported as debian:bookworm-slim; the update root holds
# the tcup build under test as dist/x86_64-unknown-linux-gnu/tcup-init and the proxy program
# beside it as tcup-proxy (+ .sha256 each, init.sh); the
# dist server is ci/demo.sh's minimal-profile mirror of this machine's toolchain. Both are served
# over HTTPS with a private CA, which curl and tcup in the build trust through a bind-mounted
# bundle. The image's own `RUN rustc --version && cargo --version` must print the mirror's rustc.
# podman's storage sits on a loop-mounted ext4 made for the run (vfs copies every layer; file
# creation on this machine's root file system costs ~1 ms of kernel CPU each).
#
# Usage: ci/podman-ci.sh      (root; TCUP_BIN=path picks the tcup build, default target/release/tcup)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "podman-ci: needs root (mount, podman build)" >&2; exit 2; }
if [ -z "${TCUP_PODMAN_NS:-}" ]; then
  exec env TCUP_PODMAN_NS=1 unshare --mount --propagation private "$0" "$@"
fi
TCUP=$(realpath "${TCUP_BIN:-${CARGO_TARGET_DIR:-target}/release/tcup}")
MIRROR=$PWD/target/demo-mirror-gz
[ -x "$TCUP" ] || { echo "podman-ci: no tcup build at $TCUP (ci/demo.sh builds it)" >&2; exit 2; }
[ -x "$(dirname "$TCUP")/tcup-proxy" ] || { echo "podman-ci: no tcup-proxy beside $TCUP (cargo build --release builds it)" >&2; exit 2; }
[ -f "$MIRROR/dist/channel-rust-stable.toml" ] || { echo "podman-ci: no mirror at $MIRROR (ci/demo.sh packs it)" >&2; exit 2; }
need=()
command -v podman >/dev/null || need+=(podman)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/tcup-podman.XXXXXX)
# shellcheck source=ci/loopback-server.sh
. ci/loopback-server.sh
# shellcheck source=ci/podman.sh
. ci/podman.sh
under_work() {
  case $1 in
    "$WORK"/?*) ;;
    *) echo "podman-ci: refusing to touch '$1' (not below $WORK)" >&2; exit 3 ;;
  esac
}
step() {
  local log=$1 what=$2 t0 rc=0
  shift 2
  t0=$(date +%s)
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then echo "podman-ci: ok ($(($(date +%s) - t0)) s): $what"; else
    echo "podman-ci: FAIL (exit $rc): $what"; tail -n 25 "$log"; fi
  return "$rc"
}
cleanup() {
  [ "${#SERVER_PIDS[@]}" -eq 0 ] || kill "${SERVER_PIDS[@]}" 2>/dev/null || true
  ! mountpoint -q "$WORK/fs" || umount "$WORK/fs" || umount -l "$WORK/fs" || true
  case $WORK in /tmp/tcup-podman.??????) rm -rf --one-file-system "$WORK" ;; esac
}
trap cleanup EXIT

mkdir -p "$WORK/fs" "$WORK/www/root/dist/x86_64-unknown-linux-gnu" "$WORK/trust"
truncate -s 20G "$WORK/fs.img"
mkfs.ext4 -q -F "$WORK/fs.img"
mount -o loop "$WORK/fs.img" "$WORK/fs"

# The update root and the mirror, over HTTPS on 127.0.0.1.
cp "$TCUP" "$WORK/www/root/dist/x86_64-unknown-linux-gnu/tcup-init"
(cd "$WORK/www/root/dist/x86_64-unknown-linux-gnu" && sha256sum tcup-init >tcup-init.sha256)
# The proxy program beside it, as ci/release.sh publishes it: the image's `rustc` runs through it.
cp "$(dirname "$TCUP")/tcup-proxy" "$WORK/www/root/dist/x86_64-unknown-linux-gnu/tcup-proxy"
(cd "$WORK/www/root/dist/x86_64-unknown-linux-gnu" && sha256sum tcup-proxy >tcup-proxy.sha256)
cp installer/init.sh "$WORK/www/root/init.sh"
ln -s "$MIRROR" "$WORK/www/mirror"
make_ca "$WORK"
serve "$WORK" "$WORK/www" https
cat /etc/ssl/certs/ca-certificates.crt "$WORK/ca.pem" >"$WORK/trust/bundle.pem"
expect=$(sed -n '/^\[pkg.rustc\]/,/^\[/s/^version = "\(.*\)"$/\1/p' "$MIRROR/dist/channel-rust-stable.toml" | head -n 1)

tar=$(base_root "$PWD/target/podman-ci-rootfs" amd64 ca-certificates,curl,gcc,libc6-dev)
store=$WORK/fs/podman
podman_in "$store" import --quiet --arch amd64 "$tar" docker.io/library/debian:bookworm-slim >/dev/null
log=$WORK/build.log
build_image "$store" "$log" "podman build installer/docker/Dockerfile.debian (amd64, loopback update root and dist server)" \
  --build-arg TCUP_UPDATE_ROOT="$URL/root" --env RUSTUP_DIST_SERVER="$URL/mirror" \
  --volume "$WORK/trust:/run/tcup-trust:ro" --env CURL_CA_BUNDLE=/run/tcup-trust/bundle.pem \
  --env SSL_CERT_FILE=/run/tcup-trust/bundle.pem \
  -t tcup-ci/debian -f installer/docker/Dockerfile.debian installer/docker
grep -q "^rustc $expect" "$log" || { echo "podman-ci: the image's rustc --version is not rustc $expect:"; tail -n 20 "$log"; exit 1; }
echo "podman-ci: the image runs $(grep -m 1 '^rustc ' "$log") and $(grep -m 1 '^cargo ' "$log")"
