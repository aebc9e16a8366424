# shellcheck shell=bash
# Sourced by ci/real-world.sh and ci/podman-ci.sh: container images built with podman from base
# images made here (no registry). The caller defines under_work DIR (exits unless DIR is below its
# scratch directory) and step LOG WHAT CMD... (runs CMD with its output in LOG and reports).
#
# base_root CACHE_DIR DEB_ARCH PACKAGES: prints the path of a Debian bookworm minbase root tarball
#   of that architecture with PACKAGES (comma-separated), made once with mmdebstrap and cached in
#   CACHE_DIR (foreign architectures need qemu binfmt handlers: ci/foreign.sh).
# podman_in STORE ARGS...: podman with its own storage in STORE (vfs: no overlay mounts), so each
#   store's debian:bookworm-slim is the one imported there.
# build_image STORE LOG WHAT BUILD_ARGS...: podman build with RUN steps in a chroot on the host's
#   network (loopback servers), never pulling, every step's output in LOG.

base_root() {
  local cache=$1 arch=$2 extra=$3 tar
  tar=$cache/bookworm-$arch-${extra//,/-}.tar
  if [ ! -s "$tar" ]; then
    mkdir -p "$cache"
    echo "  mmdebstrap: bookworm $arch minbase + $extra (once)" >&2
    QEMU_CPU=cortex-a53 mmdebstrap --quiet --variant=minbase --architectures="$arch" --include="$extra" \
      bookworm "${tar%.tar}.part.tar" http://deb.debian.org/debian >&2 || return 1
    mv "${tar%.tar}.part.tar" "$tar"
  fi
  echo "$tar"
}

podman_in() {
  local store=$1
  shift
  under_work "$store"
  podman --root "$store/storage" --runroot "$store/run" --storage-driver vfs "$@"
}

build_image() {
  local store=$1 log=$2 what=$3
  shift 3
  step "$log" "$what" podman_in "$store" build --isolation chroot --network host --pull=never --no-cache "$@"
}
