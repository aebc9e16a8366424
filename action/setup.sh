#!/usr/bin/env bash
# The steps of the tcup GitHub Action (action.yml at the repository root), one subcommand a step,
# so that shellcheck lints them and ci/action-local.sh runs exactly them. Each reads its inputs
# from TCUP_* variables that action.yml sets from the action's inputs, and talks back to the runner
# through GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT. docs/action.md describes the action.
#
#   host     the runner's host triple (or a clear failure), the homes, the dist servers, the update root
#   init     fetch tcup-init (and tcup-proxy) for the triple, check them against
#            action/tcup-init.sha256s, install tcup
#   resolve  the toolchain's name, the cache key and the paths to cache
#   install  install the toolchain (from the lock, the toolchain file or the toolchain input)
#   version  rustc -vV, and dtolnay/rust-toolchain's 12-character cachekey
set -euo pipefail

fail() {
  echo "::error::$*" >&2
  exit 1
}

# split LIST → its words, commas and whitespace both separating (dtolnay's inputs), one a line.
split() {
  local IFS=$', \t\n' word
  set -f
  # shellcheck disable=SC2086 # splitting is the point
  for word in $1; do printf '%s\n' "$word"; done
  set +f
}

output() { printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; }

# json_get JSON PATH → the value at a jq path (.a.b.c; a list joined with ", "), "null" for none;
# jq where it is installed (GitHub's images have it), else python3.
json_get() {
  if command -v jq >/dev/null; then
    jq -r "$2 | if type == \"array\" then join(\", \") else . end" <<<"$1"
  else
    python3 -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].lstrip(".").split("."):
    v=v.get(k) if isinstance(v,dict) else None
print("null" if v is None else ", ".join(v) if isinstance(v,list) else v)' "$1" "$2"
  fi
}

host() {
  local triple
  case "${TCUP_RUNNER_OS:-}/${TCUP_RUNNER_ARCH:-}" in
    Linux/X64) triple=x86_64-unknown-linux-gnu ;;
    Linux/ARM64) triple=aarch64-unknown-linux-gnu ;;
    Linux/X86) triple=i686-unknown-linux-gnu ;;
    *) fail "tcup has no build for a ${TCUP_RUNNER_OS:-?} ${TCUP_RUNNER_ARCH:-?} runner yet (tcup-init is built for Linux on X64, ARM64 and X86); use dtolnay/rust-toolchain, which runs rustup, on this runner" ;;
  esac
  echo "host triple: $triple"
  output triple "$triple"
  # The homes every later step (and the workflow's own steps) use: tcup's defaults, made explicit.
  [ -n "${CARGO_HOME:-}" ] || echo "CARGO_HOME=$HOME/.cargo" >>"$GITHUB_ENV"
  [ -n "${RUSTUP_HOME:-}" ] || echo "RUSTUP_HOME=$HOME/.rustup" >>"$GITHUB_ENV"
  local servers
  servers=$(split "${TCUP_DIST_SERVERS_INPUT:-}" | paste -sd , -)
  if [ -n "$servers" ]; then
    # TCUP_DIST_SERVERS is tried in order (docs/variables.md); RUSTUP_DIST_SERVER, the first one,
    # is for rustup, should a step run a real one.
    echo "TCUP_DIST_SERVERS=$servers" >>"$GITHUB_ENV"
    echo "RUSTUP_DIST_SERVER=${servers%%,*}" >>"$GITHUB_ENV"
  fi
  local root=${TCUP_UPDATE_ROOT_INPUT:-https://static.tcup.rs}
  echo "TCUP_UPDATE_ROOT=${root%/}" >>"$GITHUB_ENV"
}

# fetch VERSION PROGRAM DIR → DIR/PROGRAM from the update root, with the SHA-256 the table carries.
fetch() {
  local version=$1 program=$2 dir=$3 want got url
  want=$(awk -v t="$TCUP_TRIPLE/$program" '$2 == t { print $1 }' "$TABLE")
  [ -n "$want" ] || fail "this action (tcup $version) carries no SHA-256 for $TCUP_TRIPLE/$program in $TABLE: tcup $version has no build for this runner"
  url=$TCUP_UPDATE_ROOT/archive/$version/$TCUP_TRIPLE/$program
  echo "fetching $url"
  curl --proto '=https,http' --retry 5 --retry-connrefused --location --silent --show-error --fail --output "$dir/$program" "$url" ||
    fail "could not fetch $url"
  got=$(sha256sum "$dir/$program" | cut -d ' ' -f 1)
  [ "$got" = "$want" ] || fail "$url has SHA-256 $got, but this action (tcup $version) carries $want for $TCUP_TRIPLE: refusing it"
  echo "$program $version for $TCUP_TRIPLE: SHA-256 $got, as this action carries"
  chmod 755 "$dir/$program"
}

init() {
  local version
  TABLE=$TCUP_ACTION_DIR/tcup-init.sha256s
  [ -f "$TABLE" ] || fail "$TABLE is missing: this copy of the action carries no tcup-init hashes"
  version=$(sed -n 's/^version \([0-9A-Za-z.+-]*\)$/\1/p' "$TABLE")
  [ -n "$version" ] || fail "$TABLE names no tcup version (ci/publish-action.sh writes it for a release)"
  INIT_DIR=$(mktemp -d "${RUNNER_TEMP:-/tmp}/tcup-init.XXXXXX")
  trap 'rm -rf "$INIT_DIR"' EXIT
  fetch "$version" tcup-init "$INIT_DIR"
  # The proxy program (docs/design.md active-8) beside tcup-init, where the release has one: the
  # proxies then start in about a millisecond instead of running all of tcup.
  if awk -v t="$TCUP_TRIPLE/tcup-proxy" '$2 == t { found = 1 } END { exit !found }' "$TABLE"; then
    fetch "$version" tcup-proxy "$INIT_DIR"
  fi
  # --as-rustup: workflows run `rustup component add` and friends after a setup action; where
  # the runner image has a real rustup in CARGO_HOME/bin it is left as it is (tcup warns).
  "$INIT_DIR/tcup-init" -y --default-toolchain none --no-modify-path --no-man --as-rustup
  echo "$CARGO_HOME/bin" >>"$GITHUB_PATH"
}

# manifest_path NAME HOST → the channel manifest a toolchain name resolves, relative to the dist server.
manifest_path() {
  local channel=${1%-"$2"}
  if [[ $channel =~ ^(stable|beta|nightly)-([0-9]{4}-[0-9]{2}-[0-9]{2})$ ]]; then
    echo "dist/${BASH_REMATCH[2]}/channel-rust-${BASH_REMATCH[1]}.toml"
  else
    echo "dist/channel-rust-$channel.toml"
  fi
}

# manifest_sha256 PATH → the first dist server's SHA-256 of that manifest, or nothing.
manifest_sha256() {
  local servers=${TCUP_DIST_SERVERS:-${RUSTUP_DIST_SERVER:-https://static.rust-lang.org}}
  curl --proto '=https,http' --retry 3 --retry-connrefused --location --silent --fail "${servers%%,*}/$1.sha256" | cut -d ' ' -f 1
}

resolve() {
  local json name kind lock state mode key material paths
  if [ -n "${TCUP_TOOLCHAIN_INPUT:-}" ]; then
    json=$(RUSTUP_TOOLCHAIN=$TCUP_TOOLCHAIN_INPUT tcup --format json show)
    mode=input
  else
    json=$(tcup --format json show)
    kind=$(json_get "$json" '.active_toolchain.reason.kind')
    lock=$(json_get "$json" '.active_toolchain.lock')
    if [ "$lock" != null ]; then
      mode=lock
      state=$(json_get "$json" '.active_toolchain.lock.state')
      case $state in
        locked) ;;
        drifted) fail "$(json_get "$json" '.active_toolchain.lock.path') no longer matches its toolchain file ($(json_get "$json" '.active_toolchain.lock.drift')): run \`tcup lock\` and commit it" ;;
        no_host) fail "$(json_get "$json" '.active_toolchain.lock.path') locks no archives for $TCUP_TRIPLE: run \`tcup lock --host $TCUP_TRIPLE\` and commit it" ;;
        *) fail "tcup show gave the lock state '$state'" ;;
      esac
    elif [ "$kind" = toolchain_file ]; then
      mode="file"
    else
      fail "no toolchain input and no rust-toolchain.toml in $PWD: give the action a toolchain, or commit a toolchain file (and its rust-toolchain.lock, \`tcup lock\`)"
    fi
  fi
  name=$(json_get "$json" '.active_toolchain.name')
  [[ -n $name && $name != null ]] || fail "tcup show names no active toolchain"
  case $mode in
    lock)
      key=$(json_get "$json" '.active_toolchain.lock.cache_key')
      output lock-cache-key "$key"
      key=tcup-$name-$key
      ;;
    *)
      local sha
      sha=$(manifest_sha256 "$(manifest_path "$name" "$TCUP_TRIPLE")" || true)
      if [ -z "$sha" ]; then
        echo "::warning::no channel manifest SHA-256 for $name on the dist server: the toolchain is not cached"
        key=
      else
        # What the installed directory depends on: the manifest, the host, what is installed.
        material="manifest $sha"$'\n'"host $TCUP_TRIPLE"
        if [ "$mode" = input ]; then
          material+=$'\n'"profile minimal"
          material+=$'\n'"components $(split "${TCUP_COMPONENTS_INPUT:-}" | sort -u | paste -sd , -)"
          material+=$'\n'"targets $(split "${TCUP_TARGETS_INPUT:-}" | sort -u | paste -sd , -)"
        else
          material+=$'\n'"toolchain-file $(sha256sum "$(json_get "$json" '.active_toolchain.reason.path')" | cut -d ' ' -f 1)"
        fi
        key=tcup-$name-$(sha256sum <<<"$material" | cut -d ' ' -f 1)
      fi
      ;;
  esac
  paths=$RUSTUP_HOME/toolchains/$name$'\n'$RUSTUP_HOME/update-hashes/$name
  echo "toolchain $name ($mode), cache key ${key:-(none)}"
  output name "$name"
  output mode "$mode"
  output key "$key"
  printf 'paths<<EOF_PATHS\n%s\nEOF_PATHS\n' "$paths" >>"$GITHUB_OUTPUT"
}

install() {
  local dir=$RUSTUP_HOME/toolchains/$TCUP_NAME
  case $TCUP_MODE in
    lock)
      # Checks the restored (or installs the missing) toolchain against the lock; drift is an error.
      tcup toolchain install --locked
      ;;
    file)
      if [ "${TCUP_CACHE_HIT:-}" = true ] && [ -d "$dir" ]; then
        echo "$TCUP_NAME restored from the cache"
      else
        tcup toolchain install
      fi
      ;;
    input)
      if [ "${TCUP_CACHE_HIT:-}" = true ] && [ -d "$dir" ]; then
        echo "$TCUP_NAME restored from the cache (its key pins the manifest, components and targets)"
      else
        local flags=() word
        while read -r word; do flags+=(--component "$word"); done < <(split "${TCUP_COMPONENTS_INPUT:-}")
        while read -r word; do flags+=(--target "$word"); done < <(split "${TCUP_TARGETS_INPUT:-}")
        tcup toolchain install "$TCUP_TOOLCHAIN_INPUT" --profile minimal --no-self-update "${flags[@]}"
      fi
      ;;
    *) fail "unknown mode '$TCUP_MODE'" ;;
  esac
  tcup default "$TCUP_NAME"
}

version() {
  local vv date hash
  vv=$(rustc +"$TCUP_NAME" --version --verbose)
  echo "$vv"
  date=$(sed -ne 's/^commit-date: \(20[0-9][0-9]\)-\([01][0-9]\)-\([0-3][0-9]\)$/\1\2\3/p' <<<"$vv")
  hash=$(sed -ne 's/^commit-hash: //p' <<<"$vv")
  output cachekey "$(printf '%s%s' "$date" "$hash" | head -c 12)"
}

case ${1:-} in
  host | init | resolve | install | version) "$1" ;;
  *)
    echo "usage: action/setup.sh host|init|resolve|install|version" >&2
    exit 2
    ;;
esac
