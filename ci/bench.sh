#!/usr/bin/env bash
# Benchmark (not a test): tcup vs rustup installing this machine's stable toolchain from a loopback
# mirror served by nginx. Packs the mirror once (default profile, xz + gz; cached in
# target/bench-mirror), then times `toolchain install stable --profile minimal|default` for each
# tool into fresh homes, RUNS times each (default 3), and prints medians of wall time and peak RSS
# (/usr/bin/time -v) with the tcup/rustup ratios. Needs about 15 GB free in $TMPDIR for the homes.
#
# Usage: ci/bench.sh            (RUNS=5 ci/bench.sh for more runs)
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
  TCUP=$PWD/target/release/tcup
fi

MIRROR=$PWD/target/bench-mirror
if [ ! -f "$MIRROR/dist/channel-rust-stable.toml" ]; then
  echo "bench: packing $(rustc --print sysroot) into $MIRROR (once)"
  rm -rf "$MIRROR.tmp"
  "$TCUP" mirror pack --toolchain "$(rustc --print sysroot)" --out "$MIRROR.tmp" --profile default --formats xz,gz
  mv "$MIRROR.tmp" "$MIRROR"
fi

WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$PORT; root $MIRROR; }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
trap 'nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
DIST=http://127.0.0.1:$PORT

# run TOOL PROFILE → prints "seconds kib"
run() {
  local tool=$1 profile=$2 home
  home=$(mktemp -d -p "$WORK")
  # Start each run with no dirty pages pending. Homes are removed only at the end: deleting
  # ~1.4 GB on this discard-mounted ext4 slows the next run's file creation several-fold.
  sync; sleep 2
  local cmd
  if [ "$tool" = tcup ]; then
    cmd=("$TCUP" --quiet toolchain install stable --profile "$profile")
  else
    cmd=(rustup --quiet toolchain install stable --profile "$profile" --no-self-update)
  fi
  env RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo" RUSTUP_DIST_SERVER="$DIST" RUSTUP_AUTO_INSTALL=0 \
    /usr/bin/time -v -o "$home/time.txt" "${cmd[@]}" >/dev/null 2>"$home/err.txt" \
    || { echo "bench: $tool failed:" >&2; cat "$home/err.txt" >&2; exit 1; }
  "$home/rustup/toolchains/stable-$(rustc -vV | sed -n 's/^host: //p')/bin/rustc" --version >/dev/null
  python3 - "$home/time.txt" <<'PY'
import sys, re
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time .*: (\S+)", t).group(1)
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"{secs:.2f} {rss}")
PY
}

echo "bench: $RUNS runs each; mirror $MIRROR on $DIST; $(rustup --version 2>/dev/null | head -1); tcup $("$TCUP" --version)"
printf '%-8s %-7s %10s %12s   %s\n' profile tool "median s" "median MiB" "runs (s / MiB)"
for profile in minimal default; do
  declare -A med=()
  for tool in tcup rustup; do
    results=()
    for _ in $(seq "$RUNS"); do results+=("$(run "$tool" "$profile")"); done
    line=$(printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
s = statistics.median(r[0] for r in rows); m = statistics.median(r[1] for r in rows) / 1024
runs = ", ".join(f"{r[0]:.2f}/{r[1]/1024:.0f}" for r in rows)
print(f"{s:.2f} {m:.1f} {runs}")')
    read -r s m runs <<<"$line"
    med[$tool]="$s $m"
    printf '%-8s %-7s %10s %12s   %s\n' "$profile" "$tool" "$s" "$m" "$runs"
  done
  read -r ts tm <<<"${med[tcup]}"
  read -r rs rm_ <<<"${med[rustup]}"
  python3 -c "print(f'{\"$profile\":<8} ratio   time {$ts/$rs:.2f}   peak RSS {$tm/$rm_:.2f}')"
  unset med
done
