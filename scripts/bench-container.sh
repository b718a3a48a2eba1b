#!/usr/bin/env bash
# Container PID 1 benchmark, as PID 1 of a new pid namespace (unshare, root):
#   daemonbox: `svscan DIR -- PROG` with 10 services, each with a multilog logger;
#   tini:      `tini -- PROG`, PROG alone (the floor: one child, nothing supervised).
# Two figures each, medians of N runs: from starting PID 1 to PROG running, and from SIGTERM
# to PID 1's exit (every service obeys TERM; PROG is `sleep`, which does too).
# Usage: scripts/bench-container.sh [runs]   (default 11). Needs tini (apt-get install tini).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
ours=$(realpath "$(scripts/build-static.sh | tail -n 1)")
tini=$(command -v tini-static || command -v tini || true)
[ -n "$tini" ] || { echo "missing tini (apt-get install tini)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (unshare --pid)" >&2; exit 1; }
work=$(mktemp -d /tmp/bench-container.XXXXXX)
trap 'pkill -KILL -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
for a in svscan supervise multilog; do ln -s "$ours" "$work/bin/$a"; done
for i in $(seq 10); do
  mkdir -p "$work/sv/s$i/log"
  printf '#!/bin/sh\necho started\nexec sleep 100000\n' >"$work/sv/s$i/run"
  printf '#!/bin/sh\nexec multilog t ./main\n' >"$work/sv/s$i/log/run"
  chmod +x "$work/sv/s$i/run" "$work/sv/s$i/log/run"
done
mkdir -p "$work/empty"
# PROG: notes when it runs, then waits.
cat >"$work/prog" <<'EOF'
#!/bin/bash
echo "${EPOCHREALTIME/./}" > "$1"
exec sleep 100000
EOF
chmod +x "$work/prog"
now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

# Waits until no process works in the service tree (the namespace's last ones may still be
# dying when its PID 1 has gone), then clears the state of the previous run.
settle() {
  local d c busy=1
  while [ "$busy" = 1 ]; do
    busy=0
    for d in /proc/[0-9]*; do
      c=$(readlink "$d/cwd" 2>/dev/null) || continue
      case "$c" in "$work"/sv*) busy=1; break ;; esac
    done
    [ "$busy" = 0 ] || sleep 0.01
  done
  for i in $(seq 10); do rm -rf "$work/sv/s$i/supervise" "$work/sv/s$i/log/supervise"; done
}

# one KIND: start PID 1, wait for PROG, TERM PID 1, wait for its end; prints "start stop" (us).
one() {
  local kind=$1 mark="$work/started" t0 t1 u pid1
  settle
  rm -f "$mark"
  t0=$(now)
  if [ "$kind" = ours ]; then
    PATH="$work/bin:$PATH" unshare --pid --fork --mount-proc "$work/bin/svscan" "$work/sv" -- "$work/prog" "$mark" \
      </dev/null >/dev/null 2>&1 &
  else
    unshare --pid --fork --mount-proc "$tini" -- "$work/prog" "$mark" </dev/null >/dev/null 2>&1 &
  fi
  u=$!
  until [ -s "$mark" ]; do sleep 0.001; done
  local started=$(( $(<"$mark") - t0 ))
  sleep 0.5                                  # let the services settle
  pid1=$(pgrep -P "$u")
  t1=$(now); kill -TERM "$pid1"; wait "$u" || true
  echo "$started $(( $(now) - t1 ))"
}

declare -A start stop
for kind in ours tini; do start[$kind]=""; stop[$kind]=""; done
for _ in $(seq "$runs"); do
  for kind in ours tini; do
    read -r a b < <(one "$kind")
    start[$kind]+=" $a"; stop[$kind]+=" $b"
  done
done
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u/1000}'; }
so=$(med "${start[ours]}"); st=$(med "${start[tini]}")
po=$(med "${stop[ours]}"); pt=$(med "${stop[tini]}")
echo
echo "PID 1 of a new pid namespace, median of $runs"
echo "  start to PROG running: daemonbox (10 services + loggers) $(ms "$so"), tini (PROG alone) $(ms "$st")"
awk -v o="$so" -v t="$st" 'BEGIN {printf "    goal: within 2 x tini + 10 ms = %.1f ms: %s\n", (2*t+10000)/1000, (o <= 2*t+10000 ? "met" : "missed")}'
echo "  SIGTERM to exit:       daemonbox $(ms "$po"), tini $(ms "$pt")"
awk -v o="$po" 'BEGIN {printf "    goal: within 200 ms: %s\n", (o <= 200000 ? "met" : "missed")}'
