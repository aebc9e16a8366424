#!/usr/bin/env bash
# Benchmark (not a test): tcup vs rustup installing this machine's stable toolchain from a loopback
# mirror served by nginx, plus the naive limit for the same work. Packs the mirror once (default
# profile, xz + gz; cached in target/bench-mirror), then, RUNS times each (default 3), into fresh
# homes:
#   - `toolchain install stable --profile minimal|default` with tcup and with rustup;
#   - "naive tar": every archive of the default profile (in the format tcup chose, see
#     docs/design.md fetch-2) extracted at once by parallel `tar` processes from local files:
#     no download, no checks, what the hardware allows.
# Prints one table of medians (wall s, user s, sys s, peak RSS MiB, from /usr/bin/time -v) and
# the ratios the performance targets are stated in (issues 10 and 20). Every home is on a fresh
# loop-mounted ext4 (ci/loopfs.sh; root), unmounted and deleted after its run, and the file
# system's measured per-file creation cost is printed beside the figures. The one-component
# update is measured by ci/bench-update.sh. Needs about 3 GB free in $TMPDIR (sparse images).
#
# Usage: ci/bench.sh            (RUNS=5 ci/bench.sh for more runs; TCUP_ARCHIVE_FORMAT is passed on)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}

if ! command -v nginx >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light time >/dev/null
fi
command -v rustup >/dev/null || { echo "bench: rustup is needed for the comparison" >&2; exit 1; }
# TCUP_BIN=path runs another tcup build (e.g. the static one from ci/release.sh) instead.
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')

MIRROR=$PWD/target/bench-mirror
if [ ! -f "$MIRROR/dist/channel-rust-stable.toml" ]; then
  echo "bench: packing $(rustc --print sysroot) into $MIRROR (once)"
  rm -rf "$MIRROR.tmp"
  "$TCUP" mirror pack --toolchain "$(rustc --print sysroot)" --out "$MIRROR.tmp" --profile default --formats xz,gz
  mv "$MIRROR.tmp" "$MIRROR"
fi

WORK=$(mktemp -d)
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
loopfs_need
# shellcheck source=ci/nginx.sh
. ci/nginx.sh
start_nginx "$WORK" "root $MIRROR;"
DIST=http://127.0.0.1:$PORT

# measure FILE → prints "wall_s user_s sys_s rss_kib" from /usr/bin/time -v output
measure() {
  python3 - "$1" <<'PY'
import sys, re
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time .*: (\S+)", t).group(1)
secs = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
user = float(re.search(r"User time \(seconds\): (\S+)", t).group(1))
sys_ = float(re.search(r"System time \(seconds\): (\S+)", t).group(1))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"{secs:.2f} {user:.2f} {sys_:.2f} {rss}")
PY
}

# Start each run with no dirty pages pending.
settle() { sync; sleep 2; }

# run TOOL PROFILE → prints "wall user sys rss", the home on a fresh ext4 dropped afterwards
run() {
  local tool=$1 profile=$2 home cmd fs
  fs=$(loopfs_new "$WORK")
  home=$fs/home
  mkdir "$home"
  settle
  if [ "$tool" = tcup ]; then
    cmd=("$TCUP" --quiet toolchain install stable --profile "$profile")
  else
    cmd=(rustup --quiet toolchain install stable --profile "$profile" --no-self-update)
  fi
  env RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo" RUSTUP_DIST_SERVER="$DIST" RUSTUP_AUTO_INSTALL=0 \
    /usr/bin/time -v -o "$home/time.txt" "${cmd[@]}" >/dev/null 2>"$home/err.txt" \
    || { echo "bench: $tool failed:" >&2; cat "$home/err.txt" >&2; loopfs_drop "$fs"; exit 1; }
  "$home/rustup/toolchains/stable-$HOST/bin/rustc" --version >/dev/null
  measure "$home/time.txt"
  loopfs_drop "$fs"
}

# The formats tcup prefers on this link (its verbose line names them), for the naive-tar row: the
# first of them the mirror has.
probe=$(mktemp -d -p "$WORK")
CHOICE=$(env RUSTUP_HOME="$probe/rustup" CARGO_HOME="$probe/cargo" RUSTUP_DIST_SERVER="$DIST" \
  "$TCUP" --verbose toolchain install stable --profile minimal 2>&1 | sed -n 's/.*archive formats in order of preference //p')
rm -rf "$probe"
EXT=xz
for e in $(echo "${CHOICE%%:*}" | tr ',' ' '); do
  if [ -n "$(find "$MIRROR/dist" -name "*.tar.$e" | head -1)" ]; then EXT=$e; break; fi
done
mapfile -t ARCHIVES < <(find "$MIRROR/dist" -name "*.tar.$EXT" | sort)

# naive → prints "wall user sys rss": one tar process per archive, all at once.
naive() {
  local out fs
  fs=$(loopfs_new "$WORK")
  out=$fs/out
  mkdir "$out"
  settle
  # shellcheck disable=SC2016 # expanded by the inner bash
  local script='for a in "$@"; do mkdir -p "$0/$(basename "$a")"; tar -xf "$a" -C "$0/$(basename "$a")" & done; wait'
  /usr/bin/time -v -o "$WORK/naive.time" bash -c "$script" "$out" "${ARCHIVES[@]}"
  measure "$WORK/naive.time"
  loopfs_drop "$fs"
}

median() {
  python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
med = [statistics.median(r[i] for r in rows) for i in range(4)]
runs = ", ".join(f"{r[0]:.1f}" for r in rows)
print(f"{med[0]:.2f} {med[1]:.2f} {med[2]:.2f} {med[3] / 1024:.1f} {runs}")'
}

probe_fs=$(loopfs_new "$WORK" 1G)
echo "bench: homes on fresh loop-mounted ext4: $(loopfs_file_cost "$probe_fs") ms kernel CPU per file created (the root file system: $(loopfs_file_cost "$WORK") ms)"
loopfs_drop "$probe_fs"
echo "bench: $RUNS runs each; mirror $MIRROR on $DIST; $(rustup --version 2>/dev/null | head -1); tcup $("$TCUP" --version)"
echo "bench: tcup's preference here: $CHOICE; naive tar extracts ${#ARCHIVES[@]} .tar.$EXT archives"
declare -A med=()
rows=()
for profile in minimal default; do
  for tool in tcup rustup; do
    results=()
    for _ in $(seq "$RUNS"); do
      results+=("$(run "$tool" "$profile")")
      echo "bench: $profile $tool: ${results[-1]} (wall s, cpu s, KiB)" >&2
    done
    med[$profile-$tool]=$(printf '%s\n' "${results[@]}" | median)
    rows+=("$profile-$tool")
  done
done
results=()
for _ in $(seq "$RUNS"); do
  results+=("$(naive)")
  echo "bench: default naive-tar: ${results[-1]} (wall s, cpu s, KiB)" >&2
done
med[default-naive-tar]=$(printf '%s\n' "${results[@]}" | median)
rows+=(default-naive-tar)

printf '\n| %-18s | %8s | %7s | %7s | %9s | %-22s |\n' "run" "wall s" "user s" "sys s" "peak MiB" "wall of each run (s)"
printf '|%s|%s|%s|%s|%s|%s|\n' "--------------------" "----------" "---------" "---------" "-----------" "------------------------"
for r in "${rows[@]}"; do
  read -r w u s m runs <<<"${med[$r]}"
  printf '| %-18s | %8s | %7s | %7s | %9s | %-22s |\n' "$r" "$w" "$u" "$s" "$m" "$runs"
done
wall() { read -r w _ <<<"${med[$1]}"; echo "$w"; }
rss() { read -r _ _ _ m _ <<<"${med[$1]}"; echo "$m"; }
python3 - "$(wall minimal-tcup)" "$(wall minimal-rustup)" "$(wall default-tcup)" "$(wall default-rustup)" \
  "$(wall default-naive-tar)" "$(rss minimal-tcup)" "$(rss default-tcup)" "${TCUP_ARCHIVE_FORMAT:-auto}" <<'PY'
import sys
mt, mr, dt, dr, nt, rm, rd = map(float, sys.argv[1:8])
fmt = sys.argv[8]
rss_target = "≤ 200" if fmt == "xz" else "≤ 64"
print()
print(f"| figure (TCUP_ARCHIVE_FORMAT={fmt:<4})     | measured | target |")
print("|-------------------------------------|----------|--------|")
print(f"| default profile, tcup / rustup wall | {dt / dr:8.2f} | ≤ 0.25 |")
print(f"| minimal profile, tcup / rustup wall | {mt / mr:8.2f} | ≤ 0.40 |")
print(f"| peak RSS, any tcup install (MiB)    | {max(rm, rd):8.1f} | {rss_target:<6} |")
print(f"| default, tcup / naive parallel tar  | {dt / nt:8.2f} | ≤ 1.2  |")
PY
