#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), then format and lint
# checks, unit and integration tests (as root also the root-only ones), and the static build,
# which fails over the size budget (scripts/size.sh --check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
scripts/size.sh --check
