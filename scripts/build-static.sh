#!/usr/bin/env bash
# Builds the static, stripped x86_64-unknown-linux-musl executable, checks that it is static,
# and prints its size. Usage: scripts/build-static.sh  (prints the path of the binary last)
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
cargo build --release --quiet --target "$target"
bin="target/$target/release/daemonbox"
kind=$(file -b "$bin" 2>/dev/null || true)
case "$kind" in
  *"statically linked"*|*"static-pie linked"*) ;;
  "") echo "note: 'file' is not installed; skipping the static check" >&2 ;;
  *) echo "error: $bin is not static: $kind" >&2; exit 1 ;;
esac
size=$(stat -c %s "$bin")
echo "size: $size bytes ($((size / 1024)) KiB)"
echo "$bin"
