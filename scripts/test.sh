#!/usr/bin/env bash
# The whole test suite: format and lint checks, unit and integration tests, the static build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
scripts/build-static.sh
