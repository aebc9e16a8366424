#!/bin/sh
# shellcheck shell=dash
#
# tcup bootstrap: curl --proto '=https' --tlsv1.2 -sSf https://<update root>/init.sh | sh
#
# Picks the tcup-init build for this system, downloads it, verifies it, and runs it with this
# script's arguments (rustup-init's flags: -y, --default-toolchain, --profile, …). The small proxy
# program published beside it (tcup-proxy, which rustc, cargo, … will be links to) is downloaded
# and verified the same way into the same directory, where tcup-init finds it; a release without
# one is fine (the proxies then link to tcup itself).
# POSIX sh: runs under dash, busybox ash and bash (and macOS's /bin/sh). On Linux it never relies on
# ldd: the userland is read from /bin/sh's own ELF header with od. On macOS (uname -s Darwin) the
# build is the machine's, arm64 even under Rosetta. Windows has init.ps1. The tcup-init binary settles the details (ARMv6 vs ARMv7,
# …) itself.
#
# What vouches for the binary it runs (docs/threat-model.md, "The bootstrap never downgrades TLS"):
# - The published init.sh carries the SHA-256 of every build of its own release (RELEASE_SHA256S,
#   written by ci/publish-init-sh.sh) and fetches that release's immutable paths,
#   <root>/archive/<version>/<triple>/tcup-init and tcup-proxy. A binary must match the hash that
#   came with this script, whichever downloader fetched it and over whatever connection.
# - Anything no carried hash covers (another TCUP_VERSION, or every download of a development copy
#   of this script, which carries none) is trusted on its connection alone: https only, the
#   certificate verified, no redirect to anything but https. A TLS failure from curl is final
#   (never retried with wget); GNU wget follows redirects one at a time, checking each; busybox
#   wget must verify through openssl (on PATH) and must not have followed a redirect to http.
# No switch turns any of this off, and no SHA-256 tool at all is a refusal.
#
# Environment:
#   TCUP_UPDATE_ROOT       where tcup-init builds live (default https://static.tcup.rs); http:// only
#                          for the release whose hashes this script carries (a local mirror)
#   TCUP_VERSION           install this tcup version (<root>/archive/<version>/<triple>/tcup-init);
#                          default: this script's own release (a development copy: dist/<triple>/)
#   TCUP_INIT_DOWNLOADER   curl or wget: use only that one (default: curl, then wget)
#   TCUP_INIT_STALL_SECONDS  abort a transfer that moves no data for this long (default 30)
#   TCUP_INIT_YES          1: same as -y

set -u

# --- release hashes: ci/publish-init-sh.sh replaces these lines in the init.sh it publishes ---
# The tcup version this script installs, and one "<sha256> <triple>/<file>" line per build of it.
# Empty in the repository: a development copy, whose every download needs verified TLS.
RELEASE_VERSION=""
RELEASE_SHA256S=""
# --- end of release hashes ---

TCUP_UPDATE_ROOT="${TCUP_UPDATE_ROOT:-https://static.tcup.rs}"
STALL="${TCUP_INIT_STALL_SECONDS:-30}"

say() {
    printf 'tcup-init.sh: %s\n' "$1" >&2
}

err() {
    say "error: $1"
    exit 1
}

# A refusal for security (what would vouch for a download cannot): exit 1, or REFUSE_CODE where an
# optional download runs in a subshell that must tell a refusal from an absent file.
refuse() {
    say "error: $1"
    exit "${REFUSE_CODE:-1}"
}

has() {
    command -v "$1" >/dev/null 2>&1
}

# Prints the macOS triple: the machine's, not this shell's. An x86_64 shell (or a whole x86_64
# Terminal) under Rosetta 2 runs on Apple Silicon, where sysctl.proc_translated is 1: the arm64
# build runs natively there, and installs arm64 toolchains. On Intel the key is 0 or absent.
detect_darwin_triple() {
    _cpu="$(uname -m)"
    if [ "$_cpu" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
        _cpu=arm64
    fi
    case "$_cpu" in
        arm64 | aarch64) echo aarch64-apple-darwin ;;
        x86_64) echo x86_64-apple-darwin ;;
        *) err "unsupported CPU '$_cpu' on macOS" ;;
    esac
}

# Prints the host triple of the tcup-init build to fetch, or fails with a clear message.
detect_triple() {
    _os="$(uname -s)"
    case "$_os" in
        Linux) ;;
        Darwin)
            detect_darwin_triple
            return
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            err "this is Windows ($_os): run init.ps1 in PowerShell, or tcup-init.exe, instead of init.sh"
            ;;
        *) err "unsupported operating system '$_os': tcup supports Linux and macOS" ;;
    esac
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

# Prints the SHA-256 this script carries for TRIPLE's FILE (tcup-init, tcup-proxy), or nothing.
carried_sha256() {
    printf '%s\n' "$RELEASE_SHA256S" | grep " $1/$2\$" | cut -d ' ' -f 1 | head -n 1
}

# Prints the last Location header in FILE (wget -S's server responses), or nothing.
last_location() {
    grep -i '^ *location:' "$1" | tail -n 1 | sed 's/^ *[^:]*: *//' | tr -d '\r'
}

# Prints where a redirect from https URL to LOCATION leads, or fails when that is not https.
redirect_target() {
    case "$2" in
        https://*) echo "$2" ;;
        //*) echo "https:$2" ;;
        /*) echo "$(printf '%s\n' "$1" | sed 's|^\(https://[^/]*\).*$|\1|')$2" ;;
        *:*) refuse "refused the redirect from $1 to $2: it is not https, and nothing else vouches for this download" ;;
        *) echo "${1%/*}/$2" ;;
    esac
}

# Runs busybox wget ARGS with a bound on its time. Some busybox builds lack wget's -T (and crash
# when given it): those are bounded with timeout.
busybox_wget() {
    if wget --help 2>&1 | grep -q -- '-T SEC'; then
        wget -T "$STALL" "$@"
    elif has timeout; then
        timeout "$(( STALL * 20 ))" wget "$@"
    else
        wget "$@"
    fi
}

# fetch_wget URL FILE MODE: fetch's wget half (see fetch).
fetch_wget() {
    _url="$1"
    _out="$2"
    if wget --help 2>&1 | grep -q BusyBox; then
        if [ "$3" = hashed ]; then
            busybox_wget -q -O "$_out" "$_url" || err "wget could not download $_url"
            return 0
        fi
        # Busybox verifies a certificate (chain and host name) only through `openssl s_client`,
        # and only the builds that offer --no-check-certificate; without openssl it falls back to
        # its own TLS, which validates nothing. It follows every redirect, so its server
        # responses (-S) are checked afterwards: nothing fetched is used unless every hop was https.
        wget --help 2>&1 | grep -q -- 'no-check-certificate' \
            || refuse "this busybox wget cannot verify TLS certificates, and nothing else vouches for $_url: install curl (or GNU wget)"
        has openssl \
            || refuse "busybox wget verifies TLS certificates only through openssl, which is not on PATH, and nothing else vouches for $_url: install curl (or openssl)"
        busybox_wget -q -S -O "$_out" "$_url" 2>"$_out.headers"
        _rc=$?
        _loc="$(grep -i '^ *location:' "$_out.headers" | sed 's/^ *[^:]*: *//' | tr -d '\r' \
            | grep -v -e '^https://' -e '^/' | grep ':' | head -n 1)"
        if [ -n "$_loc" ]; then
            rm -f "$_out"
            refuse "refused the redirect from $_url to $_loc: it is not https, and nothing else vouches for this download"
        fi
        if [ "$_rc" != 0 ]; then
            grep -v '^  ' "$_out.headers" >&2
            err "wget could not download $_url"
        fi
        rm -f "$_out.headers"
        return 0
    fi
    if [ "$3" = hashed ]; then
        _https=""
        case "$_url" in https://*) _https="--https-only" ;; esac
        # shellcheck disable=SC2086
        if ! LC_ALL=C wget -nv $_https --secure-protocol=TLSv1_2 --timeout="$STALL" --tries=3 -O "$_out" "$_url" 2>"$_out.log"; then
            cat "$_out.log" >&2
            err "wget could not download $_url"
        fi
        rm -f "$_out.log"
        return 0
    fi
    # GNU wget: --https-only holds only for recursive downloads, so redirects are followed here,
    # one at a time, each checked to be https.
    _next="$_url"
    _hops=0
    while :; do
        LC_ALL=C wget -nv -S --https-only --secure-protocol=TLSv1_2 --timeout="$STALL" --tries=3 \
            --max-redirect=0 -O "$_out" "$_next" 2>"$_out.headers"
        _rc=$?
        if [ "$_rc" = 0 ]; then
            rm -f "$_out.headers"
            return 0
        fi
        if [ "$_rc" = 5 ]; then
            grep -v '^  ' "$_out.headers" >&2
            refuse "the TLS certificate of $_next could not be verified (wget exit 5); nothing else vouches for this download"
        fi
        _loc="$(last_location "$_out.headers")"
        if [ -z "$_loc" ]; then
            grep -v '^  ' "$_out.headers" >&2
            err "wget could not download $_next"
        fi
        _next="$(redirect_target "$_next" "$_loc")" || exit "$?"
        _hops=$(( _hops + 1 ))
        [ "$_hops" -le 10 ] || err "more than 10 redirects from $_url"
    done
}

# fetch URL FILE MODE: downloads URL into FILE with curl, or with wget when curl is absent or
# fails (not for a TLS failure). MODE is "hashed" when the bytes will be checked against a hash
# this script carries (the connection then decides nothing), "tls" when the connection is all
# that vouches for them: https only, certificates verified, no redirect to http, and a wget only
# when it can verify too.
fetch() {
    _url="$1"
    _out="$2"
    _mode="$3"
    _proto='=https'
    case "$_url" in http://*) _proto='=http,https' ;; esac
    _which="${TCUP_INIT_DOWNLOADER:-}"
    case "$_which" in
        "" | curl | wget) ;;
        *) err "TCUP_INIT_DOWNLOADER='$_which' is not valid: expected curl or wget" ;;
    esac
    if [ "$_which" != wget ] && has curl; then
        curl --proto "$_proto" --proto-redir "$_proto" --tlsv1.2 --silent --show-error --fail --location \
            --connect-timeout 30 --speed-limit 10 --speed-time "$STALL" --retry 3 \
            --output "$_out" "$_url"
        _rc=$?
        case "$_rc" in
            0) return 0 ;;
            # curl's TLS failures: connect, certificates, engines, ciphers, CRL, issuer, pinning.
            35 | 51 | 53 | 54 | 58 | 59 | 60 | 64 | 66 | 77 | 80 | 82 | 83 | 90 | 91)
                refuse "the TLS certificate or handshake of $_url could not be verified (curl exit $_rc); a TLS failure is final: no other downloader is tried"
                ;;
            1)
                [ "$_mode" = hashed ] \
                    || refuse "refused $_url: it redirects to a URL that is not https (curl exit 1), and nothing else vouches for this download"
                ;;
        esac
        [ "$_which" = curl ] && err "curl could not download $_url"
        has wget || err "curl could not download $_url (and wget, to try next, is not installed)"
        say "curl could not download $_url; trying wget"
    elif [ "$_which" = curl ]; then
        err "TCUP_INIT_DOWNLOADER=curl but curl is not installed"
    fi
    has wget || err "cannot download $_url: neither curl nor wget is installed"
    fetch_wget "$_url" "$_out" "$_mode"
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

# verify NAME URL EXPECTED WHENCE: checks $_dir/NAME (downloaded from URL) against the SHA-256
# EXPECTED, which came from WHENCE; on a mismatch nothing runs.
verify() {
    _actual="$(sha256_of "$_dir/$1")"
    [ -n "$_actual" ] || err "cannot verify $1: no sha256sum, shasum or openssl here (install coreutils or openssl); nothing was installed"
    if [ "$_actual" != "$3" ]; then
        err "checksum mismatch for $2: expected $3 ($4), got $_actual; nothing was installed"
    fi
    chmod u+x "$_dir/$1"
}

# fetch_proxy URL MODE [SHA256]: downloads and verifies the optional tcup-proxy; an update root
# without it is fine, a refusal for security or a checksum mismatch is not.
fetch_proxy() {
    if [ "$2" = tls ]; then
        # Its .sha256 (integrity only: it comes over the same verified connection).
        (REFUSE_CODE=3 fetch "$1.sha256" "$_dir/tcup-proxy.sha256" tls) 2>"$_dir/proxy.err"
        case "$?" in
            0) ;;
            3) cat "$_dir/proxy.err" >&2; exit 1 ;;
            *) return 0 ;;
        esac
        grep -Eq '^[0-9a-fA-F]{64}( |$)' "$_dir/tcup-proxy.sha256" || return 0
        set -- "$1" "$2" "$(cut -d ' ' -f 1 <"$_dir/tcup-proxy.sha256")" "its .sha256, over verified TLS"
    else
        set -- "$1" "$2" "$3" "carried by this init.sh for tcup $RELEASE_VERSION"
    fi
    (REFUSE_CODE=3 fetch "$1" "$_dir/tcup-proxy" "$2") 2>"$_dir/proxy.err"
    case "$?" in
        0)
            rm -f "$_dir/proxy.err"
            verify tcup-proxy "$1" "$3" "$4"
            ;;
        3) cat "$_dir/proxy.err" >&2; exit 1 ;;
        *)
            rm -f "$_dir/tcup-proxy"
            say "warning: could not download tcup-proxy; the proxies will run tcup itself"
            ;;
    esac
}

main() {
    for _gone in TCUP_INIT_ALLOW_HTTP TCUP_INIT_SKIP_VERIFY; do
        eval "_set=\${$_gone:-}"
        [ -z "$_set" ] || say "warning: $_gone is no longer read: no switch turns verification off"
    done
    _version="${TCUP_VERSION:-$RELEASE_VERSION}"
    _mode=tls
    if [ -n "$RELEASE_VERSION" ] && [ "$_version" = "$RELEASE_VERSION" ]; then
        _mode=hashed
    fi
    case "$TCUP_UPDATE_ROOT" in
        https://*) ;;
        http://*)
            [ "$_mode" = hashed ] || err "TCUP_UPDATE_ROOT=$TCUP_UPDATE_ROOT is not https: only the release whose hashes an init.sh carries may come over http (this one carries ${RELEASE_VERSION:-none})"
            ;;
        *) err "TCUP_UPDATE_ROOT=$TCUP_UPDATE_ROOT is not an https:// URL" ;;
    esac
    case "$_version" in
        *[!0-9A-Za-z.+-]*) err "TCUP_VERSION='$_version' is not a version (expected e.g. 1.2.3)" ;;
    esac
    _triple="$(detect_triple)" || exit 1
    if [ -n "$_version" ]; then
        _base="$TCUP_UPDATE_ROOT/archive/$_version/$_triple"
    else
        _base="$TCUP_UPDATE_ROOT/dist/$_triple"
    fi
    _init_sha=""
    _proxy_sha=""
    if [ "$_mode" = hashed ]; then
        _init_sha="$(carried_sha256 "$_triple" tcup-init)"
        _proxy_sha="$(carried_sha256 "$_triple" tcup-proxy)"
        if [ -z "$_init_sha" ]; then
            case "$_triple" in
                *-apple-darwin) err "tcup $RELEASE_VERSION has no build for $_triple (this init.sh carries no hash for one): this release was published without macOS builds" ;;
                *) err "tcup $RELEASE_VERSION has no build for $_triple (this init.sh carries no hash for one)" ;;
            esac
        fi
    elif [ -n "$RELEASE_VERSION" ]; then
        say "this init.sh carries hashes for tcup $RELEASE_VERSION, not $_version: trusting only a verified https connection"
    else
        say "this init.sh carries no release hashes (a development copy): trusting only a verified https connection"
    fi
    _dir="$(mktemp -d 2>/dev/null || mktemp -d -t tcup)" || err "cannot create a temporary directory"
    trap 'rm -rf "$_dir"' EXIT
    trap 'rm -rf "$_dir"; exit 1' HUP INT TERM
    # fetch sets _url (sh has no local variables): keep the two URLs apart.
    _init_url="$_base/tcup-init"
    _proxy_url="$_base/tcup-proxy"
    say "downloading tcup-init for $_triple"
    fetch "$_init_url" "$_dir/tcup-init" "$_mode"
    if [ "$_mode" = hashed ]; then
        verify tcup-init "$_init_url" "$_init_sha" "carried by this init.sh for tcup $RELEASE_VERSION"
        # A release without a proxy program has no hash for it: the proxies then link to tcup.
        [ -z "$_proxy_sha" ] || fetch_proxy "$_proxy_url" hashed "$_proxy_sha"
    else
        fetch "$_init_url.sha256" "$_dir/tcup-init.sha256" tls
        verify tcup-init "$_init_url" "$(cut -d ' ' -f 1 <"$_dir/tcup-init.sha256")" "its .sha256, over verified TLS"
        fetch_proxy "$_proxy_url" tls
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
