#!/usr/bin/env bash
# The fault suite: daemonbox (the static build) and Debian's daemontools 0.76 side by side
# under faults a supervision tree meets, one result line per program and case:
#   memory     a flood into supervise/control, envdir on /dev/zero, a huge /etc/passwd
#              (peak RSS, exit code, message)
#   disk full  a log on a full file system while it rotates through a processor
#   rdonly     the log's file system turned read-only and back while multilog writes
#   emfile     multilog and svscan with too few descriptors (RLIMIT_NOFILE)
#   nproc      supervise that cannot fork (RLIMIT_NPROC), then told to stop
#   storm      SIGKILL at random to supervise, multilog and svscan of a logged service
#              writing numbered lines; every line is counted
#   svdir      the service directory deleted and recreated under a running supervise
#   clock      the wall clock stepped an hour back and forth (only with FAULTS_CLOCK=1:
#              it steps this machine's clock; never on a shared machine)
# Runs as root (mounts, namespaces, other users); needs GNU time (/usr/bin/time) and the
# reference daemontools (scripts/setup.sh). Usage: scripts/faults.sh [CASE...]
# Other processes' RLIMIT_NOFILE/NPROC etc. are untouched; everything runs in a temporary
# directory and is stopped at the end. Never part of the tests (it takes minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "faults.sh: run as root" >&2; exit 100; }
bin=$(realpath "$(scripts/build-static.sh | tail -n 1)")
work=$(mktemp -d /tmp/daemonbox-faults.XXXXXX)
chmod 755 "$work"  # other users run programs from it
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; done
  for m in $(awk -v w="$work" '$2 ~ "^" w { print $2 }' /proc/mounts | sort -r); do umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/ours" "$work/ref"
for a in $("$bin" --list); do
  ln -s "$bin" "$work/ours/$a"
  [ -x "/usr/bin/$a" ] && ln -s "/usr/bin/$a" "$work/ref/$a"
done
export PATH="$work/ours:/usr/bin:/bin"

# start DIR CMD...: runs CMD in DIR as a new process group in the background; prints its pid.
start() { local dir=$1; shift; (cd "$dir" && exec setsid "$@" </dev/null >/dev/null 2>"$dir.err") & pids+=($!); echo $!; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# maxrss CMD...: runs CMD; prints "exit=N rss=KB stderr=..." (peak RSS, GNU time's %M).
maxrss() {
  local err; err=$(mktemp)
  /usr/bin/time -o "$err.t" -f '%x %M' "$@" >/dev/null 2>"$err" || true
  local code rss; read -r code rss < <(tail -n 1 "$err.t")
  grep -q '^Command terminated by signal' "$err.t" && code="signal $(sed -n 's/^Command terminated by signal //p' "$err.t")"
  echo "exit=$code rss=${rss}kB stderr='$(tr '\n' ' ' < "$err" | sed 's/ $//')'"
  rm -f "$err" "$err.t"
}
# wait_until COND: polls COND for up to SECS seconds (default 20).
wait_until() { local n=0; until eval "$1"; do n=$((n + 1)); [ "$n" -lt $((${SECS:-20} * 20)) ] || return 1; sleep 0.05; done; }
# numbered FROM TO: lines FROM..TO-1.
numbered() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i < b; i++) printf "%08d %s\n", i, "payload-payload-payload-payload-payload-payload" }'; }
# missing LOGDIR N: how many of lines 0..N-1 are not in the log, and how many extra copies.
count_lines() {
  cat "$1"/@* "$1"/current 2>/dev/null | sed -E 's/^@[0-9a-f]{24} //' |
    grep -aE '^[0-9]{8} payload(-payload){5}$' | awk -v n="$2" '{ seen[$1 + 0]++ }
      END { m = 0; d = 0; for (i = 0; i < n; i++) { if (!seen[i]) m++; else d += seen[i] - 1 }
            printf "%d of %d lines missing, %d written twice", m, n, d }'
}
# pids_in NAME DIR: processes called NAME whose working directory is under DIR.
pids_in() { for p in $(pgrep -x "$1"); do case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in "$2"*) echo "$p" ;; esac; done; }
# tail_lines LOGDIR N: of a log trimmed to its newest files, the range of lines 0..N-1 kept
# and the gaps inside it.
tail_lines() {
  cat "$1"/@* "$1"/current 2>/dev/null | sed -E 's/^@[0-9a-f]{24} //' |
    grep -aE '^[0-9]{8} payload(-payload){5}$' | awk -v n="$2" '{ i = $1 + 0; seen[i] = 1; if (lo == "" || i < lo) lo = i }
      END { g = 0; for (i = lo; i < n; i++) if (!seen[i]) g++
            printf "lines %d-%d of 0-%d kept, %d missing among them", lo, n - 1, n - 1, g }'
}
tool() { [ "$1" = ours ] && echo "$work/ours/$2" || echo "/usr/bin/$2"; }

case_memory() {
  for who in ours ref; do
    local d="$work/mem-$who"; mkdir -p "$d/s"; printf '#!/bin/sh\nexec sleep 1000\n' > "$d/s/run"; chmod +x "$d/s/run"
    local p; p=$(start "$d" "$(tool $who supervise)" s)
    wait_until "[ -p $d/s/supervise/control ] && [ -s $d/s/supervise/status ]"
    local before; before=$(hwm "$p")
    timeout 20 head -c 64000000 /dev/zero | tr '\0' '\n' > "$d/s/supervise/control" || true
    local after; after=$(hwm "$p")
    "$(tool $who svc)" -dx "$d/s"; wait_until "! kill -0 $p 2>/dev/null" || true
    echo "memory  $who  control flood 64 MB: supervise VmHWM ${before} kB -> ${after} kB"
  done
  mkdir -p "$work/env"; ln -sf /dev/zero "$work/env/Z"
  for who in ours ref; do
    echo "memory  $who  envdir Z=/dev/zero, 64 MB address space: $(maxrss "$(tool ours softlimit)" -a 64000000 "$(tool $who envdir)" "$work/env" true)"
  done
  local pw="$work/passwd"
  { echo "root:x:0:0::/root:/bin/sh"; printf 'long:'; head -c 100000000 /dev/zero | tr '\0' y; echo ":5:5::/:/bin/sh"
    awk 'BEGIN { for (i = 0; i < 200000; i++) printf "user%d:x:%d:%d::/:/bin/sh\n", i, 1000 + i, 1000 + i }'
    echo "target:x:4242:4343::/:/bin/sh"; } > "$pw"
  for who in ours ref; do
    echo "memory  $who  envuidgid target, 115 MB passwd, 64 MB address space: $(unshare -m bash -c "mount --bind $pw /etc/passwd && $(declare -f maxrss); maxrss $(tool ours softlimit) -a 64000000 $(tool $who envuidgid) target true")"
  done
  for who in ours ref; do
    echo "memory  $who  envdir under a 400 kB address space (allocation fails): $(maxrss prlimit --as=400000 "$(tool $who envdir)" "$work/env" true)"
  done
}

# A tmpfs of SIZE at DIR.
tmpfs() { mkdir -p "$1"; mount -t tmpfs -o "size=$2" tmpfs "$1"; }

case_diskfull() {
  for who in ours ref; do
    local m="$work/full-$who"; tmpfs "$m" 256k
    head -c $((256 * 1024 - 12 * 1024)) /dev/zero > "$m/filler" 2>/dev/null || true
    numbered 0 4000 > "$work/input"
    (cd "$m" && "$(tool $who multilog)" s4096 n5 '!cat' ./d < "$work/input" 2> "$m.err") & local p=$!
    sleep 3; rm -f "$m/filler"; wait "$p" || true
    echo "diskfull $who  s4096 n5 with processor, 12 kB free for 3 s: $(tail_lines "$m/d" 4000); $(sort -u "$m.err" | sed 's/^/[/; s/$/]/' | tr '\n' ' ')"
  done
}

case_rdonly() {
  local ro="$work/ro"; mkdir -p "$ro/src/s/log"; printf '#!/bin/sh\nexec sleep 1000\n' > "$ro/src/s/run"; chmod +x "$ro/src/s/run"
  mkdir -p "$ro/mnt"; mount --bind "$ro/src" "$ro/mnt"; mount -o remount,bind,ro "$ro/mnt"
  for who in ours ref; do
    echo "rdonly  $who  multilog, log directory on a read-only mount: $(cd "$ro/mnt/s/log" && echo x | "$(tool $who multilog)" ./main 2>&1; echo "exit=$?")" | tr '\n' ' '; echo
    echo "rdonly  $who  supervise, service directory on a read-only mount: $(cd "$ro/mnt" && timeout 5 "$(tool $who supervise)" s 2>&1; echo "exit=$?")" | tr '\n' ' '; echo
  done
  # A running logger whose directory stops being writable (the owner's write bit removed;
  # a mount cannot be made read-only while multilog holds files open for writing).
  for who in ours ref; do
    local m="$work/unwritable-$who"; mkdir -p "$m"; chown nobody "$m"
    mkfifo "$m.fifo"
    (cd "$m" && exec "$(tool ours setuidgid)" nobody "$(tool $who multilog)" s4096 n1000 ./d < "$m.fifo" 2> "$m.err") & local p=$!
    exec 9> "$m.fifo"
    numbered 0 10000 >&9; sleep 0.5
    chmod a-w "$m/d"; numbered 10000 20000 >&9 & local w=$!
    sleep 7; chmod u+w "$m/d"; wait "$w"; exec 9>&-; wait "$p" || true
    echo "rdonly  $who  log directory unwritable for 7 s: $(count_lines "$m/d" 20000); $(sort -u "$m.err" | head -n 3 | tr '\n' ' ')"
  done
}

case_emfile() {
  for who in ours ref; do
    local d="$work/emfile-$who"; mkdir -p "$d"; local dirs=(); for i in $(seq 20); do dirs+=("./d$i"); done
    local out; out=$(cd "$d" && echo x | "$(tool ours softlimit)" -o 16 "$(tool $who multilog)" "${dirs[@]}" 2>&1; echo "exit=$?")
    echo "emfile  $who  multilog with 20 directories, 16 descriptors: $(echo "$out" | tr '\n' ' ')"
    local sd="$work/emscan-$who"; mkdir -p "$sd"
    for i in $(seq 12); do mkdir -p "$sd/s$i/log"; printf '#!/bin/sh\nexec sleep 1000\n' > "$sd/s$i/run"
      printf '#!/bin/sh\nexec cat >/dev/null\n' > "$sd/s$i/log/run"; chmod +x "$sd/s$i/run" "$sd/s$i/log/run"; done
    local p; p=$(PATH="$work/$who:/usr/bin:/bin" start "$sd" "$(tool ours softlimit)" -o 20 "$(tool $who svscan)" .)
    sleep 7
    local up=0; for i in $(seq 12); do "$(tool $who svok)" "$sd/s$i" 2>/dev/null && up=$((up + 1)); done
    echo "emfile  $who  svscan with 12 logged services, 20 descriptors: $up of 12 supervised after 7 s, svscan $(kill -0 "$p" 2>/dev/null && echo running || echo exited); $(sort -u "$sd.err" | head -n 2 | tr '\n' ' ')"
    kill -KILL -- "-$p" 2>/dev/null || true
  done
}

case_nproc() {
  for who in ours ref; do
    local d="$work/nproc-$who"; mkdir -p "$d/s"; printf '#!/bin/sh\nexec sleep 1000\n' > "$d/s/run"; chmod +x "$d/s/run"
    chown -R nobody "$d"
    local p; p=$(start "$d" "$(tool ours setuidgid)" nobody "$(tool ours softlimit)" -p 1 "$(tool $who supervise)" s)
    sleep 2
    local t0; t0=$(date +%s%N)
    "$(tool $who svc)" -dx "$d/s" || true
    wait_until "! kill -0 $p 2>/dev/null" || true
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo "nproc   $who  supervise unable to fork: $(sort -u "$d.err" | head -n 1); after svc -dx: $(kill -0 "$p" 2>/dev/null && echo "still running after ${ms} ms" || echo "exited in ${ms} ms")"
  done
}

# A scan directory with service `s` writing numbered lines (a shell loop) to a logger.
logged_tree() {
  local sd=$1; mkdir -p "$sd/s/log"
  cat > "$sd/s/run" <<'RUN'
#!/bin/sh
i=0
while [ ! -e ../stop ]; do
  printf "%08d payload-payload-payload-payload-payload-payload\n" $i
  i=$((i + 1))
  [ $((i % 50)) = 0 ] && sleep 0.02
done
echo $i > ../count
exec sleep 1000
RUN
  printf '#!/bin/sh\nexec multilog s16777215 n100 ./main\n' > "$sd/s/log/run"
  chmod +x "$sd/s/run" "$sd/s/log/run"
}

case_storm() {
  for who in ours ref; do
    local sd="$work/storm-$who"; logged_tree "$sd"
    local p; p=$(PATH="$work/$who:/usr/bin:/bin" start "$sd" "$(tool $who svscan)" .)
    wait_until "[ -s $sd/s/log/main/current ]"
    local kills=0 victims="supervise multilog" deadline=$((SECONDS + 150))
    [ "${STORM_SVSCAN:-1}" = 1 ] && victims="$victims svscan"
    while [ "$kills" -lt "${STORM_KILLS:-50}" ] && [ "$SECONDS" -lt "$deadline" ]; do
      local v; v=$(for name in $victims; do pids_in "$name" "$sd"; done | shuf -n 1 || true)
      if [ -n "$v" ] && kill -KILL "$v" 2>/dev/null; then kills=$((kills + 1)); fi
      if ! kill -0 "$p" 2>/dev/null; then p=$(PATH="$work/$who:/usr/bin:/bin" start "$sd" "$(tool $who svscan)" .); fi
      sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
    done
    touch "$sd/stop"; wait_until "[ -s $sd/count ]" || true
    local n; n=$(sort -n "$sd/count" 2>/dev/null | tail -n 1); n=${n:-0}
    # A logger restarted late (svscan restarts a supervise that ran under a second only at
    # its next scan) may still have the end of the pipe to read: wait for the last line.
    local last; last=$(printf '%08d ' $((n - 1)))
    SECS=30 wait_until "cat $sd/s/log/main/@* $sd/s/log/main/current 2>/dev/null | grep -q '^$last'" || true
    local copies; copies=$(pids_in sh "$sd/s" | wc -l)
    echo "storm   $who  $kills SIGKILLs ($victims): $(count_lines "$sd/s/log/main" "$n"); copies of the service left running: $copies"
    kill -KILL -- "-$p" 2>/dev/null || true; pkill -KILL -f "$sd" 2>/dev/null || true
  done
}

case_svdir() {
  for who in ours ref; do
    local d="$work/svdir-$who"; mkdir -p "$d/s"; printf '#!/bin/sh\nexec sleep 1000\n' > "$d/s/run"; chmod +x "$d/s/run"
    local p; p=$(start "$d" "$(tool $who supervise)" s)
    wait_until "[ -s $d/s/supervise/status ]"; sleep 1.2
    local old; old=$(pgrep -P "$p" || true)
    rm -rf "$d/s"; mkdir -p "$d/s"; printf '#!/bin/sh\nexec sleep 1000\n' > "$d/s/run"; chmod +x "$d/s/run"
    local svc; svc=$("$(tool $who svc)" -t "$d/s" 2>&1 || true)
    mkdir -p "$d.2"; local q; q=$(start "$d.2" "$(tool $who supervise)" "$d/s")
    sleep 2
    echo "svdir   $who  deleted and recreated: old supervise $(kill -0 "$p" 2>/dev/null && echo running || echo gone) (its service ${old:-none} $(kill -0 "${old:-0}" 2>/dev/null && echo alive || echo gone)); svc on the new one: '${svc}'; a supervise on the new one: $("$(tool $who svstat)" "$d/s")"
    kill -KILL -- "-$p" "-$q" 2>/dev/null || true; [ -n "$old" ] && kill -KILL "$old" 2>/dev/null || true
  done
}

case_clock() {
  if [ "${FAULTS_CLOCK:-0}" != 1 ]; then
    echo "clock   skipped: set FAULTS_CLOCK=1 to step this machine's wall clock (never on a shared machine)"
    return
  fi
  for who in ours ref; do
    local d="$work/clock-$who"; mkdir -p "$d/s"; printf '#!/bin/sh\nsleep 2\n' > "$d/s/run"; chmod +x "$d/s/run"
    local p; p=$(start "$d" "$(tool $who supervise)" s)
    sleep 3; date -s "-1 hour" >/dev/null; local t0; t0=$(date +%s)
    local pid0; pid0=$(od -An -tu4 -j12 -N4 "$d/s/supervise/status" | tr -d ' ')
    wait_until "[ \$(od -An -tu4 -j12 -N4 $d/s/supervise/status | tr -d ' ') != $pid0 ]"; local back; back=$("$(tool $who svstat)" "$d/s")
    date -s "+2 hours" >/dev/null; sleep 3; local fwd; fwd=$("$(tool $who svstat)" "$d/s")
    date -s "-1 hour" >/dev/null
    echo "clock   $who  after -1 h: restarted within $(( $(date +%s) - t0 ))s, svstat '$back'; after +2 h: '$fwd'"
    kill -KILL -- "-$p" 2>/dev/null || true
  done
}

cases=("$@")
[ "${#cases[@]}" -gt 0 ] || cases=(memory diskfull rdonly emfile nproc storm svdir clock)
for c in "${cases[@]}"; do "case_$c"; done
