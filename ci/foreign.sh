# shellcheck shell=bash
# Sourced by ci/bootstrap-chroot.sh and ci/real-world.sh: other architectures on this machine.
# Foreign ELF files run through qemu-user-static and binfmt_misc, with handlers that belong to the
# calling script alone; Debian's packages of other architectures come from apt (signed indexes).
#
# busybox_debs DIR DEB_ARCH...: makes sure DIR holds busybox-static_*_ARCH.deb for each ARCH
#   (downloaded once; the foreign architectures this adds to dpkg are removed again).
# register_qemu ARCH...: registers qemu-user-static's own definition for each ARCH (arm, aarch64,
#   …) under the name tcup-PID-qemu-ARCH (flag F: the static interpreter is opened now, so it works
#   inside chroots and container builds). The newest handler for a magic is tried first, so
#   whatever else is registered does not interfere. Mounts binfmt_misc when it is not mounted.
# unregister_qemu: removes the handlers registered above (and unmounts binfmt_misc when
#   register_qemu mounted it); call it from the EXIT trap.
# QEMU_CPU in a process's environment picks the emulated CPU (qemu-user reads it).
BINFMT_REGISTERED=()
BINFMT_MOUNTED=""

register_qemu() {
  local a name
  command -v qemu-aarch64-static >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
  }
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    BINFMT_MOUNTED=1
  fi
  for a in "$@"; do
    name=tcup-$$-qemu-$a
    [ -e "/proc/sys/fs/binfmt_misc/$name" ] && continue
    sed "s/^:[^:]*:/:$name:/" "/usr/lib/binfmt.d/qemu-$a.conf" >/proc/sys/fs/binfmt_misc/register
    BINFMT_REGISTERED+=("$name")
  done
}

unregister_qemu() {
  local name
  for name in "${BINFMT_REGISTERED[@]}"; do echo -1 >"/proc/sys/fs/binfmt_misc/$name" || true; done
  BINFMT_REGISTERED=()
  [ -z "$BINFMT_MOUNTED" ] || umount /proc/sys/fs/binfmt_misc || true
  BINFMT_MOUNTED=""
}

busybox_debs() {
  local dir=$1 a native status=0 missing=() added=()
  shift
  mkdir -p "$dir"
  for a in "$@"; do
    compgen -G "$dir/busybox-static_*_$a.deb" >/dev/null || missing+=("busybox-static:$a")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  native=$(dpkg --print-architecture)
  for a in "$@"; do
    [ "$a" = "$native" ] || grep -qx "$a" <<<"$(dpkg --print-foreign-architectures)" || { dpkg --add-architecture "$a" && added+=("$a"); }
  done
  apt-get update -qq || echo "foreign: apt-get update reported errors (a foreign index may be missing); trying the download" >&2
  (cd "$dir" && apt-get download -q "${missing[@]}") || status=$?
  for a in "${added[@]}"; do dpkg --remove-architecture "$a"; done
  [ "$status" -eq 0 ] || { echo "foreign: could not download ${missing[*]}" >&2; return 1; }
}
