#!/usr/bin/env bash
# multilog throughput and idle memory: daemonbox against Debian's daemontools multilog,
# s6-log, runit's svlogd and `cat > file`, all in the same run.
#
# Input: 1,000,000 lines of ~68 bytes (one in ten contains "status: "), fed through a pipe.
# Each case runs RUNS times (default 5); the median wall time and the throughput are printed,
# with daemonbox's speed-up over each peer. Logs go to a tmpfs (BENCH_DIR, default under
# /dev/shm) so that the figures measure the loggers rather than the disk.
# Usage: scripts/bench-multilog.sh            (RUNS=N and LINES=N may be set)
# BASELINE=/path/to/an/older/daemonbox adds that build to every case, with the ratio of the
# two builds' times (to check that a change keeps multilog's speed).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
lines=${LINES:-1000000}
bin=$(scripts/build-static.sh | tail -n 1)
bin=$(realpath "$bin")
for tool in /usr/bin/multilog /usr/bin/s6-log /usr/bin/svlogd; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install daemontools s6 runit)" >&2; exit 1; }
done

work=$(mktemp -d "${BENCH_DIR:-/dev/shm}/bench-multilog.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$bin" "$work/bin/multilog"
ours="$work/bin/multilog"
base=
if [ -n "${BASELINE:-}" ]; then
  mkdir "$work/base"
  ln -s "$(realpath "$BASELINE")" "$work/base/multilog"
  base="$work/base/multilog"
fi

input="$work/input"
awk -v n="$lines" 'BEGIN {
  for (i = 0; i < n; i++) {
    if (i % 10 == 0) printf "host app[%05d]: status: request %08d served in %04d us\n", i % 99991, i, i % 9973;
    else printf "host app[%05d]: info: request %08d accepted, queue %06d\n", i % 99991, i, i % 999983;
  }
}' > "$input"
size=$(stat -c %s "$input")
echo "input: $lines lines, $size bytes; $runs runs per case; binary $bin"

# time_once DIR CMD...: runs `cat input | CMD` in a fresh DIR, prints seconds.
time_once() {
  local dir=$1; shift
  rm -rf "$dir"; mkdir -p "$dir"
  local start end
  start=$(date +%s%N)
  (cd "$dir" && cat "$input" | "$@")
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 ))"
}

# median of microsecond figures on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A result
# bench NAME CMD...: runs RUNS times, stores and prints the median.
bench() {
  local name=$1; shift
  local all=()
  for _ in $(seq "$runs"); do all+=("$(time_once "$work/run" "$@")"); done
  local med
  med=$(printf '%s\n' "${all[@]}" | median)
  result[$name]=$med
  awk -v n="$name" -v us="$med" -v b="$size" \
    'BEGIN { printf "  %-34s %8.3f s  %8.1f MB/s\n", n, us / 1e6, b / us }'
}

# svlogd reads its settings from DIR/config.
svlogd_with() {
  local config=$1; shift
  printf '%b' "$config" > config
  exec /usr/bin/svlogd "$@" .
}
export -f svlogd_with

ratio() { awk -v a="${result[$1]}" -v b="${result[$2]}" 'BEGIN { printf "%.2f", b / a }'; }

# against_baseline NAME ARGS...: with BASELINE, times it on the same case and prints the
# baseline's time over this build's (above 1: this build is faster).
against_baseline() {
  local name=$1; shift
  [ -n "$base" ] || return 0
  bench "$name (baseline)" "$base" "$@"
  echo "  this build vs baseline: $(ratio "$name" "$name (baseline)")x"
}

echo
echo "== t s16777215 n5 ./dir (timestamps)"
bench "daemonbox" "$ours" t s16777215 n5 ./dir
against_baseline "daemonbox" t s16777215 n5 ./dir
bench "debian multilog" /usr/bin/multilog t s16777215 n5 ./dir
bench "s6-log" /usr/bin/s6-log t s16777215 n5 ./dir
bench "svlogd -t" bash -c 'svlogd_with "s16777215\nn5\n" -t'
echo "  daemonbox speed-up: $(ratio daemonbox 'debian multilog')x debian, $(ratio daemonbox s6-log)x s6-log, $(ratio daemonbox 'svlogd -t')x svlogd"

echo
echo "== s16777215 n5 ./dir (no timestamps)"
bench "daemonbox (no t)" "$ours" s16777215 n5 ./dir
against_baseline "daemonbox (no t)" s16777215 n5 ./dir
bench "debian multilog (no t)" /usr/bin/multilog s16777215 n5 ./dir
bench "s6-log (no t)" /usr/bin/s6-log s16777215 n5 ./dir
bench "svlogd" bash -c 'svlogd_with "s16777215\nn5\n"'
bench "cat > file" sh -c 'cat > file'
echo "  daemonbox speed-up: $(ratio 'daemonbox (no t)' 'debian multilog (no t)')x debian, $(ratio 'daemonbox (no t)' 's6-log (no t)')x s6-log, $(ratio 'daemonbox (no t)' svlogd)x svlogd; daemonbox takes $(ratio 'cat > file' 'daemonbox (no t)')x the time of cat"

echo
echo "== '-*' '+* status: *' =status ./main (selection)"
bench "daemonbox (select)" "$ours" '-*' '+* status: *' =status ./main
against_baseline "daemonbox (select)" '-*' '+* status: *' =status ./main
bench "debian multilog (select)" /usr/bin/multilog '-*' '+* status: *' =status ./main
bench "s6-log (select)" /usr/bin/s6-log -- '-.*' '+.* status: .*' =status ./main
bench "svlogd (select)" bash -c 'svlogd_with "-*\n+* status: *\n"'
echo "  daemonbox speed-up: $(ratio 'daemonbox (select)' 'debian multilog (select)')x debian, $(ratio 'daemonbox (select)' 's6-log (select)')x s6-log, $(ratio 'daemonbox (select)' 'svlogd (select)')x svlogd"

echo
echo "== t s100000 n5 ./dir (small rotations)"
bench "daemonbox (s100000)" "$ours" t s100000 n5 ./dir
against_baseline "daemonbox (s100000)" t s100000 n5 ./dir
bench "debian multilog (s100000)" /usr/bin/multilog t s100000 n5 ./dir
bench "s6-log (s100000)" /usr/bin/s6-log t s100000 n5 ./dir
bench "svlogd (s100000)" bash -c 'svlogd_with "s100000\nn5\n" -t'
echo "  daemonbox speed-up: $(ratio 'daemonbox (s100000)' 'debian multilog (s100000)')x debian, $(ratio 'daemonbox (s100000)' 's6-log (s100000)')x s6-log, $(ratio 'daemonbox (s100000)' 'svlogd (s100000)')x svlogd"

# Idle memory: each logger gets 1000 lines, then waits 2 s on an open pipe; Pss from
# smaps_rollup. Once alone (its program text counted whole), once as one of 10 loggers of
# the same kind (as under svscan, one per service), where they share their program text.
echo
echo "== idle Pss after 1000 lines (kB): alone / average of 10 running"
pss() {
  local name=$1; shift
  local kb=() pids fds fd
  for count in 1 10; do
    pids=(); fds=()
    for i in $(seq "$count"); do
      local dir="$work/idle$i" fifo="$work/fifo$i"
      rm -rf "$dir" "$fifo"; mkdir -p "$dir"; mkfifo "$fifo"
      (cd "$dir" && exec "$@" < "$fifo") &
      pids+=($!)
      exec {fd}> "$fifo"
      fds+=("$fd")
      head -n 1000 "$input" >&"$fd"
    done
    sleep 2
    kb+=("$(for p in "${pids[@]}"; do awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup"; done |
      awk '{ s += $1 } END { printf "%d", s / NR }')")
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    wait "${pids[@]}" || true
  done
  printf '  %-34s %6s kB / %6s kB\n' "$name" "${kb[0]}" "${kb[1]}"
}
pss "daemonbox" "$ours" t s16777215 n5 ./dir
pss "debian multilog" /usr/bin/multilog t s16777215 n5 ./dir
pss "s6-log" /usr/bin/s6-log t s16777215 n5 ./dir
pss "svlogd" /usr/bin/svlogd -t .
