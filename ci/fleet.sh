#!/usr/bin/env bash
# Fleet benchmark (issue 18; not a test, run by hand as root): JOBS (default 20) fresh
# `tcup toolchain install stable --profile minimal` started at once
#   1. through nginx running the shipped installer/nginx/dist-cache.conf, its cache empty, in front
#      of a loopback upstream (nginx serving a local dist tree, with an access log), with
#      TCUP_ARCHIVE_FORMAT=gz (the whole fleet on one format); then 50 simultaneous GETs of an
#      archive not yet cached (one upstream request per slice expected) and a Range request
#      (served from the cache);
#   2. the same with an empty cache and the format on auto (tcup chooses by link speed, so a
#      loaded fleet may fetch both formats);
#   3. again through the now warm cache;
#   4. straight against the upstream.
# For each phase: upstream bytes served and requests (from the upstream's access log), which
# rustc archive format the jobs fetched, the median and p95 install time, failures. Goal for a
# cold cache: upstream bytes at most 1.1 x one toolchain.
#
# The dist tree is `tcup mirror pack` of this machine's stable toolchain (minimal profile, xz and
# gz, as the real dist server offers), made once in target/fleet-mirror (MIRROR=DIR uses another
# tree with the default dist server's layout). Homes are on a fresh loop-mounted ext4 sized for
# JOBS toolchains (ci/loopfs.sh), deleted after each phase; the cache lives in a scratch
# directory removed at the end. TCUP_BIN=path runs another tcup build than target/release/tcup.
#
# Usage: ci/fleet.sh        (JOBS=50 ci/fleet.sh for more)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-20}

[ "$(id -u)" = 0 ] || { echo "fleet: needs root (loop mounts)" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
grep -q -- --with-http_slice_module <<<"$(nginx -V 2>&1)" || { echo "fleet: this nginx lacks the slice module" >&2; exit 1; }
if [ -n "${TCUP_BIN:-}" ]; then
  TCUP=$(realpath "$TCUP_BIN")
else
  cargo build --release --quiet
  TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')

MIRROR=${MIRROR:-$PWD/target/fleet-mirror}
if [ ! -f "$MIRROR/dist/channel-rust-stable.toml" ]; then
  echo "fleet: packing $(rustc --print sysroot) into $MIRROR (once)"
  rm -rf "$MIRROR.tmp"
  "$TCUP" --quiet mirror pack --toolchain "$(rustc --print sysroot)" --out "$MIRROR.tmp" --profile minimal --formats xz,gz
  mv "$MIRROR.tmp" "$MIRROR"
fi

WORK=$(mktemp -d)
chmod 755 "$WORK" # nginx's workers (nobody) write the cache below it
# Stops nginx, unmounts a file system a failed phase left, removes the scratch directory.
cleanup() {
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -s stop 2>/dev/null || true
  sleep 1
  local m
  for m in "$WORK"/loopfs.*.mnt; do
    if [ -d "$m" ]; then umount "$m" && rmdir "$m"; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=ci/loopfs.sh
. ci/loopfs.sh
loopfs_need
UP=$((20000 + RANDOM % 10000))
CACHE=$((UP + 10000))

# The shipped file with its `tcup-fleet:` lines pointed at the loopback upstream; each rewrite
# must apply (a renamed line fails here, not silently).
site=$WORK/dist-cache.conf
sed -e "s#proxy_cache_path /var/cache/nginx/tcup-dist #proxy_cache_path $WORK/cache #" \
  -e "s#server static.rust-lang.org:443; \# tcup-fleet#server 127.0.0.1:$UP; \# tcup-fleet#" \
  -e "s#listen 8080; \# tcup-fleet#listen 127.0.0.1:$CACHE; \# tcup-fleet#" \
  -e "s#set \$tcup_upstream_host static.rust-lang.org; \# tcup-fleet#set \$tcup_upstream_host 127.0.0.1:$UP; \# tcup-fleet#" \
  -e "s#proxy_pass https://tcup_dist_upstream; \# tcup-fleet#proxy_pass http://tcup_dist_upstream; \# tcup-fleet#" \
  installer/nginx/dist-cache.conf >"$site"
for want in "$WORK/cache " "127.0.0.1:$UP; # tcup-fleet: upstream server" "listen 127.0.0.1:$CACHE;" \
  "tcup_upstream_host 127.0.0.1:$UP;"; do
  grep -qF "$want" "$site" || { echo "fleet: installer/nginx/dist-cache.conf changed: no '$want' after the rewrite" >&2; exit 1; }
done
[ "$(grep -c 'proxy_pass http://tcup_dist_upstream;' "$site")" = 2 ] || { echo "fleet: expected two proxy_pass lines" >&2; exit 1; }

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  log_format up '\$status \$body_bytes_sent "\$request" "\$http_range"';
  log_format cache '\$status \$body_bytes_sent "\$request" \$upstream_cache_status';
  access_log $WORK/cache.log cache;
  sendfile on;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$UP; root $MIRROR; access_log $WORK/upstream.log up; }
  include $site;
}
CONF
# (Re)starts nginx with an empty cache.
fresh_nginx() {
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -s stop 2>/dev/null && sleep 1
  rm -rf "$WORK/cache"
  nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
  sleep 1
}

# One toolchain, per format: the channel manifest and its .sha256 plus the minimal profile's
# archives in that format, as the mirror holds them (bytes).
one_toolchain() {
  local ext=$1 total
  total=$(stat -c %s "$MIRROR/dist/channel-rust-stable.toml" "$MIRROR/dist/channel-rust-stable.toml.sha256" | paste -sd+)
  total="$total+$(stat -c %s "$MIRROR"/dist/*/{rustc,rust-std,cargo}-*-"$HOST".tar."$ext" | paste -sd+)"
  echo $((total))
}
ONE_GZ=$(one_toolchain gz)
ONE_XZ=$(one_toolchain xz)

# phase NAME DIST FORMAT → runs JOBS installs at once against DIST with TCUP_ARCHIVE_FORMAT=FORMAT
# on a fresh file system; prints "NAME ok failed median p95 upstream_bytes upstream_requests
# homes_gib rustc_gz rustc_xz load FORMAT" (rustc_gz/xz: which rustc archive the jobs fetched).
phase() {
  local name=$1 dist=$2 format=$3 fs up_before client_before i client_log used
  fs=$(loopfs_new "$WORK" "${JOBS}G")
  up_before=$(wc -l <"$WORK/upstream.log")
  client_before=$(wc -l <"$WORK/cache.log")
  sync
  for i in $(seq "$JOBS"); do
    (
      home=$fs/home$i
      mkdir -p "$home"
      start=$(date +%s%N)
      if env -i PATH="$PATH" HOME="$home" RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo" \
        RUSTUP_DIST_SERVER="$dist" RUSTUP_AUTO_INSTALL=0 TCUP_ARCHIVE_FORMAT="$format" \
        "$TCUP" --quiet toolchain install stable --profile minimal >"$home/out.txt" 2>&1 \
        && "$home/rustup/toolchains/stable-$HOST/bin/rustc" --version >/dev/null; then
        echo "ok $(( ($(date +%s%N) - start) / 1000000 ))" >"$home/result"
      else
        echo "failed $(( ($(date +%s%N) - start) / 1000000 ))" >"$home/result"
      fi
    ) &
  done
  wait
  used=$(df -B1 --output=used "$fs" | tail -1)
  for i in $(seq "$JOBS"); do
    if grep -q '^failed' "$fs/home$i/result"; then
      echo "fleet: $name job $i failed:" >&2
      tail -3 "$fs/home$i/out.txt" >&2
    fi
  done
  tail -n +"$((up_before + 1))" "$WORK/upstream.log" >"$WORK/upstream.$name.log"
  if [ "$dist" = "http://127.0.0.1:$UP" ]; then
    client_log=$WORK/upstream.$name.log
  else
    client_log=$WORK/cache.$name.log
    tail -n +"$((client_before + 1))" "$WORK/cache.log" >"$client_log"
  fi
  cat "$fs"/home*/result | python3 -c '
import sys, math, statistics, os
name, used, log, client, fmt = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = [l.split() for l in sys.stdin if l.strip()]
ok = sorted(int(t) / 1000 for s, t in rows if s == "ok")
failed = sum(1 for s, _ in rows if s != "ok")
lines = [l.split() for l in open(log)]
sent = sum(int(l[1]) for l in lines)
seen = [l.split()[3] for l in open(client) if "/rustc-" in l and l.split()[2] == "\"GET"]
gz = sum(1 for p in seen if p.endswith(".tar.gz"))
xz = sum(1 for p in seen if p.endswith(".tar.xz"))
p95 = ok[max(0, math.ceil(0.95 * len(ok)) - 1)] if ok else float("nan")
med = statistics.median(ok) if ok else float("nan")
print(f"{name} {len(ok)} {failed} {med:.1f} {p95:.1f} {sent} {len(lines)} {used / 2**30:.1f} {gz} {xz} {os.getloadavg()[0]:.0f} {fmt}")
' "$name" "$used" "$WORK/upstream.$name.log" "$client_log" "$format"
  loopfs_drop "$fs"
}

echo "fleet: $JOBS concurrent installs (stable, minimal); tcup $("$TCUP" --version); upstream http://127.0.0.1:$UP serving $MIRROR; cache http://127.0.0.1:$CACHE; $(nginx -v 2>&1)"
fresh_nginx
results=()
# tcup picks gz or xz by the manifest's measured speed (docs/design.md fetch-2); on a loaded
# machine the 20 jobs split, so the fleet is run once with the format pinned and once on auto.
results+=("$(phase cold-cache-gz "http://127.0.0.1:$CACHE" gz)")

# 50 clients missing the same archive at once make one upstream request per 8 MiB slice: rustc's
# .tar.xz, which the gz phase did not fetch; 50 parallel GETs, every body complete.
probe_lines=$(wc -l <"$WORK/upstream.log")
fresh=$(cd "$MIRROR" && ls dist/*/rustc-*-"$HOST".tar.xz)
fresh=/$fresh
size=$(stat -c %s "$MIRROR$fresh")
for i in $(seq 50); do curl -s -o "$WORK/probe.$i" "http://127.0.0.1:$CACHE$fresh" & done
wait
complete=$(for i in $(seq 50); do stat -c %s "$WORK/probe.$i"; done | grep -cx "$size" || true)
rm -f "$WORK"/probe.*
reqs=$(tail -n +"$((probe_lines + 1))" "$WORK/upstream.log" | grep -cF "GET $fresh " || true)
echo "fleet: 50 simultaneous misses of $fresh ($size bytes = $(( (size + 8388607) / 8388608 )) slices of 8 MiB): $complete/50 bodies complete, $reqs upstream requests"
# A range is cut from the cache: no upstream request.
before=$(wc -l <"$WORK/upstream.log")
status=$(curl -s -o /dev/null -D - -r 1000000- "http://127.0.0.1:$CACHE$fresh" | tr -d '\r' | awk 'NR == 1 {print $2} /^X-Cache-Status/ {print $2}' | tr '\n' ' ')
echo "fleet: Range bytes=1000000- of it: HTTP status and X-Cache-Status: $status; upstream requests: $(( $(wc -l <"$WORK/upstream.log") - before ))"

fresh_nginx
results+=("$(phase cold-cache "http://127.0.0.1:$CACHE" auto)")
results+=("$(phase warm-cache "http://127.0.0.1:$CACHE" auto)")
results+=("$(phase direct "http://127.0.0.1:$UP" auto)")

python3 - "$JOBS" "$ONE_GZ" "$ONE_XZ" "${results[@]}" <<'PY'
import sys
jobs, one_gz, one_xz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rows = [r.split() for r in sys.argv[4:]]
direct = next(r for r in rows if r[0] == "direct")
mean = int(direct[5]) / jobs
print()
print(f"| phase ({jobs} jobs at once) | TCUP_ARCHIVE_FORMAT | rustc gz/xz | ok | failed | median s | p95 s | upstream MiB | upstream requests | x one toolchain | homes GiB | load |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, ok, failed, med, p95, sent, reqs, used, gz, xz, load, fmt in rows:
    one = one_gz if fmt == "gz" else mean
    print(f"| {name} | {fmt} | {gz}/{xz} | {ok} | {failed} | {med} | {p95} | {int(sent) / 2**20:.1f} | {reqs} | {int(sent) / one:.2f} | {used} | {load} |")
print(f"\none toolchain: gz {one_gz / 2**20:.1f} MiB, xz {one_xz / 2**20:.1f} MiB (manifest + .sha256 + rustc, rust-std, cargo);")
print(f"auto rows are divided by the mean direct install, {mean / 2**20:.1f} MiB. Goal for a cold cache: <= 1.10 x.")
print("(load: 1-minute load average at the end of the phase, on a machine shared with other work)")
PY
