#!/usr/bin/env bash
# Hooks benchmark:
#   1. the cost of having no hooks: system calls of supervise over 5 restarts of a service
#      that exits at once, and of svscan over 5 batches (services added one by one), both
#      traced with strace: how many of them concern hooks (one failed directory open per
#      event or batch is the whole cost);
#   2. 1,000 services at boot with one trivial hook in each of pre, service and post: from
#      svscan's start to the post hook's end (median of N runs);
#   3. the same 1,000 services without hooks, booted by daemonbox's svscan and by 0.76's
#      (Debian's daemontools): from svscan's start until every ./run runs (median of N runs),
#      the floor that the hooks of 2. add to; cold (no supervise/ directories yet) and warm
#      (those of the previous boot kept, as after a reboot on a disk).
# Usage: scripts/bench-hooks.sh [runs]   (default 5). Needs strace and Debian's daemontools.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
ours=$(realpath "$(scripts/build-static.sh | tail -n 1)")
command -v strace >/dev/null || { echo "missing strace (apt-get install strace)" >&2; exit 1; }
work=$(mktemp -d /tmp/bench-hooks.XXXXXX)
groups=()
cleanup() {
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"
for a in supervise svscan svc; do ln -s "$ours" "$work/bin/$a"; done
mkdir -p "$work/debian"
for a in supervise svscan; do ln -s "/usr/bin/$a" "$work/debian/$a"; done
export PATH="$work/bin:$PATH"
now() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

# --- 1. no hooks: what supervise and svscan spend on them ----------------------------
mkdir -p "$work/sv1/s"
printf '#!/bin/sh\necho x >> ../starts\nexit 1\n' >"$work/sv1/s/run"; chmod +x "$work/sv1/s/run"
(cd "$work/sv1" && exec setsid strace -f -o "$work/supervise.trace" supervise s </dev/null >/dev/null 2>&1) &
groups+=($!); disown
until [ "$(cat "$work/sv1/starts" 2>/dev/null | wc -l)" -ge 6 ]; do sleep 0.2; done
kill -KILL -- "-${groups[-1]}"; sleep 0.2
sup_calls=$(grep -vc 'exited with\|+++\|---' "$work/supervise.trace" || true)
sup_hooks=$(grep -c '"hooks"' "$work/supervise.trace" || true)

mkdir -p "$work/scan"
(cd "$work/scan" && exec setsid strace -o "$work/svscan.trace" svscan . </dev/null >/dev/null 2>&1) &
groups+=($!); disown
sleep 1
for i in 1 2 3 4 5; do
  mkdir -p "$work/new$i"; printf '#!/bin/sh\nexec sleep 1000\n' >"$work/new$i/run"; chmod +x "$work/new$i/run"
  mv "$work/new$i" "$work/scan/s$i"; sleep 0.3
done
kill -KILL -- "-${groups[-1]}"; sleep 0.2
scan_calls=$(grep -vc 'exited with\|+++\|---' "$work/svscan.trace" || true)
scan_hooks=$(grep -c 'svscan/hooks' "$work/svscan.trace" || true)

# --- 2. 1000 services, one hook in each of pre, service and post ----------------------
mkdir -p "$work/big/.svscan/hooks/"{pre,service,post}
for i in $(seq 1000); do
  mkdir -p "$work/big/s$i"; printf '#!/bin/sh\nexec sleep 100000\n' >"$work/big/s$i/run"
  chmod +x "$work/big/s$i/run"
done
for kind in pre service; do ln -s /bin/true "$work/big/.svscan/hooks/$kind/hook"; done
printf '#!/bin/bash\necho "${EPOCHREALTIME/./}" > %s/done\n' "$work" >"$work/big/.svscan/hooks/post/hook"
chmod +x "$work/big/.svscan/hooks/post/hook"
samples=()
for _ in $(seq "$runs"); do
  rm -f "$work/done"
  t0=$(now)
  (cd "$work/big" && exec setsid svscan . </dev/null >/dev/null 2>"$work/big.err") &
  g=$!; groups+=("$g"); disown
  until [ -s "$work/done" ]; do sleep 0.01; done
  samples+=($(( $(<"$work/done") - t0 )))
  kill -KILL -- "-$g"; sleep 1
  for i in $(seq 1000); do rm -rf "$work/big/s$i/supervise"; done
done
big=$(printf '%s\n' "${samples[@]}" | median)

# --- 3. the same services without hooks: ours and 0.76 -----------------------------------
mv "$work/big/.svscan" "$work/hooks-aside"
bare() { # bin-dir keep|clear: microseconds from svscan's start until all 1000 services
         # run; then the supervise/ directories are kept for the next boot, or removed
  local t0 g
  t0=$(now)
  (cd "$work/big" && PATH="$1:$PATH" exec setsid "$1/svscan" . </dev/null >/dev/null 2>&1) &
  g=$!; groups+=("$g"); disown
  until [ "$(pgrep -c -s "$g" -x sleep)" -ge 1000 ]; do sleep 0.05; done
  echo $(( $(now) - t0 ))
  kill -KILL -- "-$g"; pkill -KILL -s "$g" || true
  while pgrep -s "$g" >/dev/null; do sleep 0.1; done
  if [ "$2" = clear ]; then
    for i in $(seq 1000); do rm -rf "$work/big/s$i/supervise"; done
  fi
  sleep 1
}
for state in cold warm; do
  for who in ours debian; do : >"$work/$who.$state"; done
done
for _ in $(seq "$runs"); do
  for who in ours debian; do
    dir="$work/bin"; [ "$who" = debian ] && dir="$work/debian"
    bare "$dir" keep >>"$work/$who.cold"
    bare "$dir" clear >>"$work/$who.warm"
  done
done

echo
echo "1. no hooks directory: system calls that concern hooks"
echo "  supervise, 6 starts and 5 deaths of a failing service: $sup_hooks of $sup_calls"
echo "  svscan, boot and 5 services added one by one:          $scan_hooks of $scan_calls"
echo "2. 1000 services at boot, one trivial hook in each of pre, service, post (1002 hooks):"
awk -v u="$big" -v n="$runs" 'BEGIN {printf "  svscan start to the post hook: %.0f ms (median of %d)\n", u/1000, n}'
echo "3. the same 1000 services without hooks, svscan start to every ./run running (median of $runs):"
for state in cold warm; do
  o=$(median <"$work/ours.$state"); d=$(median <"$work/debian.$state")
  awk -v s="$state" -v o="$o" -v d="$d" \
    'BEGIN {printf "  %s: daemonbox %.0f ms | daemontools 0.76 %.0f ms (0.76/daemonbox %.2f)\n", s, o/1000, d/1000, d/o}'
done
