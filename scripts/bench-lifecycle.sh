#!/usr/bin/env bash
# Lifecycle benchmark: what the lifecycle costs when unused, and what it does when used, next
# to Debian's daemontools supervise and s6's s6-supervise (runit's runsv for memory), in one run.
#   1. one idle supervise with no policy files: private dirty memory, and voluntary context
#      switches (wake-ups) over 10 s
#   2. `svstat -j` over 1000 supervised directories (one process), next to s6-svstat run
#      once per directory and to 0.76's svstat over the same 1000 (one process)
#   3. down with timeout-kill 200 ms on a service that ignores TERM: how late the KILL lands
#      after the deadline (svc -d to the process's end, minus 200 ms), ours and s6-supervise
# Usage: scripts/bench-lifecycle.sh [rounds]   (default 11). Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-11}
ours=$(realpath "$(scripts/build-static.sh | tail -n 1)")
for tool in /usr/bin/supervise /usr/bin/svstat /usr/bin/runsv /usr/bin/s6-supervise \
            /usr/bin/s6-svstat /usr/bin/s6-svc; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install daemontools runit s6)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/bench-lifecycle.XXXXXX)
groups=()
cleanup() {
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  local d c
  for d in /proc/[0-9]*; do
    c=$(readlink "$d/cwd" 2>/dev/null) || continue
    case "$c" in "$work"/*) kill -KILL "${d#/proc/}" 2>/dev/null || true ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT
for a in supervise svc svstat; do mkdir -p "$work/bin"; ln -s "$ours" "$work/bin/$a"; done

now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "-"; else printf "%.2f", a/b}'; }
# svc_dir DIR: a service directory whose run sleeps.
svc_dir() { mkdir -p "$1"; printf '#!/bin/sh\nexec sleep 100000\n' >"$1/run"; chmod +x "$1/run"; }
# start DIR PROG: PROG DIR in a new process group; sets started_pid.
start() {
  (cd "$(dirname "$1")" && exec setsid "$2" "$(basename "$1")" </dev/null >/dev/null 2>&1) &
  started_pid=$!; groups+=("$started_pid"); disown "$started_pid"
}
stop() { kill -KILL -- "-$1" 2>/dev/null || true; }
field() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }

# --- 1. idle cost -------------------------------------------------------------------------
declare -A dirty switches
for impl in ours debian runsv s6; do
  case $impl in
    ours) prog="$work/bin/supervise" ;; debian) prog=/usr/bin/supervise ;;
    runsv) prog=/usr/bin/runsv ;; s6) prog=/usr/bin/s6-supervise ;;
  esac
  svc_dir "$work/idle-$impl/s"; start "$work/idle-$impl/s" "$prog"; pid=$started_pid
  sleep 2
  dirty[$impl]=$(field "/proc/$pid/smaps_rollup" Private_Dirty)
  before=$(field "/proc/$pid/status" voluntary_ctxt_switches); sleep 10
  switches[$impl]=$(( $(field "/proc/$pid/status" voluntary_ctxt_switches) - before ))
  stop "$pid"
done

# --- 2. svstat -j over 1000 directories ------------------------------------------------
n=1000
mkdir -p "$work/many-ours" "$work/many-s6"
for i in $(seq $n); do
  svc_dir "$work/many-ours/s$i"; start "$work/many-ours/s$i" "$work/bin/supervise"
  svc_dir "$work/many-s6/s$i"; start "$work/many-s6/s$i" /usr/bin/s6-supervise
done
until [ "$(ls "$work"/many-ours/*/supervise/status 2>/dev/null | wc -l)" -ge $n ] &&
      [ "$(ls "$work"/many-s6/*/supervise/status 2>/dev/null | wc -l)" -ge $n ]; do sleep 0.2; done
sleep 2
json=() plain=() s6each=()
cd "$work/many-ours"; dirs=(s*); cd - >/dev/null
for _ in $(seq "$rounds"); do
  t0=$(now); (cd "$work/many-ours" && "$work/bin/svstat" -j "${dirs[@]}" >/dev/null); json+=($(( $(now) - t0 )))
  t0=$(now); (cd "$work/many-ours" && /usr/bin/svstat "${dirs[@]}" >/dev/null); plain+=($(( $(now) - t0 )))
  t0=$(now); (cd "$work/many-s6" && for d in "${dirs[@]}"; do /usr/bin/s6-svstat "$d"; done >/dev/null)
  s6each+=($(( $(now) - t0 )))
done
lines=$(cd "$work/many-ours" && "$work/bin/svstat" -j "${dirs[@]}" | grep -c '"up":true')
json_med=$(printf '%s\n' "${json[@]}" | median)
plain_med=$(printf '%s\n' "${plain[@]}" | median)
s6_med=$(printf '%s\n' "${s6each[@]}" | median)
for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
groups=()

# --- 3. timeout-kill ----------------------------------------------------------------------
declare -A late
timeout_ms=200
for impl in ours s6; do
  dir="$work/kill-$impl/s"; mkdir -p "$dir"
  printf '#!/bin/sh\ntrap "" TERM\nexec sleep 100000\n' >"$dir/run"; chmod +x "$dir/run"
  echo $timeout_ms >"$dir/timeout-kill"
  if [ "$impl" = ours ]; then prog="$work/bin/supervise" svc="$work/bin/svc"
  else prog=/usr/bin/s6-supervise svc=/usr/bin/s6-svc; fi
  start "$dir" "$prog"; sv=$started_pid
  samples=()
  for _ in $(seq "$rounds"); do
    pid=""
    until [ -n "$pid" ]; do sleep 0.01; pid=$(pgrep -P "$sv" -x sleep || true); done
    t0=$(now); "$svc" -d "$dir"
    tail --pid="$pid" -s 0.0005 -f /dev/null
    samples+=($(( $(now) - t0 - timeout_ms * 1000 )))
    sleep 1.1
    "$svc" -u "$dir"
  done
  late[$impl]=$(printf '%s\n' "${samples[@]}" | median)
  stop "$sv"
done

ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u/1000}'; }
echo
echo "1. one idle supervise, no policy files: private dirty memory; wake-ups in 10 s"
for impl in ours debian runsv s6; do
  echo "  $impl: ${dirty[$impl]} kB ($(ratio "${dirty[$impl]}" "${dirty[debian]}") of debian); ${switches[$impl]} wake-ups"
done
echo "2. status of $n supervised directories, median of $rounds ($lines up)"
echo "  svstat -j, one process:       $(ms "$json_med")"
echo "  0.76 svstat, one process:     $(ms "$plain_med") (ours $(ratio "$json_med" "$plain_med") of it)"
echo "  s6-svstat once per directory: $(ms "$s6_med") (ours $(ratio "$json_med" "$s6_med") of it)"
echo "3. KILL after timeout-kill $timeout_ms ms: lateness past the deadline, median of $rounds"
echo "  (from before svc -d; includes svc's own run time and a 0.5 ms polling step)"
for impl in ours s6; do echo "  $impl: $(ms "${late[$impl]}")"; done
