#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), then format and lint
# checks, unit and integration tests (as root also the root-only ones; the unit tests replay
# every committed fuzz corpus), a few seconds of every fuzz target where cargo-fuzz is
# installed, and the static build, which fails over the size budget (scripts/size.sh --check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
if command -v cargo-fuzz >/dev/null; then
  scripts/fuzz.sh 3
fi
scripts/size.sh --check
