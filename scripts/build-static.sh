#!/usr/bin/env bash
# Builds the static, stripped x86_64-unknown-linux-musl executable, checks that it is static
# (and, for the small build, that `daemonbox --version` says so), and prints its size; the
# path of the binary is the last line of output.
#
# By default the standard library is rebuilt with the release profile and panics abort at
# once without formatting a message (no unwinder, no backtrace symboliser: about 5x smaller),
# and no unwind tables are emitted, since nothing ever unwinds (about 20 KB less).
# That needs the rust-src component and the toolchain's bootstrap switch for two unstable
# flags. DAEMONBOX_BUILD=plain builds with the prebuilt standard library instead.
# DAEMONBOX_SYMBOLS=1 keeps the symbols (its own target dir; scripts/size.sh reads them).
# DAEMONBOX_PROGRESS=1 lets cargo show what it compiles (scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
quiet=--quiet
[ -n "${DAEMONBOX_PROGRESS:-}" ] && quiet=
rustup target list --installed | grep -qx "$target" || rustup target add "$target" >&2
case "${DAEMONBOX_BUILD:-small}" in
  small)
    rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src >&2
    dir=target/small
    if [ -n "${DAEMONBOX_SYMBOLS:-}" ]; then
      dir=target/small-symbols
      export CARGO_PROFILE_RELEASE_STRIP=false
    fi
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Cforce-unwind-tables=no" \
      cargo build --release $quiet --target "$target" --target-dir "$dir" \
      -Z build-std=std,panic_abort
    want="(small static build)"
    ;;
  plain)
    dir=target
    cargo build --release $quiet --target "$target"
    want="(static build)"
    ;;
  *) echo "DAEMONBOX_BUILD must be small or plain" >&2; exit 100 ;;
esac
bin="$dir/$target/release/daemonbox"
kind=$(file -b "$bin")
case "$kind" in
  *"statically linked"*|*"static-pie linked"*) ;;
  *) echo "error: $bin is not static: $kind" >&2; exit 1 ;;
esac
version=$("$bin" --version)
case "$version" in
  *" $want") ;;
  *) echo "error: $bin --version says: $version (wanted $want)" >&2; exit 1 ;;
esac
size=$(stat -c %s "$bin")
echo "size: $size bytes ($((size / 1024)) KiB)"
echo "$bin"
