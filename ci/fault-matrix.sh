#!/usr/bin/env bash
# The download fault matrix (issue 11): every server fault against each backend alone and
# against the default list (first backend faulted, every connection faulted), on loopback.
# Each cell must end with success or one clear error and nothing installed; this prints one
# line per default-list cell with its exit code, wall time and last message.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test it -- faults:: --test-threads 4
cargo test --quiet --test it -- --exact faults::fault_matrix_default_list --nocapture 2>&1 \
  | grep -E ' (rustls|all) faulted +exit '
