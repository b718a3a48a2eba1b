#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets, libFuzzer through cargo fuzz) for SECS seconds
# each (default 60), starting from its committed seed corpus fuzz/corpus/TARGET; new inputs
# go to fuzz/work/TARGET, crashes to fuzz/artifacts/TARGET (then: fix, and copy the crashing
# input into fuzz/corpus/TARGET so that `cargo test` replays it from then on).
# Prints executions per second and coverage per target, and appends them to fuzz/work/log.
#
# Usage: scripts/fuzz.sh [SECS] [TARGET...]
#   FUZZ_MERGE=1   also folds inputs that add coverage into the committed corpus.
#   FUZZ_LOCKED=1  the caller holds the lock already (see below).
# Each target runs at the lowest priority, holding /tmp/daemonbox-bench.lock so that it
# never overlaps a benchmark. Needs cargo-fuzz (`cargo install cargo-fuzz`); libFuzzer's
# flags need the toolchain's bootstrap switch, as the static build does.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2; exit 100; }
export RUSTC_BOOTSTRAP=1
run=(cargo fuzz run --fuzz-dir fuzz --sanitizer none --release)
lock=(nice -n 19)
if [ "${FUZZ_LOCKED:-0}" != 1 ] && command -v flock >/dev/null; then
  lock+=(flock /tmp/daemonbox-bench.lock)
fi
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
nice -n 19 cargo fuzz build --fuzz-dir fuzz --sanitizer none --release >&2
mkdir -p fuzz/work
status=0
printf '%-18s %8s %10s %8s %8s %8s\n' target secs execs exec/s cov ft
for t in "${targets[@]}"; do
  mkdir -p "fuzz/work/$t"
  out=$(mktemp)
  if ! "${lock[@]}" "${run[@]}" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
      >"$out" 2>&1; then
    status=1
    echo "== $t FAILED:" >&2
    grep -E 'panicked|ERROR|Test unit written|SUMMARY' "$out" >&2 || tail -n 30 "$out" >&2
  fi
  execs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$out")
  speed=$(awk '/stat::average_exec_per_sec:/ { print $2 }' "$out")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$out" | tail -n 1 | awk '{ print $2, $4 }')
  line=$(printf '%-18s %8s %10s %8s %8s %8s' "$t" "$secs" "${execs:-?}" "${speed:-?}" ${cov:-? ?})
  echo "$line"
  echo "$(date -u +%FT%TZ) $line" >> fuzz/work/log
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    "${lock[@]}" "${run[@]}" "$t" "fuzz/corpus/$t" "fuzz/work/$t" -- -merge=1 >/dev/null 2>&1 || status=1
  fi
  rm -f "$out"
done
exit "$status"
