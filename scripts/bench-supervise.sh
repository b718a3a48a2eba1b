#!/usr/bin/env bash
# supervise benchmark: daemonbox against Debian's daemontools supervise (and, for memory and
# idle cost, runit's runsv and s6's s6-supervise), all in the same run.
#   1. control latency: from `svc -u` returning to ./run executing, and from `svc -d`
#      returning to ./run receiving TERM, both in the first second after a start and later
#   2. restart interval of a ./run that exits at once
#   3. Pss of one supervise process, measured with 100 services running
#   4. idle wake-ups: voluntary context switches of an idle supervise over 10 s
# Usage: scripts/bench-supervise.sh [rounds]   (default 15). Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-15}
ours=$(scripts/build-static.sh | tail -n 1)
ours=$(realpath "$ours")
for tool in /usr/bin/supervise /usr/bin/svc /usr/bin/svok /usr/bin/runsv /usr/bin/s6-supervise; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install daemontools runit s6)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bench-supervise.XXXXXX)
pids=()
# Kills every process whose working directory is inside $work (services that left their
# supervisor's process group, as s6-supervise's do).
kill_strays() {
  local d c
  for d in /proc/[0-9]*; do
    c=$(readlink "$d/cwd" 2>/dev/null) || continue
    case "$c" in "$work"/*) kill -KILL "${d#/proc/}" 2>/dev/null || true ;; esac
  done
}
cleanup() {
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  kill_strays
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/ours" "$work/debian"
for a in supervise svc svok; do ln -s "$ours" "$work/ours/$a"; ln -s "/usr/bin/$a" "$work/debian/$a"; done

now() { echo "${EPOCHREALTIME/./}"; }             # microseconds, no fork
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
wait_file() { until [ -s "$1" ]; do sleep 0.002; done; }
# start DIR CMD...: runs CMD in DIR's parent in a new process group, records its pid.
start() {
  local dir=$1; shift
  (cd "$(dirname "$dir")" && exec setsid "$@" "$(basename "$dir")" </dev/null >/dev/null 2>&1) &
  pids+=("$!")
  started_pid=$!
}
stop_group() { kill -KILL -- "-$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# --- 1. control latency -------------------------------------------------------------------
# The two supervisors run side by side and the rounds alternate between them, so that
# the load of a shared machine weighs on both alike.
latency_start() {
  local impl=$1 dir="$work/lat-$1/s"
  mkdir -p "$dir"
  cat >"$dir/run" <<'EOF'
#!/bin/bash
echo "${EPOCHREALTIME/./}" > ../started
trap 'echo "${EPOCHREALTIME/./}" > ../term; exit 0' TERM
sleep 1000 & wait
EOF
  chmod +x "$dir/run"; touch "$dir/down"
  start "$dir" "$work/$impl/supervise"; lat_sv[$impl]=$started_pid
  until "$work/$impl/svok" "$dir" && [ -s "$dir/supervise/status" ]; do sleep 0.01; done
}
# t0 is taken just before svc runs, so each figure is an upper bound of the latency from
# svc returning (which can even be negative: supervise often acts before svc has exited).
latency_round() {
  local impl=$1 dir="$work/lat-$1/s" t0
  rm -f "$dir/../started" "$dir/../term"
  t0=$(now); "$work/$impl/svc" -u "$dir"
  wait_file "$dir/../started"; lat_up[$impl]+=" $(( $(<"$dir/../started") - t0 ))"
  t0=$(now); "$work/$impl/svc" -d "$dir"             # within the first second after the start
  wait_file "$dir/../term"; lat_first[$impl]+=" $(( $(<"$dir/../term") - t0 ))"
  sleep 1.1
  rm -f "$dir/../started" "$dir/../term"
  "$work/$impl/svc" -u "$dir"; wait_file "$dir/../started"
  sleep 1.1                                          # past the first second
  t0=$(now); "$work/$impl/svc" -d "$dir"
  wait_file "$dir/../term"; lat_later[$impl]+=" $(( $(<"$dir/../term") - t0 ))"
  sleep 1.1
}
latency() {
  local impl
  for impl in ours debian; do latency_start "$impl"; done
  for _ in $(seq "$rounds"); do
    for impl in ours debian; do latency_round "$impl"; done
  done
  for impl in ours debian; do
    stop_group "${lat_sv[$impl]}"
    lat_up[$impl]=$(tr ' ' '\n' <<<"${lat_up[$impl]}" | grep . | median)
    lat_first[$impl]=$(tr ' ' '\n' <<<"${lat_first[$impl]}" | grep . | median)
    lat_later[$impl]=$(tr ' ' '\n' <<<"${lat_later[$impl]}" | grep . | median)
  done
}

# --- 2. restart interval ------------------------------------------------------------------
restart() {
  local impl=$1 dir="$work/restart-$1/s"
  mkdir -p "$dir"
  printf '#!/bin/bash\necho "${EPOCHREALTIME/./}" >> ../starts\nexit 1\n' >"$dir/run"
  chmod +x "$dir/run"
  start "$dir" "$work/$impl/supervise"; local sv=$started_pid
  until [ "$(cat "$dir/../starts" 2>/dev/null | wc -l)" -ge $((rounds + 1)) ]; do sleep 0.1; done
  stop_group "$sv"
  local gaps
  gaps=$(head -n $((rounds + 1)) "$dir/../starts" | awk 'NR>1 {print $1-p} {p=$1}')
  restart_med[$impl]=$(median <<<"$gaps")
  restart_min[$impl]=$(sort -n <<<"$gaps" | head -n 1)
  restart_max[$impl]=$(sort -n <<<"$gaps" | tail -n 1)
}

# --- 3. memory with 100 services, 4. idle wake-ups ----------------------------------------
pss_of() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
switches_of() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status"; }
memory() {
  local name=$1 prog=$2 base="$work/mem-$1" group=() total=0 n=100
  for i in $(seq $n); do
    mkdir -p "$base/s$i"
    printf '#!/bin/sh\nexec sleep 1000\n' >"$base/s$i/run"; chmod +x "$base/s$i/run"
    start "$base/s$i" "$prog"; group+=("$started_pid")
  done
  sleep 3                                            # all started, past every first second
  for p in "${group[@]}"; do total=$((total + $(pss_of "$p"))); done
  pss_total[$name]=$total
  local before after
  before=$(switches_of "${group[0]}"); sleep 10; after=$(switches_of "${group[0]}")
  wakeups[$name]=$((after - before))
  for p in "${group[@]}"; do stop_group "$p"; done
  kill_strays
}

declare -A lat_sv lat_up lat_first lat_later restart_med restart_min restart_max pss_total wakeups
latency
for impl in ours debian; do restart "$impl"; done
memory daemonbox "$work/ours/supervise"
memory debian /usr/bin/supervise
memory runsv /usr/bin/runsv
memory s6-supervise /usr/bin/s6-supervise

ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "-"; else printf "%.3f", a/b}'; }
echo
echo "control latency from invoking svc (svc run time included), median of $rounds (daemonbox | debian | ratio)"
echo "  svc -u -> run started:           $(ms "${lat_up[ours]}") | $(ms "${lat_up[debian]}") | $(ratio "${lat_up[ours]}" "${lat_up[debian]}")"
echo "  svc -d -> TERM, first second:    $(ms "${lat_first[ours]}") | $(ms "${lat_first[debian]}") | $(ratio "${lat_first[ours]}" "${lat_first[debian]}")"
echo "  svc -d -> TERM, later:           $(ms "${lat_later[ours]}") | $(ms "${lat_later[debian]}") | $(ratio "${lat_later[ours]}" "${lat_later[debian]}")"
echo "restart interval of a failing run over $rounds restarts (median [min, max])"
for impl in ours debian; do
  echo "  $impl: $(ms "${restart_med[$impl]}") [$(ms "${restart_min[$impl]}"), $(ms "${restart_max[$impl]}")]"
done
echo "Pss with 100 services (sum over the 100 supervisors; per process)"
for name in daemonbox debian runsv s6-supervise; do
  echo "  $name: ${pss_total[$name]} kB; $(awk -v t="${pss_total[$name]}" 'BEGIN {printf "%.1f", t/100}') kB each; ratio to debian $(ratio "${pss_total[$name]}" "${pss_total[debian]}")"
done
echo "idle wake-ups of one supervisor over 10 s (voluntary context switches)"
for name in daemonbox debian runsv s6-supervise; do echo "  $name: ${wakeups[$name]}"; done
