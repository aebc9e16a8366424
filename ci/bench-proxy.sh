#!/usr/bin/env bash
# Benchmark (not a test): what a proxy costs. `rustc --version` straight from the toolchain, through
# tcup's proxy (a hard link of the proxy program tcup-proxy, as tcup-init installs it), through tcup
# itself linked as the proxy (an install without tcup-proxy), and through rustup's, each from one
# home whose default is this machine's stable toolchain. It is installed, not linked (a directory in
# toolchains/ whose bin/ and lib/ are links into the machine's sysroot, so nothing is copied or
# downloaded): the proxies record an installed toolchain's last use and the project file that chose
# it (docs/design.md active-9), a linked one's not. RUNS (default 200) alternating rounds, the
# commands in a new random order each round; whole-process wall times; medians, and each proxy's
# overhead = its median minus the direct median. The tcup proxy is also timed in a project whose
# rust-toolchain.toml chooses the toolchain, without and with a rust-toolchain.lock beside it (a
# lock of realistic size: two hosts, the default profile's archives in two formats;
# docs/design.md lock-2), so the cost of reading the lock shows. The check run before the rounds
# writes the day's last-use records, so the rounds time the steady state (one small read per
# record); no file is created while timing, so the root file system's per-file cost does not enter.
#
# Usage: ci/bench-proxy.sh                  (the glibc development build, release profile)
#        TCUP_BIN=path ci/bench-proxy.sh    (another build, e.g. ci/release.sh's static x86_64
#                                            tcup-init; its tcup-proxy is taken from beside it)
#        RUNS=500 ci/bench-proxy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet --bin tcup --bin tcup-proxy
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
PROXY=$(dirname "$TCUP")/tcup-proxy
[ -x "$PROXY" ] || { echo "bench-proxy: no proxy program $PROXY beside $TCUP" >&2; exit 1; }
RUSTUP=$(command -v rustup) || { echo "bench-proxy: rustup is needed for the comparison" >&2; exit 1; }
RUSTUP_PROXY=$(dirname "$RUSTUP")/rustc
[ -x "$RUSTUP_PROXY" ] || { echo "bench-proxy: no rustup proxy beside $RUSTUP" >&2; exit 1; }
SYSROOT=$(rustc --print sysroot)
HOST=$(rustc -vV | sed -n 's/^host: //p')

WORK=$(mktemp -d /tmp/tcup-bench-proxy.XXXXXX)
case $WORK in /tmp/tcup-bench-proxy.?*) ;; *) echo "bench-proxy: bad temp dir $WORK" >&2; exit 1 ;; esac
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rustup/toolchains" "$WORK/cargo/bin" "$WORK/tcup-as-proxy"
VERSION=$(rustc -vV | sed -n 's/^release: //p')
for tc in "stable-$HOST" "$VERSION-$HOST"; do
  mkdir "$WORK/rustup/toolchains/$tc"
  ln -s "$SYSROOT/bin" "$WORK/rustup/toolchains/$tc/bin"
  ln -s "$SYSROOT/lib" "$WORK/rustup/toolchains/$tc/lib"
done
# Two projects choosing stable by toolchain file; the second has a lock of the same release.
mkdir -p "$WORK/file-only" "$WORK/locked"
printf '[toolchain]\nchannel = "stable"\n' | tee "$WORK/file-only/rust-toolchain.toml" >"$WORK/locked/rust-toolchain.toml"
python3 - "$WORK/locked/rust-toolchain.lock" "$VERSION" "$HOST" <<'PY'
import hashlib, sys
out, version, host = sys.argv[1:]
date = "2026-04-16"
h = lambda s: hashlib.sha256(s.encode()).hexdigest()
text = f"""version = 1\n\n[toolchain]\nchannel = "stable"\nprofile = "default"\ncomponents = []\ntargets = []\n
[release]\nversion = "{version}"\ndate = "{date}"\nmanifest = "dist/{date}/channel-rust-stable.toml"
manifest-sha256 = "{h('manifest')}"\nsigner = "85AB96E6FA1BE5FE"\n"""
other = "aarch64-unknown-linux-gnu" if host != "aarch64-unknown-linux-gnu" else "x86_64-unknown-linux-gnu"
for triple in sorted({host, other}):
    text += f'\n[[host]]\ntriple = "{triple}"\n'
    for pkg in ["cargo", "clippy-preview", "rust-docs", "rust-std", "rustc", "rustfmt-preview"]:
        text += f'\n[[host.archive]]\ncomponent = "{pkg}"\ntarget = "{triple}"\n'
        for ext in ["gz", "xz"]:
            base = f"dist/{date}/{pkg.removesuffix('-preview')}-{version}-{triple}.tar.{ext}"
            text += f'{ext} = {{ path = "{base}", sha256 = "{h(base)}" }}\n'
open(out, "w").write(text)
PY
printf 'version = "12"\ndefault_toolchain = "stable-%s"\n\n[overrides]\n' "$HOST" >"$WORK/rustup/settings.toml"
# As tcup-init installs them: tcup and tcup-proxy in CARGO_HOME/bin, rustc a hard link of the latter.
cp "$TCUP" "$WORK/cargo/bin/tcup"
cp "$PROXY" "$WORK/cargo/bin/tcup-proxy"
ln "$WORK/cargo/bin/tcup-proxy" "$WORK/cargo/bin/rustc"
ln "$WORK/cargo/bin/tcup" "$WORK/tcup-as-proxy/rustc"
echo "tcup: $(stat -c %s "$TCUP") bytes; tcup-proxy: $(stat -c %s "$PROXY") bytes ($(file -b "$PROXY" | cut -d, -f1-2)); lock: $(stat -c %s "$WORK/locked/rust-toolchain.lock") bytes"

python3 - "$RUNS" "$SYSROOT/bin/rustc" "$WORK/cargo/bin/rustc" "$WORK/tcup-as-proxy/rustc" "$RUSTUP_PROXY" "$WORK" <<'PY'
import os, random, statistics, subprocess, sys, time
runs, direct, tcup, whole, rustup, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
env = {"PATH": os.environ["PATH"], "HOME": work, "RUSTUP_HOME": f"{work}/rustup", "CARGO_HOME": f"{work}/cargo",
       "RUSTUP_AUTO_INSTALL": "0", "RUSTUP_DIST_SERVER": "http://127.0.0.1:9", "RUSTUP_UPDATE_ROOT": "http://127.0.0.1:9"}
cmds = {"direct": (direct, work), "tcup proxy": (tcup, work), "tcup as proxy": (whole, work), "rustup proxy": (rustup, work),
        "tcup, file": (tcup, f"{work}/file-only"), "tcup, lock": (tcup, f"{work}/locked")}
for name, (prog, cwd) in cmds.items():  # each must answer the same way
    out = subprocess.run([prog, "--version"], env=env, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    print(f"{name:>13}: {out}")
records = f"{work}/rustup/tcup-usage"
found = sorted(os.path.relpath(os.path.join(d, f), records) for d, _, fs in os.walk(records) for f in fs)
print(f"last-use records: {', '.join(found) or 'none (this tcup records nothing)'}")
times = {k: [] for k in cmds}
for _ in range(runs):
    order = list(cmds.items())
    random.shuffle(order)
    for name, (prog, cwd) in order:
        t = time.perf_counter_ns()
        subprocess.run([prog, "--version"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times[name].append((time.perf_counter_ns() - t) / 1e6)
med = {k: statistics.median(v) for k, v in times.items()}
print(f"\n{runs} alternating rounds, whole-process wall time of `rustc --version`, medians:")
print(f"{'':>13}  {'median ms':>9}  {'overhead ms':>11}")
for k in cmds:
    over = "" if k == "direct" else f"{med[k] - med['direct']:11.2f}"
    print(f"{k:>13}  {med[k]:9.2f}  {over:>11}")
PY
