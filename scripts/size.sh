#!/usr/bin/env bash
# Tracks the size of the static executable: builds it both ways scripts/build-static.sh knows
# (small: std rebuilt with immediate-abort panics, the default; plain: prebuilt std), prints
# both sizes, compares the small one with the figure saved in scripts/size.saved, and exits 1
# if it is over the 400 KiB budget. `scripts/size.sh --save` records the new figure.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$((400 * 1024))
saved_file=scripts/size.saved
plain=$(DAEMONBOX_BUILD=plain scripts/build-static.sh | tail -n 1)
small=$(scripts/build-static.sh | tail -n 1)
plain_size=$(stat -c %s "$plain")
small_size=$(stat -c %s "$small")
saved=$(cat "$saved_file" 2>/dev/null || echo 0)
echo "plain: $plain_size bytes ($((plain_size / 1024)) KiB)"
echo "small: $small_size bytes ($((small_size / 1024)) KiB), saved figure $saved ($((small_size - saved)) bytes more)"
if [ "${1:-}" = --save ]; then
  echo "$small_size" >"$saved_file"
fi
if [ "$small_size" -gt "$budget" ]; then
  echo "error: over the $budget-byte budget" >&2
  exit 1
fi
