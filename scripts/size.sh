#!/usr/bin/env bash
# Tracks the size of the static executable that ships (scripts/build-static.sh's small
# build): prints it, compares it with the figure saved in scripts/size.saved, and exits 1 if
# it is over the 300 KiB budget. `--check` stops there (scripts/test.sh runs it, so the
# README's test command fails over budget); `--save` also records the new figure.
#
# Then it prints what each applet adds. Method: the same build with its symbols kept
# (DAEMONBOX_SYMBOLS=1, its own target dir), and `nm -S` sizes of every defined function
# and data symbol, summed by the code that owns it: an applet when the symbol's name
# mentions daemonbox::applets::NAME (its own functions and generic code instantiated for
# its types), the shared code (src/, including the C entry point `main` and everything
# inlined into it), a Rust crate by its first path segment, or the C library (unmangled
# names). With LTO, code inlined into its caller counts for the caller. What no symbol
# covers (headers, string constants, unwind and relocation tables) is shown as the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$((300 * 1024))
saved_file=scripts/size.saved
small=$(scripts/build-static.sh | tail -n 1)
small_size=$(stat -c %s "$small")
saved=$(cat "$saved_file" 2>/dev/null || echo 0)
echo "static: $small_size bytes ($((small_size / 1024)) KiB), saved figure $saved ($((small_size - saved)) bytes more), budget $budget"
if [ "${1:-}" = --save ]; then
  echo "$small_size" >"$saved_file"
fi
if [ "$small_size" -gt "$budget" ]; then
  echo "error: over the $budget-byte budget" >&2
  exit 1
fi
[ "${1:-}" = --check ] && exit 0

symbols=$(DAEMONBOX_SYMBOLS=1 scripts/build-static.sh | tail -n 1)
echo "bytes of symbols by owner (unstripped build, nm -S):"
nm -S -C -t d --defined-only "$symbols" | awk -v file="$small_size" '
  $2 ~ /^[0-9]+$/ && NF >= 4 {
    name = $0
    sub(/^[0-9]+ [0-9]+ . /, "", name)
    if (match(name, /daemonbox::applets::[a-z0-9_]+::/)) {
      owner = "applet " substr(name, RSTART + 20, RLENGTH - 22)
    } else if (name ~ /daemonbox::/ || name == "main") {
      owner = "shared (src/, the applet table)"
    } else if (index(name, "::")) {
      crate = name
      sub(/^[<&]+/, "", crate)
      sub(/::.*/, "", crate)
      sub(/.* as /, "", crate)
      if (crate !~ /^[a-z_][a-z0-9_]*$/) crate = "core (primitive types)"
      owner = "crate " crate
    } else {
      owner = "C library"
    }
    bytes[owner] += $2
    total += $2
  }
  END {
    for (o in bytes) printf "%8d  %s\n", bytes[o], o
    printf "%8d  rest of the stripped file\n", file - total
  }' | sort -rn
