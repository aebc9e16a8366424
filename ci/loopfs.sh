# shellcheck shell=bash
# Fresh file systems for benchmarks (sourced; needs root). Creating a file on these machines' root
# file system costs about 1 ms of kernel CPU (a fresh ext4 on a loop device: about 0.03 ms), so a
# default-profile install there measures the disk, not the installer: every benchmark home goes on
# a new loop-mounted ext4, which is unmounted and deleted after the run.
#
#   dir=$(loopfs_new PARENT [SIZE])   a fresh ext4 (default 8G, sparse) mounted at a new directory
#   loopfs_drop DIR                   unmounts it and removes its image
#   loopfs_file_cost DIR              kernel CPU per file created there, in ms (2000 empty files)

loopfs_need() {
  [ "$(id -u)" = 0 ] || { echo "loopfs: the benchmarks mount loop file systems and need root" >&2; exit 1; }
  command -v mkfs.ext4 >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq e2fsprogs >/dev/null
  }
}

loopfs_new() {
  local parent=$1 size=${2:-8G} img mnt
  loopfs_need
  img=$(mktemp -p "$parent" loopfs.XXXXXX.img)
  mnt=${img%.img}.mnt
  truncate -s "$size" "$img"
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$img"
  mkdir "$mnt"
  mount -o loop "$img" "$mnt"
  echo "$mnt"
}

loopfs_drop() {
  local mnt=$1
  case $mnt in
    */loopfs.??????.mnt) ;;
    *) echo "loopfs: refusing to unmount '$mnt' (not made by loopfs_new)" >&2; return 1 ;;
  esac
  umount "$mnt"
  rmdir "$mnt"
  rm -f "${mnt%.mnt}.img"
}

loopfs_file_cost() {
  python3 - "$1" <<'PY'
import os, sys, tempfile
d = tempfile.mkdtemp(dir=sys.argv[1])
t0 = os.times()
for i in range(2000):
    open(os.path.join(d, str(i)), "w").close()
t1 = os.times()
for i in range(2000):
    os.unlink(os.path.join(d, str(i)))
os.rmdir(d)
print(f"{(t1.system - t0.system) / 2000 * 1000:.3f}")
PY
}
