# shellcheck shell=bash
# The cases of ci/real-world.sh (sourced by it; see its header for what each proves). Each case is
# a function case_NAME that prints what it saw and returns non-zero on the first failure. They run
# under `if`, so set -e does not apply inside: every step checks its own status.

# step LOG WHAT CMD...: runs CMD with its output in LOG; prints WHAT and the time, or the log's tail.
step() {
  local log=$1 what=$2 t0 rc=0
  shift 2
  t0=$(date +%s)
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "  ok ($(($(date +%s) - t0)) s): $what"
  else
    echo "  FAIL (exit $rc): $what; last lines of $log:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
  return "$rc"
}

# --- case 1: the default dist server on x86_64 ----------------------------------------------------
case_dist_x86_64() {
  local h=$FS/dist-x86_64 l=$FS/dist-x86_64.log t out
  mkdir -p "$h" "$l"
  step "$l/init" "tcup-init -y: stable, default profile, from $DIST" \
    in_home "$h" "$TCUP_INIT" -y --no-modify-path || return 1
  out=$(in_home "$h" rustc --version) || return 1
  echo "  rustc --version: $out"
  step "$l/install" "tcup toolchain install stable beta nightly 1.95.0 -t aarch64-unknown-linux-musl -t wasm32-wasip1" \
    in_home "$h" tcup toolchain install stable beta nightly 1.95.0 \
    -t aarch64-unknown-linux-musl -t wasm32-wasip1 || return 1
  for t in stable beta nightly 1.95.0; do
    for target in aarch64-unknown-linux-musl wasm32-wasip1; do
      [ -d "$h/.rustup/toolchains/$t-x86_64-unknown-linux-gnu/lib/rustlib/$target/lib" ] ||
        fail "$t has no standard library for $target" || return 1
    done
    echo "  $t: $(in_home "$h" rustc "+$t" --version), std for aarch64-unknown-linux-musl and wasm32-wasip1"
  done

  # A crate with a dependency from the registry, built through the proxies.
  step "$l/new-dep" "cargo new dep" in_home "$h" sh -c "cd '$h' && cargo new --vcs none --quiet dep" || return 1
  printf 'itoa = "1"\n' >>"$h/dep/Cargo.toml"
  printf 'fn main() {\n    let mut b = itoa::Buffer::new();\n    println!("itoa says {}", b.format(19_u32));\n}\n' \
    >"$h/dep/src/main.rs"
  step "$l/run-dep" "cargo run of a crate depending on itoa (from the crate registry)" \
    in_home "$h" sh -c "cd '$h/dep' && cargo run --quiet" || return 1
  grep -qx 'itoa says 19' "$l/run-dep" || fail "the crate printed: $(cat "$l/run-dep")" || return 1

  # Hello world for aarch64-unknown-linux-musl, linked by the toolchain's own rust-lld.
  step "$l/new-hello" "cargo new hello" in_home "$h" sh -c "cd '$h' && cargo new --vcs none --quiet hello" || return 1
  step "$l/cross" "cargo build --target aarch64-unknown-linux-musl (linker rust-lld, self-contained)" \
    in_home "$h" env CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
    sh -c "cd '$h/hello' && cargo build --quiet --release --target aarch64-unknown-linux-musl" || return 1
  local bin=$h/hello/target/aarch64-unknown-linux-musl/release/hello
  grep -q 'Machine: *AArch64' <<<"$(readelf -h "$bin")" || fail "$bin is not AArch64" || return 1
  ! grep -q 'program interpreter' <<<"$(readelf -l "$bin")" || fail "$bin is not static" || return 1
  out=$(qemu-aarch64 -cpu cortex-a53 "$bin") || fail "qemu-aarch64 could not run $bin" || return 1
  [ "$out" = "Hello, world!" ] || fail "the aarch64 hello printed '$out'" || return 1
  echo "  qemu-aarch64 -cpu cortex-a53 hello: $out"

  # A toolchain whose compiler cannot run here: installed, with a warning; rustup's flag accepted.
  step "$l/non-host" "tcup toolchain install stable-aarch64-unknown-linux-gnu" \
    in_home "$h" tcup toolchain install stable-aarch64-unknown-linux-gnu || return 1
  grep -q 'warning: .*may not run here' "$l/non-host" || fail "no warning that it cannot run here" || return 1
  echo "  warned: $(grep -m 1 'warning:' "$l/non-host")"
  [ -x "$h/.rustup/toolchains/stable-aarch64-unknown-linux-gnu/bin/rustc" ] ||
    fail "stable-aarch64-unknown-linux-gnu has no rustc" || return 1
  step "$l/force-non-host" "tcup toolchain install --force-non-host stable-aarch64-unknown-linux-gnu (rustup's flag)" \
    in_home "$h" tcup toolchain install --force-non-host stable-aarch64-unknown-linux-gnu || return 1

  # The next day: nothing changed upstream, so nothing is downloaded. (Channel toolchains only:
  # 1.95.0 is pinned, as in rustup.)
  step "$l/update" "tcup update (again)" in_home "$h" tcup update || return 1
  sed 's/^/    /' "$l/update"
  for t in stable-x86_64 beta-x86_64 nightly-x86_64 stable-aarch64; do
    grep -q "^  $t-unknown-linux-gnu unchanged" "$l/update" || fail "$t was not unchanged" || return 1
  done
  if grep -qi 'download' "$l/update"; then fail "the second update downloaded something" || return 1; fi
  [ -z "$(ls -A "$h/.rustup/downloads" 2>/dev/null)" ] || fail "downloads/ is not empty after update" || return 1

  # rustup reads the home tcup wrote, and agrees on which toolchains an update covers.
  step "$l/rustup" "rustup update --no-self-update on tcup's home" \
    in_home "$h" "$RUSTUP" update --no-self-update || return 1
  sed 's/^/    /' "$l/rustup"
  grep -q ' unchanged - ' "$l/rustup" || fail "rustup called nothing unchanged" || return 1
  ! grep -Eq ' (updated|installed) - rustc' "$l/rustup" || fail "rustup changed a toolchain tcup installed" || return 1
  local ours theirs
  ours=$(sed -n 's/^  \([^ ]*\) unchanged - .*/\1/p' "$l/update" | sort | tr '\n' ' ')
  theirs=$(sed -n 's/^ *\([^ ]*\) unchanged - .*/\1/p' "$l/rustup" | sort | tr '\n' ' ')
  [ "$ours" = "$theirs" ] || fail "tcup update covers [$ours], rustup update covers [$theirs]" || return 1
  echo "  rustup list: $(in_home "$h" "$RUSTUP" toolchain list | tr '\n' ' ')"
  return 0
}

# --- case 1b: side by side with rustup-init --------------------------------------------------------
# rustup_init TRIPLE: prints the path of rustup-init for TRIPLE from rustup's update root on the
# default dist server, downloaded once and checked against its .sha256.
rustup_init() {
  local ri=$CACHE/rustup-init-$1 url=$DIST/rustup/dist/$1/rustup-init sum
  if [ ! -x "$ri" ]; then
    curl -sSf -o "$ri.part" "$url" || return 1
    sum=$(curl -sSf "$url.sha256" | cut -d ' ' -f 1) || return 1
    [ "$(sha256sum "$ri.part" | cut -d ' ' -f 1)" = "$sum" ] || { echo "real-world: $url: checksum mismatch" >&2; return 1; }
    chmod 755 "$ri.part" && mv "$ri.part" "$ri"
  fi
  echo "$ri"
}

case_side_by_side() {
  local ri i tool h t m bin
  ri=$(rustup_init x86_64-unknown-linux-gnu) || return 1
  echo "  rustup-init: $("$ri" --version 2>/dev/null | head -n 1); tcup-init: $("$TCUP_INIT" --version)"
  start_local_mirror || return 1
  for i in 1 2 3; do
    for tool in tcup rustup local; do
      if [ "$tool" = local ]; then
        local_mirror_run "$i" || return 1
        continue
      fi
      h=$FS/bench-$tool-$i
      mkdir -p "$h"
      if [ "$tool" = tcup ]; then bin=$TCUP_INIT; else bin=$ri; fi
      measure "$FS/bench-$tool-$i.time" env -i PATH="$h/.cargo/bin:/usr/bin:/bin" HOME="$h" \
        RUSTUP_HOME="$h/.rustup" CARGO_HOME="$h/.cargo" "$bin" -y --no-modify-path --profile default \
        --default-toolchain stable >"$FS/bench-$tool-$i.log" 2>&1 || {
        fail "$tool run $i:"; tail -n 5 "$FS/bench-$tool-$i.log"; return 1; }
      in_home "$h" rustc --version >/dev/null || fail "$tool run $i: rustc does not run" || return 1
      echo "  $tool run $i: $(awk '{printf "%.1f s, peak RSS %.1f MiB", $1, $2 / 1024}' "$FS/bench-$tool-$i.time")"
      rm_below "$h"
    done
  done
  for tool in tcup rustup; do
    t=$(cat "$FS"/bench-"$tool"-?.time | cut -d ' ' -f 1 | median)
    m=$(cat "$FS"/bench-"$tool"-?.time | cut -d ' ' -f 2 | median)
    printf '  median %-6s: %6.1f s wall, %6.1f MiB peak RSS (3 runs)\n' "$tool" "$t" "$(awk "BEGIN { print $m / 1024 }")"
  done
  # What the link allows: the default profile's six .tar.gz archives fetched by six parallel
  # curl processes to /dev/null (3 runs, median), beside tcup's median.
  local urls bytes c tt tr start u pids
  urls=$(curl -sSf https://static.rust-lang.org/dist/channel-rust-stable.toml | python3 -c '
import sys, tomllib
m = tomllib.loads(sys.stdin.read())
for p in ["rustc", "cargo", "rust-std", "rust-docs", "rustfmt-preview", "clippy-preview"]:
    print(m["pkg"][p]["target"]["x86_64-unknown-linux-gnu"]["url"])') || return 1
  for i in 1 2 3; do
    start=$(date +%s.%N)
    bytes=0
    pids=()
    for u in $urls; do
      curl -sSf -o /dev/null -w '%{size_download}\n' "$u" >"$FS/curl-$i-$(basename "$u").size" &
      pids+=($!)
    done
    wait "${pids[@]}" # only these: the loopback servers are children too
    bytes=$(cat "$FS"/curl-"$i"-*.size | awk '{ s += $1 } END { print s }')
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", e - s }' >"$FS/curl-$i.time"
  done
  stop_local_mirror
  c=$(cat "$FS"/curl-?.time | median)
  printf '  six parallel curl (%s MB of .tar.gz): %.2f s (median of 3)\n' "$(awk "BEGIN { print int($bytes / 1e6) }")" "$c"
  local tl
  tt=$(cat "$FS"/bench-tcup-?.time | cut -d ' ' -f 1 | median)
  tr=$(cat "$FS"/bench-rustup-?.time | cut -d ' ' -f 1 | median)
  tl=$(cat "$FS"/bench-local-?.time | cut -d ' ' -f 1 | median)
  printf '  median tcup from a loopback mirror of the same archives: %.1f s (3 runs)\n' "$tl"
  printf '  tcup / rustup = %.2f (goal <= 0.4); tcup / max(parallel curl, loopback mirror) = %.2f (goal <= 1.3)\n' \
    "$(awk "BEGIN { print $tt / $tr }")" "$(awk "BEGIN { m = $c > $tl ? $c : $tl; print $tt / m }")"
}

# start_local_mirror: the same release on loopback — `tcup mirror sync` of stable (gz) into the
# scratch directory, flushed to disk, served by nginx (sendfile: next to no CPU of its own) at
# LOCAL_DIST. local_mirror_run N: tcup-init from it into a fresh home, to FS/bench-local-N.time,
# between the real runs. What the install costs when the link costs nothing, with the very archives
# the real runs unpack (ci/bench.sh's mirror holds this machine's own toolchain, another release).
start_local_mirror() {
  local mirror=$WORK/real-mirror
  LOCAL_CONF=$WORK/nginx-real
  cp "$TCUP_INIT" "$FS/tcup"
  mkdir -p "$FS/sync-home"
  step "$FS/sync.log" "tcup mirror sync --formats gz: stable into $mirror" \
    in_home "$FS/sync-home" "$FS/tcup" mirror sync --out "$mirror" --formats gz || return 1
  sync # its writeback must not fall into the timed runs
  # Workers as root: the mirror is in the scratch directory, which only root may read.
  nginx_conf "$LOCAL_CONF" "root $mirror;" "root root"
  nginx -c "$LOCAL_CONF/nginx/nginx.conf" -p "$LOCAL_CONF/nginx" || return 1
  SERVER_PIDS+=("$(cat "$LOCAL_CONF/nginx/nginx.pid")")
  LOCAL_DIST=http://127.0.0.1:$PORT
}
local_mirror_run() {
  local i=$1 h=$FS/bench-local-$1
  mkdir -p "$h"
  measure "$FS/bench-local-$i.time" env -i PATH="$h/.cargo/bin:/usr/bin:/bin" HOME="$h" \
    RUSTUP_HOME="$h/.rustup" CARGO_HOME="$h/.cargo" RUSTUP_DIST_SERVER="$LOCAL_DIST" \
    "$TCUP_INIT" -y --no-modify-path --profile default --default-toolchain stable >"$FS/bench-local-$i.log" 2>&1 || {
    fail "loopback run $i:"; tail -n 5 "$FS/bench-local-$i.log"; return 1; }
  echo "  tcup from loopback, run $i: $(awk '{printf "%.1f s, peak RSS %.1f MiB", $1, $2 / 1024}' "$FS/bench-local-$i.time")"
  rm_below "$h"
}
stop_local_mirror() {
  nginx -c "$LOCAL_CONF/nginx/nginx.conf" -p "$LOCAL_CONF/nginx" -s stop 2>/dev/null
}

# --- case 3: 32-bit ARM userlands, for which the dist server has no host toolchain ----------------
# busybox_root DIR DEB_ARCH: a root holding Debian's static busybox of that architecture as /bin/sh
# (what host detection reads), this machine's CA bundle and resolver (to reach the dist server).
busybox_root() {
  local r=$1 arch=$2
  under_work "$r"
  mkdir -p "$r/proc" "$r/tmp" "$r/root" "$r/dev" "$r/etc/ssl/certs"
  dpkg-deb -x "$(compgen -G "$BUSYBOX_DEBS/busybox-static_*_$arch.deb" | head -n 1)" "$r"
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  : >"$r/dev/null"
  mount_below "$r/dev/null" --bind /dev/null
  mount_below "$r/proc" -t proc proc
}

case_arm32_refused() {
  local arch cpu machine triple r out rc lines ok=0
  BUSYBOX_DEBS=${TCUP_RELEASE_CACHE:-$HOME/.cache/tcup-release}/busybox
  busybox_debs "$BUSYBOX_DEBS" armhf armel || return 1
  # DEB_ARCH QEMU_CPU KERNEL_MACHINE EXPECTED_TRIPLE CPUINFO_FEATURES
  while read -r arch cpu machine triple features; do
    r=$WORK/arm32-$arch
    busybox_root "$r" "$arch"
    printf 'processor\t: 0\nFeatures\t: %s\nCPU implementer\t: 0x41\n' "${features//,/ }" >"$WORK/cpuinfo-$arch"
    mount_below "$r/proc/cpuinfo" --bind "$WORK/cpuinfo-$arch"
    if [ -x "$UPDATE_ROOT/dist/$triple/tcup-init" ]; then
      # A full update root (ci/release.sh for every triple): the ARM build itself, under qemu.
      cp "$UPDATE_ROOT/dist/$triple/tcup-init" "$r/tcup-init"
      set -- QEMU_CPU="$cpu"
    else
      # x86_64 and aarch64 builds only: this machine's static x86_64 build reads the same userland
      # (host/ decides from the ELF files, the kernel machine and /proc/cpuinfo, nothing else).
      cp "$TCUP_INIT" "$r/tcup-init"
      set -- TCUP_HOST_MACHINE="$machine"
    fi
    rc=0
    out=$(env -i "$@" PATH=/bin HOME=/root "$(command -v timeout)" 120 "$(command -v chroot)" "$r" \
      /tcup-init -y --no-modify-path 2>&1) || rc=$?
    lines=$(grep -c '^error:' <<<"$out" || true)
    echo "  $arch userland, $cpu (kernel says $machine): exit $rc, $lines error line(s):"
    # shellcheck disable=SC2001 # indents every line
    sed 's/^/    /' <<<"$out"
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
      fail "$arch: expected a refusal, got exit $rc"; ok=1
    elif [ "$lines" -ne 1 ] || ! grep '^error:' <<<"$out" | grep "$triple" | grep "$DIST" >/dev/null; then
      fail "$arch: not one error line naming $triple and $DIST"; ok=1
    elif [ -n "$(ls -A "$r/root/.rustup/toolchains" 2>/dev/null)" ]; then
      fail "$arch: something was installed: $(ls "$r/root/.rustup/toolchains")"; ok=1
    fi
  done <<'CASES'
armhf cortex-a7 armv7l armv7-unknown-linux-gnueabihf half,thumb,fastmult,vfp,edsp,neon,vfpv3,tls,vfpv4,idiva,idivt,vfpd32,lpae
armel arm1176,vfp=off armv6l arm-unknown-linux-gnueabi half,thumb,fastmult,edsp,java,tls
CASES
  return "$ok"
}

# --- case 4: container images built with podman (ci/podman.sh) --------------------------------------
case_containers() {
  local arch store tar log ok=0 expect tag
  mkdir -p "$WORK/trust"
  # curl (init.sh) and tcup in the build trust the system's CAs plus this run's private one.
  cat /etc/ssl/certs/ca-certificates.crt "$WORK/ca.pem" >"$WORK/trust/bundle.pem"
  for arch in amd64 arm64; do
    store=$FS/podman-$arch
    log=$FS/containers-debian-$arch.log
    tar=$(base_root "$CACHE/rootfs" "$arch" ca-certificates,curl,gcc,libc6-dev) || return 1
    podman_in "$store" import --quiet --arch "$arch" "$tar" docker.io/library/debian:bookworm-slim >/dev/null || return 1
    case $arch in amd64) expect=x86_64-unknown-linux-gnu ;; arm64) expect=aarch64-unknown-linux-gnu ;; esac
    build_image "$store" "$log" "podman build --arch $arch installer/docker/Dockerfile.debian (update root $ROOT_HTTPS)" \
      --arch "$arch" --build-arg TCUP_UPDATE_ROOT="$ROOT_HTTPS" \
      --volume "$WORK/trust:/run/tcup-trust:ro" --env CURL_CA_BUNDLE=/run/tcup-trust/bundle.pem \
      --env SSL_CERT_FILE=/run/tcup-trust/bundle.pem --env QEMU_CPU=cortex-a53 \
      -t "tcup-real/debian:$arch" -f installer/docker/Dockerfile.debian installer/docker || { ok=1; continue; }
    grep -q "downloading tcup-init for $expect" "$log" || { fail "$arch: init.sh did not pick $expect"; ok=1; }
    grep -q "stable-$expect" "$log" || { fail "$arch: no stable-$expect toolchain"; ok=1; }
    echo "  $arch image: $(grep -m 1 '^rustc ' "$log"); $(grep -m 1 '^cargo ' "$log"); toolchain stable-$expect"
  done

  # The musl image: Debian's static busybox and musl's loader, nothing else (no Alpine rootfs can
  # be had here). The default dist server has no x86_64-unknown-linux-musl rustc: a clear refusal.
  local r=$WORK/musl-root
  under_work "$r"
  mkdir -p "$r/bin" "$r/lib" "$r/etc/ssl/certs" "$r/tmp" "$r/root"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
  cp -L /lib/ld-musl-x86_64.so.1 "$r/lib/ld-musl-x86_64.so.1"
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
  ln -s certs/ca-certificates.crt "$r/etc/ssl/cert.pem"
  tar -C "$r" -cf "$WORK/musl-root.tar" .
  store=$FS/podman-musl
  log=$FS/containers-musl.log
  tag=localhost/tcup-real/musl-busybox:latest
  podman_in "$store" import --quiet "$WORK/musl-root.tar" "$tag" >/dev/null || return 1
  cat >"$WORK/Dockerfile.musl" <<DOCKERFILE
# Dockerfile.alpine's steps on a scratch musl userland (busybox wget instead of apk's curl).
FROM $tag
ARG TCUP_UPDATE_ROOT=https://static.tcup.rs
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/bin
RUN wget -q -O - "\$TCUP_UPDATE_ROOT/init.sh" | sh -s -- -y --no-modify-path --profile minimal
RUN rustc --version && cargo --version
DOCKERFILE
  if build_image "$store" "$log" "podman build of a musl image (expected to be refused)" \
    --build-arg TCUP_UPDATE_ROOT="$ROOT_HTTP" \
    -t tcup-real/musl -f "$WORK/Dockerfile.musl" "$WORK"; then
    fail "musl image: installed, but $DIST has no x86_64-unknown-linux-musl rustc"; ok=1
  else
    grep -q "downloading tcup-init for x86_64-unknown-linux-musl" "$log" || { fail "musl: init.sh did not pick x86_64-unknown-linux-musl"; ok=1; }
    if grep -E '^(tcup|error)' "$log" | grep "x86_64-unknown-linux-musl" | grep "$DIST" >/dev/null; then
      echo "  musl image: refused: $(grep '^error' "$log" | grep -m 1 x86_64-unknown-linux-musl)"
    else
      fail "musl image: no line naming x86_64-unknown-linux-musl and $DIST:"; tail -n 8 "$log"; ok=1
    fi
  fi
  return "$ok"
}

# --- case 2: an emulated arm64 machine ------------------------------------------------------------
# arm64_root DIR: the arm64 Debian root (minbase + ca-certificates curl gcc libc6-dev) unpacked at
# DIR, with /proc (a Cortex-A53's cpuinfo bound over it), /dev and this machine's resolver.
arm64_root() {
  local r=$1 tar
  under_work "$r"
  tar=$(base_root "$CACHE/rootfs" arm64 ca-certificates,curl,gcc,libc6-dev) || return 1
  mkdir -p "$r"
  tar -C "$r" -xf "$tar" || return 1
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  # This machine reaches the dist server through a gateway whose CA only its own bundle holds.
  cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/ca-certificates.crt"
  printf 'processor\t: 0\nBogoMIPS\t: 38.40\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd03\nCPU revision\t: 4\n' >"$WORK/cpuinfo-a53"
  mount_below "$r/proc" -t proc proc
  mount_below "$r/proc/cpuinfo" --bind "$WORK/cpuinfo-a53"
  mount_below "$r/dev" --bind /dev
}

case_arm64_machine() {
  local ri tool r log t0 ok=0 install_s run_s summary=()
  ri=$(rustup_init aarch64-unknown-linux-gnu) || return 1
  for tool in rustup tcup; do
    if [ "$tool" = tcup ] && [ ! -x "$UPDATE_ROOT/dist/aarch64-unknown-linux-gnu/tcup-init" ]; then
      fail "no dist/aarch64-unknown-linux-gnu/tcup-init in $UPDATE_ROOT"; ok=1; continue
    fi
    r=$FS/arm64-$tool
    log=$FS/arm64-$tool
    arm64_root "$r" || return 1
    # Inside: the Cortex-A53 for every process (qemu-user reads QEMU_CPU), nothing of this shell.
    local clean=(env -i QEMU_CPU=cortex-a53 PATH=/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin HOME=/root)
    local enter=("$(command -v timeout)" 3600 "$(command -v chroot)" "$r")
    local in_root=("${clean[@]}" "${enter[@]}")
    t0=$(date +%s)
    if [ "$tool" = tcup ]; then
      # shellcheck disable=SC2016 # expanded inside the root
      step "$log-install.log" "arm64: curl \$TCUP_UPDATE_ROOT/init.sh | sh -s -- -y (update root $ROOT_HTTP)" \
        "${clean[@]}" TCUP_UPDATE_ROOT="$ROOT_HTTP" "${enter[@]}" \
        sh -c 'curl -sSf "$TCUP_UPDATE_ROOT/init.sh" | sh -s -- -y --no-modify-path' || { ok=1; continue; }
      grep -q 'downloading tcup-init for aarch64-unknown-linux-gnu' "$log-install.log" ||
        { fail "init.sh did not pick aarch64-unknown-linux-gnu"; ok=1; }
    else
      cp "$ri" "$r/root/rustup-init"
      step "$log-install.log" "arm64: rustup-init -y (from $DIST/rustup)" \
        "${in_root[@]}" /root/rustup-init -y --no-modify-path || { ok=1; continue; }
    fi
    install_s=$(($(date +%s) - t0))
    [ -x "$r/root/.rustup/toolchains/stable-aarch64-unknown-linux-gnu/bin/rustc" ] ||
      { fail "$tool: no stable-aarch64-unknown-linux-gnu toolchain"; ok=1; continue; }
    t0=$(date +%s)
    step "$log-hello.log" "arm64 ($tool's home): cargo new hello && cargo run" "${in_root[@]}" \
      sh -c 'cd /root && cargo new --vcs none --quiet hello && cd hello && cargo run --quiet' || { ok=1; continue; }
    run_s=$(($(date +%s) - t0))
    grep -qx 'Hello, world!' "$log-hello.log" || { fail "$tool: hello printed: $(cat "$log-hello.log")"; ok=1; }
    summary+=("$(printf '  %-6s under qemu (cortex-a53): install %4d s, cargo new + run %4d s; %s' "$tool" \
      "$install_s" "$run_s" "$("${in_root[@]}" rustc --version)")")
    for m in "$r/dev" "$r/proc/cpuinfo" "$r/proc"; do umount "$m"; done
    rm_below "$r"
  done
  printf '%s\n' "${summary[@]}"
  return "$ok"
}
