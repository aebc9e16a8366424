#!/bin/sh
# shellcheck shell=dash
#
# tcup bootstrap: curl --proto '=https' --tlsv1.2 -sSf https://<update root>/init.sh | sh
#
# Picks the tcup-init build for this system, downloads it with its .sha256, verifies it, and runs
# it with this script's arguments (rustup-init's flags: -y, --default-toolchain, --profile, …).
# The small proxy program published beside it (tcup-proxy, which rustc, cargo, … will be links
# to) is downloaded and verified the same way into the same directory, where tcup-init finds it;
# an update root without one is fine (the proxies then link to tcup itself).
# POSIX sh: runs under dash, busybox ash and bash. It never relies on ldd: the userland is read
# from /bin/sh's own ELF header with od. The tcup-init binary settles the details (ARMv6 vs ARMv7,
# …) itself.
#
# Environment:
#   TCUP_UPDATE_ROOT       where tcup-init builds live (default https://static.tcup.rs);
#                          http:// only with TCUP_INIT_ALLOW_HTTP=1 (local testing)
#   TCUP_VERSION           pin a tcup version (fetches <root>/archive/<version>/<triple>/tcup-init)
#   TCUP_INIT_DOWNLOADER   curl or wget: use only that one (default: curl, then wget)
#   TCUP_INIT_SKIP_VERIFY  1: install even when no SHA-256 tool exists (not recommended)
#   TCUP_INIT_STALL_SECONDS  abort a transfer that moves no data for this long (default 30)
#   TCUP_INIT_YES          1: same as -y

set -u

TCUP_UPDATE_ROOT="${TCUP_UPDATE_ROOT:-https://static.tcup.rs}"
STALL="${TCUP_INIT_STALL_SECONDS:-30}"

say() {
    printf 'tcup-init.sh: %s\n' "$1" >&2
}

err() {
    say "error: $1"
    exit 1
}

has() {
    command -v "$1" >/dev/null 2>&1
}

# Prints the host triple of the tcup-init build to fetch, or fails with a clear message.
detect_triple() {
    _os="$(uname -s)"
    [ "$_os" = "Linux" ] || err "unsupported operating system '$_os': tcup supports Linux"
    _cpu="$(uname -m)"
    # The loader /bin/sh names (its PT_INTERP, in the first KiB) decides: Alpine with gcompat has
    # a glibc loader beside musl's. A static or unreadable /bin/sh leaves it to the loaders: a
    # musl userland has musl's and no glibc loader; Debian's `musl` package (for musl-gcc) puts a
    # musl loader beside glibc's, and that system is still glibc.
    _libc=gnu
    _interp="$(dd if=/bin/sh bs=1024 count=1 2>/dev/null | tr -c 'a-z0-9.-' '\n' | grep '^ld-' | head -n 1)"
    case "$_interp" in
        ld-musl-*) _libc=musl ;;
        ld-linux*) ;;
        *)
            _glibc=""
            for _loader in /lib/ld-linux*.so.* /lib64/ld-linux*.so.*; do
                [ -e "$_loader" ] && _glibc=1
            done
            if [ -z "$_glibc" ] && ls /lib/ld-musl-*.so.1 >/dev/null 2>&1; then
                _libc=musl
            fi
            ;;
    esac
    _class=""
    _machine=""
    _flags=0
    if [ -r /bin/sh ] && has od; then
        # shellcheck disable=SC2046
        set -- $(od -An -t u1 -N 64 /bin/sh 2>/dev/null)
        if [ "$#" -ge 52 ] && [ "$1" = 127 ] && [ "$2" = 69 ] && [ "$3" = 76 ] && [ "$4" = 70 ]; then
            _class="$5"
            _machine=$(( ${19} + ${20} * 256 ))
            if [ "$_class" = 1 ]; then
                _flags=$(( ${37} + ${38} * 256 + ${39} * 65536 + ${40} * 16777216 ))
            else
                _flags=$(( ${49} + ${50} * 256 + ${51} * 65536 + ${52} * 16777216 ))
            fi
        fi
    fi
    if [ -z "$_machine" ]; then
        case "$_cpu" in
            x86_64 | amd64) _class=2; _machine=62 ;;
            aarch64 | arm64) _class=2; _machine=183 ;;
            i?86) _class=1; _machine=3 ;;
            armv6l | armv7l | armv8l) _class=1; _machine=40; _flags=1024 ;;
            *) err "unsupported CPU '$_cpu' (and /bin/sh could not be read)" ;;
        esac
    fi
    case "$_machine/$_class/$_libc" in
        62/2/gnu) echo x86_64-unknown-linux-gnu ;;
        62/2/musl) echo x86_64-unknown-linux-musl ;;
        183/2/gnu) echo aarch64-unknown-linux-gnu ;;
        183/2/musl) echo aarch64-unknown-linux-musl ;;
        3/1/gnu) echo i686-unknown-linux-gnu ;;
        40/1/gnu)
            # The ARMv6 build runs on every 32-bit hard-float ARM; tcup-init then picks v6 or v7.
            if [ $(( (_flags / 1024) % 2 )) = 1 ]; then
                echo arm-unknown-linux-gnueabihf
            else
                echo arm-unknown-linux-gnueabi
            fi
            ;;
        40/1/musl | 3/1/musl)
            err "no Rust toolchain exists for a 32-bit musl userland (e.g. Alpine on ARMv7 or x86): use a glibc-based image such as Debian"
            ;;
        *) err "unsupported userland: ELF class $_class, machine $_machine, libc $_libc (uname -m: $_cpu)" ;;
    esac
}

# fetch URL FILE: downloads with curl, falling back to wget when curl is absent, fails or stalls.
fetch() {
    _url="$1"
    _out="$2"
    _proto='=https'
    if [ "${TCUP_INIT_ALLOW_HTTP:-0}" = 1 ]; then
        _proto='=http,https'
    fi
    _which="${TCUP_INIT_DOWNLOADER:-}"
    case "$_which" in
        "" | curl | wget) ;;
        *) err "TCUP_INIT_DOWNLOADER='$_which' is not valid: expected curl or wget" ;;
    esac
    if [ "$_which" != wget ] && has curl; then
        if curl --proto "$_proto" --tlsv1.2 --silent --show-error --fail --location \
            --connect-timeout 30 --speed-limit 10 --speed-time "$STALL" --retry 3 \
            --output "$_out" "$_url"; then
            return 0
        fi
        [ "$_which" = curl ] && err "curl could not download $_url"
        has wget || err "curl could not download $_url (and wget, to try next, is not installed)"
        say "curl could not download $_url; trying wget"
    elif [ "$_which" = curl ]; then
        err "TCUP_INIT_DOWNLOADER=curl but curl is not installed"
    fi
    has wget || err "cannot download $_url: neither curl nor wget is installed"
    if wget --help 2>&1 | grep -q BusyBox; then
        # Some busybox builds lack wget's -T (and crash when given it): bound them with timeout.
        if wget --help 2>&1 | grep -q -- '-T SEC'; then
            wget -q -T "$STALL" -O "$_out" "$_url" || err "wget could not download $_url"
        elif has timeout; then
            timeout "$(( STALL * 20 ))" wget -q -O "$_out" "$_url" || err "wget could not download $_url"
        else
            wget -q -O "$_out" "$_url" || err "wget could not download $_url"
        fi
    else
        _https=""
        if [ "${TCUP_INIT_ALLOW_HTTP:-0}" != 1 ]; then
            _https="--https-only"
        fi
        # shellcheck disable=SC2086
        wget -q $_https --secure-protocol=TLSv1_2 --timeout="$STALL" --tries=3 -O "$_out" "$_url" \
            || err "wget could not download $_url"
    fi
}

# Prints the SHA-256 of FILE, or nothing when no tool for it exists.
sha256_of() {
    if has sha256sum; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif has shasum; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif has openssl; then
        openssl dgst -sha256 "$1" | sed 's/^.*= *//'
    fi
}

# verify NAME URL: checks $_dir/NAME against $_dir/NAME.sha256 (downloaded from URL.sha256).
verify() {
    _expected="$(cut -d ' ' -f 1 <"$_dir/$1.sha256")"
    _actual="$(sha256_of "$_dir/$1")"
    if [ -z "$_actual" ]; then
        [ "${TCUP_INIT_SKIP_VERIFY:-0}" = 1 ] \
            || err "cannot verify $1: no sha256sum, shasum or openssl here (TCUP_INIT_SKIP_VERIFY=1 skips the check)"
        say "warning: not verifying $1 (TCUP_INIT_SKIP_VERIFY=1)"
    elif [ "$_actual" != "$_expected" ]; then
        err "checksum mismatch for $2: expected $_expected, got $_actual; nothing was installed"
    fi
    chmod u+x "$_dir/$1"
}

main() {
    case "$TCUP_UPDATE_ROOT" in
        https://*) ;;
        http://*)
            [ "${TCUP_INIT_ALLOW_HTTP:-0}" = 1 ] \
                || err "TCUP_UPDATE_ROOT=$TCUP_UPDATE_ROOT is not https; set TCUP_INIT_ALLOW_HTTP=1 to allow it for local testing"
            ;;
        *) err "TCUP_UPDATE_ROOT=$TCUP_UPDATE_ROOT is not an https:// URL" ;;
    esac
    _triple="$(detect_triple)" || exit 1
    if [ -n "${TCUP_VERSION:-}" ]; then
        _url="$TCUP_UPDATE_ROOT/archive/$TCUP_VERSION/$_triple/tcup-init"
    else
        _url="$TCUP_UPDATE_ROOT/dist/$_triple/tcup-init"
    fi
    _dir="$(mktemp -d 2>/dev/null || mktemp -d -t tcup)" || err "cannot create a temporary directory"
    trap 'rm -rf "$_dir"' EXIT
    trap 'rm -rf "$_dir"; exit 1' HUP INT TERM
    # fetch sets _url (sh has no local variables): keep the two URLs apart.
    _init_url="$_url"
    _proxy_url="${_url%/tcup-init}/tcup-proxy"
    say "downloading tcup-init for $_triple"
    fetch "$_init_url" "$_dir/tcup-init"
    fetch "$_init_url.sha256" "$_dir/tcup-init.sha256"
    verify tcup-init "$_init_url"
    # Optional: fetched in subshells, so that a failed download (an update root without it) is
    # not fatal; the proxies then link to tcup. A checksum mismatch still stops the install.
    if (fetch "$_proxy_url.sha256" "$_dir/tcup-proxy.sha256") 2>/dev/null \
        && grep -Eq '^[0-9a-fA-F]{64}( |$)' "$_dir/tcup-proxy.sha256"; then
        if (fetch "$_proxy_url" "$_dir/tcup-proxy"); then
            verify tcup-proxy "$_proxy_url"
        else
            rm -f "$_dir/tcup-proxy"
            say "warning: could not download tcup-proxy; the proxies will run tcup itself"
        fi
    fi
    chmod u+x "$_dir/tcup-init"
    "$_dir/tcup-init" --version >/dev/null 2>&1
    if [ "$?" = 126 ]; then
        err "cannot run programs in $_dir (is it mounted noexec?); set TMPDIR to a directory that allows execution"
    fi
    _yes="${TCUP_INIT_YES:-0}"
    for _arg in "$@"; do
        case "$_arg" in
            -y | -*y*) case "$_arg" in --*) ;; *) _yes=1 ;; esac ;;
        esac
    done
    if [ "$_yes" != 1 ] && [ ! -t 0 ]; then
        # Piped from curl: ask on the terminal, as rustup-init.sh does.
        if (: </dev/tty) 2>/dev/null; then
            "$_dir/tcup-init" "$@" </dev/tty
            exit "$?"
        fi
        err "no terminal to ask questions on; run with -y to install without them: curl ... | sh -s -- -y"
    fi
    "$_dir/tcup-init" "$@"
}

main "$@"
