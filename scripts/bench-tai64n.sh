#!/usr/bin/env bash
# Throughput of tai64n and tai64nlocal: daemonbox (static release build) against Debian's
# daemontools and s6 in the same run, on 1,000,000 lines. Prints the median wall time of
# several runs of each and the ratios, and checks that daemonbox's tai64nlocal output is
# byte-identical to Debian's.
#
# Usage: scripts/bench-tai64n.sh [runs]   (default 7 runs; needs /usr/bin/tai64n,
# /usr/bin/tai64nlocal, /usr/bin/s6-tai64n, /usr/bin/s6-tai64nlocal)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
lines=1000000
zone=America/New_York

for tool in tai64n tai64nlocal s6-tai64n s6-tai64nlocal; do
  [ -x "/usr/bin/$tool" ] || { echo "error: /usr/bin/$tool is missing" >&2; exit 1; }
done

bin=$(scripts/build-static.sh | tail -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
for applet in tai64n tai64nlocal; do ln -s "$PWD/$bin" "$work/bin/$applet"; done

# tai64n input: 68-byte lines. tai64nlocal input: Debian-labelled 42-byte lines (68 bytes
# with the label), so both filters see a million lines of the same length.
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++)
  printf "2026-11-26 service[%07d]: request handled status=200 byte=%06d\n", i, i % 999983 }' \
  > "$work/plain"
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++)
  printf "service[%07d]: ok status=200 bs=%06d\n", i, i % 999983 }' | /usr/bin/tai64n \
  > "$work/labelled"

# median_ms CMD...: runs CMD (stdin and stdout already redirected by the caller's wrapper)
# $runs times and prints the median wall time in milliseconds.
median_ms() {
  local input=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" < "$input" > /dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

export TZ=$zone
echo "input: $lines lines, $(wc -c < "$work/plain") bytes (tai64n), $(wc -c < "$work/labelled") bytes (tai64nlocal); TZ=$TZ; $runs runs each"

ours=$(median_ms "$work/plain" "$work/bin/tai64n")
debian=$(median_ms "$work/plain" /usr/bin/tai64n)
s6=$(median_ms "$work/plain" /usr/bin/s6-tai64n)
echo "tai64n:      daemonbox ${ours} ms | daemontools ${debian} ms ($(ratio "$debian" "$ours")x) | s6-tai64n ${s6} ms ($(ratio "$s6" "$ours")x)"

ours=$(median_ms "$work/labelled" "$work/bin/tai64nlocal")
debian=$(median_ms "$work/labelled" /usr/bin/tai64nlocal)
s6=$(median_ms "$work/labelled" /usr/bin/s6-tai64nlocal)
echo "tai64nlocal: daemonbox ${ours} ms | daemontools ${debian} ms ($(ratio "$debian" "$ours")x) | s6-tai64nlocal ${s6} ms ($(ratio "$s6" "$ours")x)"

"$work/bin/tai64nlocal" < "$work/labelled" > "$work/ours.out"
/usr/bin/tai64nlocal < "$work/labelled" > "$work/debian.out"
if cmp -s "$work/ours.out" "$work/debian.out"; then
  echo "tai64nlocal output: identical to daemontools' ($(wc -l < "$work/ours.out") lines)"
else
  echo "tai64nlocal output: DIFFERS from daemontools'" >&2
  exit 1
fi
