#!/usr/bin/env bash
# The download fault matrix (issue 11): every server fault against each backend alone and
# against the default list (first backend faulted, every connection faulted), on loopback.
# Each cell must end with success or one clear error and nothing installed; this prints one
# line per default-list cell with its exit code, wall time and last message.
#
# DNS-blackhole cells (issue 18, tests/it/faults_dns.rs): the only dist server is a name whose
# nameserver never answers (`options timeout:30 attempts:5`), TCUP_CONNECT_TIMEOUT=5, run as root
# in a private mount namespace. Goal: one error line within 2 x TCUP_CONNECT_TIMEOUT = 10 s.
# Measured 2026-12-01 (2 shared cores, debug build, the four cells in parallel):
#   backend        exit  time    lines   before issue 18
#   curl           1     5.1 s   2       ~150 s per attempt in getaddrinfo; 389 s, 13 lines
#   rustls         1     5.0 s   2       5 s x 4 attempts + retry delays
#   native-tls     1     5.2 s   2       5 s x 4 attempts + retry delays
#   default list   1     5.3 s   2       all of the above in turn
#   TCUP_DIST_SERVERS=<that name>,<good server>: exit 0 in 5.3 s, installed from the good one
# ("lines": the `info: syncing channel updates` line and the one `error:` line.)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test it -- faults:: --test-threads 4
cargo test --quiet --test it -- --exact faults::fault_matrix_default_list --nocapture 2>&1 \
  | grep -E ' (rustls|all) faulted +exit '
cargo test --quiet --test it -- faults::dns:: --nocapture 2>&1 | grep '^dns-blackhole '
