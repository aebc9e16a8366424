#!/usr/bin/env bash
# Benchmark (not a test): download throughput of each backend against the curl command line.
# Serves a 1 GiB file of random bytes with nginx on loopback, then times, RUNS times each (default 3):
#   - `curl -o /dev/null` (no hashing: the issue's reference),
#   - `curl | sha256sum` (the same work as tcup: every byte hashed),
#   - `tcup --backends B doctor download URL` for rustls, curl, native-tls (SHA-256 in the stream),
#   - the SHA-256 ceiling of this CPU (`openssl speed`).
# Prints median MiB/s, the ratio to the curl command line, and tcup's peak RSS (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
if ! command -v nginx >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light time >/dev/null
fi
cargo build --release --quiet
TCUP=${CARGO_TARGET_DIR:-$PWD/target}/release/tcup
WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx workers run unprivileged
head -c 1073741824 /dev/urandom >"$WORK/big.bin"
# shellcheck source=ci/nginx.sh
. ci/nginx.sh
start_nginx "$WORK" "root $WORK;"
URL=http://127.0.0.1:$PORT/big.bin
MIB=1024

median() { python3 -c 'import sys, statistics; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.0f}")' "$@"; }
secs() { python3 -c 'import sys,time; print(time.time())'; }

curl_cli=()
for _ in $(seq "$RUNS"); do
  curl_cli+=("$(curl -s -o /dev/null -w '%{speed_download}' "$URL" | python3 -c 'import sys; print(float(sys.stdin.read())/1048576)')")
done
ref=$(median "${curl_cli[@]}")
printf '%-22s %10s %8s %10s\n' what "MiB/s" ratio "peak RSS"
printf '%-22s %10s %8s %10s\n' "curl -o /dev/null" "$ref" 1.00 -
piped=()
for _ in $(seq "$RUNS"); do
  t0=$(secs); curl -s "$URL" | sha256sum >/dev/null; t1=$(secs)
  piped+=("$(python3 -c "print($MIB/($t1-$t0))")")
done
p=$(median "${piped[@]}")
printf '%-22s %10s %8s %10s\n' "curl | sha256sum" "$p" "$(python3 -c "print(f'{$p/$ref:.2f}')")" -
for b in rustls curl native-tls; do
  rates=(); rss=()
  for _ in $(seq "$RUNS"); do
    out=$(/usr/bin/time -f 'RSS %M' "$TCUP" --backends "$b" doctor download "$URL" 2>&1)
    rates+=("$(sed -n 's/.*(\([0-9.]*\) MiB\/s).*/\1/p' <<<"$out")")
    rss+=("$(sed -n 's/^RSS //p' <<<"$out")")
  done
  r=$(median "${rates[@]}")
  m=$(python3 -c "print(f'{max(int(x) for x in \"${rss[*]}\".split())/1024:.0f} MiB')")
  printf '%-22s %10s %8s %10s\n' "tcup ($b)" "$r" "$(python3 -c "print(f'{$r/$ref:.2f}')")" "$m"
done
ceiling=$(openssl speed -evp sha256 -bytes 65536 -seconds 1 2>/dev/null | awk '/^sha256/ {print $2}' | tr -d k)
printf '%-22s %10s %8s %10s\n' "SHA-256 ceiling" "$(python3 -c "print(f'{$ceiling*1000/1048576:.0f}')")" "$(python3 -c "print(f'{$ceiling*1000/1048576/$ref:.2f}')")" -
