#!/usr/bin/env bash
# Benchmark (not a test; real dist server): `tcup check` and a no-change `tcup update` against
# `rustup check` with three channel toolchains installed (stable, beta, nightly; minimal profile,
# installed once by tcup into one home on a fresh loop-mounted ext4, which rustup reads as its
# own). tcup fetches every channel's manifest at once (docs/design.md fetch-1); rustup one after
# another. RUNS (default 3) alternating runs each, medians of wall seconds.
#
# Usage: ci/bench-check.sh           (root; reaches RUSTUP_DIST_SERVER, default static.rust-lang.org)
#        TCUP_BIN=path ci/bench-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
command -v rustup >/dev/null || { echo "bench-check: rustup is needed for the comparison" >&2; exit 1; }
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
WORK=$(mktemp -d /tmp/tcup-bench-check.XXXXXX)
case $WORK in /tmp/tcup-bench-check.?*) ;; *) echo "bench-check: bad temp dir $WORK" >&2; exit 1 ;; esac
FS=$(loopfs_new "$WORK" 4G)
trap 'loopfs_drop "$FS"; rm -rf "$WORK"' EXIT
export HOME=$FS RUSTUP_HOME=$FS/rustup CARGO_HOME=$FS/cargo RUSTUP_AUTO_INSTALL=0
unset RUSTUP_TOOLCHAIN
for c in stable beta nightly; do
  "$TCUP" --quiet toolchain install "$c" --profile minimal
done
echo "installed: $(find "$RUSTUP_HOME/toolchains" -mindepth 1 -maxdepth 1 -printf "%f ")"

python3 - "$RUNS" "$TCUP" "$(command -v rustup)" <<'PY'
import statistics, subprocess, sys, time
runs, tcup, rustup = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {
    "tcup check": [tcup, "check", "--no-self-update"],
    "tcup update (no change)": [tcup, "--quiet", "update", "--no-self-update"],
    "rustup check": [rustup, "check", "--no-self-update"],
}
times = {k: [] for k in cmds}
for _ in range(runs):
    for name, cmd in cmds.items():
        t = time.monotonic()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times[name].append(time.monotonic() - t)
        if r.returncode not in (0, 100):  # rustup check exits 100 when an update is available
            sys.exit(f"{name} failed ({r.returncode}): {r.stderr}")
print(f"{'command':<26} {'median s':>9}  runs")
for name, ts in times.items():
    print(f"{name:<26} {statistics.median(ts):>9.2f}  {' '.join(f'{t:.2f}' for t in ts)}")
r = statistics.median(times["tcup check"]) / statistics.median(times["rustup check"])
print(f"tcup check / rustup check = {r:.2f}")
PY
